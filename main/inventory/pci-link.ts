// PCIe link speed/width of a GPU and of every link up to its root port. Reading these attributes
// touches config space and runtime-resumes a device in D3cold (linux-6.1 drivers/pci/pci-sysfs.c
// current_link_speed_show → pcie_capability_read_word), so a suspended device is never read.
// A link is degraded only when it runs below what *both* ends support: an eGPU behind a Thunderbolt
// x4 tunnel reports max x16 itself, but its port can do x4, so x4 is full speed, not degraded.

import type { GpuLink, LinkHop, LinkState } from '../common/inventory-model.js';
import { parentOf, type PciTree } from './pci-tree.js';
import type { SysfsReader } from './sysfs-reader.js';

/** '8.0 GT/s PCIe', '8 GT/s', '2.5 GT/s PCIe' → GT/s; 'Unknown' or garbage → null. */
export function parseLinkSpeed(text: string | null): number | null {
  if (text === null) return null;
  const m = /^(\d+(?:\.\d+)?)\s*GT\/s/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

export function parseLinkWidth(text: string | null): number | null {
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  return Number(text.trim());
}

type LinkEnds = { current: LinkState; max: LinkState };

function readEnds(reader: SysfsReader, bdf: string): LinkEnds | null {
  const base = `/sys/bus/pci/devices/${bdf}`;
  const maxSpeed = reader.attr(`${base}/max_link_speed`);
  if (maxSpeed === null) return null; // not a PCIe device, or no link capability
  return {
    current: {
      speed: parseLinkSpeed(reader.attr(`${base}/current_link_speed`)),
      width: parseLinkWidth(reader.attr(`${base}/current_link_width`)),
    },
    max: {
      speed: parseLinkSpeed(maxSpeed),
      width: parseLinkWidth(reader.attr(`${base}/max_link_width`)),
    },
  };
}

const minKnown = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** Pure: which dimensions of a link run below what both ends support. */
export function assessHop(
  current: LinkState,
  deviceMax: LinkState,
  portMax: LinkState,
): {
  capable: LinkState;
  degradedBy: ('speed' | 'width')[];
} {
  const capable = {
    speed: minKnown(deviceMax.speed, portMax.speed),
    width: minKnown(deviceMax.width, portMax.width),
  };
  const degradedBy: ('speed' | 'width')[] = [];
  if (current.speed !== null && capable.speed !== null && current.speed < capable.speed)
    degradedBy.push('speed');
  if (current.width !== null && capable.width !== null && current.width < capable.width)
    degradedBy.push('width');
  return { capable, degradedBy };
}

const isSuspended = (tree: PciTree, bdf: string): boolean =>
  tree.runtimeStatus(bdf) === 'suspended';

export function readGpuLink(reader: SysfsReader, tree: PciTree, bdf: string): GpuLink {
  const node = tree.nodes.get(bdf);
  const portBdf = node ? parentOf(node) : null;
  if (isSuspended(tree, bdf)) {
    return {
      current: null,
      max: null,
      port: null,
      degraded: false,
      hops: [],
      skipped: 'runtime-suspended: not read, so the GPU can stay asleep',
    };
  }
  const own = readEnds(reader, bdf);
  const portEnds =
    portBdf !== null && !isSuspended(tree, portBdf) ? readEnds(reader, portBdf) : null;
  // Links exist between an endpoint (or switch upstream port) and the downstream/root port above
  // it; a switch's downstream ports sit on its internal bus, not on a link. Counted from the root
  // port, the chain alternates root port, upstream, downstream, …, endpoint, so the links are the
  // (odd position, its parent) pairs. (Config space would say each port's type, but non-root
  // readers only get its first 64 bytes, where the PCIe capability usually is not.)
  const chain = node ? [...node.ancestors, bdf] : [bdf];
  const hops: LinkHop[] = [];
  for (let i = chain.length - 1; i >= 1; i -= 2) {
    const device = chain[i]!;
    const port = chain[i - 1]!;
    if (isSuspended(tree, device) || isSuspended(tree, port)) break;
    const deviceEnds = device === bdf ? own : readEnds(reader, device);
    const ends = port === portBdf ? portEnds : readEnds(reader, port);
    if (deviceEnds === null || ends === null) break;
    const { capable, degradedBy } = assessHop(deviceEnds.current, deviceEnds.max, ends.max);
    hops.push({ device, port, current: deviceEnds.current, capable, degradedBy });
  }
  return {
    current: own?.current ?? null,
    max: own?.max ?? null,
    port:
      portBdf === null
        ? null
        : { bdf: portBdf, current: portEnds?.current ?? null, max: portEnds?.max ?? null },
    degraded: hops.some((h) => h.degradedBy.length > 0),
    hops,
  };
}
