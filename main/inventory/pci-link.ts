// PCIe speed/width of a GPU and of every link up to its root port, and what they mean. The
// attributes (Documentation/ABI/testing/sysfs-bus-pci): max_link_speed/max_link_width are what the
// function supports (Link Capabilities), current_link_speed/current_link_width what its link runs
// at now (Link Status). Reading them touches config space and runtime-resumes a device in D3cold
// (linux-6.1 drivers/pci/pci-sysfs.c current_link_speed_show → pcie_capability_read_word), so a
// suspended or powered-down device is never read; and a device that does not answer reads as
// speed 'Unknown', width 63 (all-ones Link Status), which is no reading at all.
//
// What counts as degraded — a fault the user can fix — is narrow on purpose:
// - a link trained narrower than both of its ends support (a cable or seating fault);
// - a part in the middle of the path whose maximum is below both the GPU's and the root port's.
// A lower speed is not: GPUs drop their link to 2.5 GT/s when idle (PCIe ASPM/dynamic speed) and
// raise it under load, so it is reported as information. A link narrower than the GPU's own
// maximum because the port has fewer lanes (a Thunderbolt tunnel's x4, a laptop dGPU wired x8) is
// the design, not a fault. A tunnelled link's figures are nominal (thunderbolt-ids.ts) and are
// never judged.

import type {
  GpuLink,
  LinkBottleneck,
  LinkDegradation,
  LinkHop,
  LinkState,
} from '../common/inventory-model.js';
import type { PciNames } from './pci-ids.js';
import { parentOf, type PciTree } from './pci-tree.js';
import type { SysfsReader } from './sysfs-reader.js';
import { pathLinks, tunnelLinks } from './thunderbolt-ids.js';

/** '8.0 GT/s PCIe', '8 GT/s', '2.5 GT/s PCIe' → GT/s; 'Unknown' or garbage → null. */
export function parseLinkSpeed(text: string | null): number | null {
  if (text === null) return null;
  const m = /^(\d+(?:\.\d+)?)\s*GT\/s/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** Link widths the PCIe Link Capabilities/Status registers can hold (x1 … x32). */
const WIDTHS: ReadonlySet<number> = new Set([1, 2, 4, 8, 12, 16, 32]);

/** A real width; 0 (link down), 63 (all-ones read of a powered-down device) or garbage → null. */
export function parseLinkWidth(text: string | null): number | null {
  if (text === null || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return WIDTHS.has(n) ? n : null;
}

type LinkEnds = { current: LinkState; max: LinkState; rawWidth: string | null };

function readEnds(reader: SysfsReader, bdf: string): LinkEnds | null {
  const base = `/sys/bus/pci/devices/${bdf}`;
  const maxSpeed = reader.attr(`${base}/max_link_speed`);
  if (maxSpeed === null) return null; // not a PCIe device, or no link capability
  const rawWidth = reader.attr(`${base}/current_link_width`);
  return {
    current: {
      speed: parseLinkSpeed(reader.attr(`${base}/current_link_speed`)),
      width: parseLinkWidth(rawWidth),
    },
    max: {
      speed: parseLinkSpeed(maxSpeed),
      width: parseLinkWidth(reader.attr(`${base}/max_link_width`)),
    },
    rawWidth,
  };
}

const minKnown = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

const known = (s: LinkState): boolean => s.speed !== null || s.width !== null;

/** Usable bandwidth per lane in Gb/s: 8b/10b coding up to 5 GT/s, 128b/130b from 8 GT/s. */
const perLane = (gts: number): number => (gts <= 5 ? gts * 0.8 : (gts * 128) / 130);

/** Bandwidth for ranking links; an unknown dimension ranks as unlimited. */
const bandwidth = (s: LinkState): number =>
  (s.speed === null ? Infinity : perLane(s.speed)) * (s.width ?? Infinity);

/** Pure: which dimensions of a (not tunnelled) link run below what both ends support, as a fault. */
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
  if (current.width !== null && capable.width !== null && current.width < capable.width)
    degradedBy.push('width');
  return { capable, degradedBy };
}

/**
 * Why a device's link attributes must not be read now, or null: runtime-suspended (or on the way
 * there), or in D3cold by the kernel's cached power_state (which does not touch the device).
 */
function asleep(reader: SysfsReader, tree: PciTree, bdf: string): string | null {
  const status = tree.runtimeStatus(bdf);
  if (status === 'suspended' || status === 'suspending') return `runtime-${status}`;
  if (reader.attr(`/sys/bus/pci/devices/${bdf}/power_state`) === 'D3cold') return 'in D3cold';
  return null;
}

type HopWithMax = LinkHop & { readonly pathMax: LinkState };

function pickBottleneck(hops: readonly HopWithMax[]): LinkBottleneck | null {
  let best: HopWithMax | null = null;
  // Hops run from the GPU up; on a tie the tunnel, then the one nearer the host, is named.
  for (const h of hops) {
    if (!known(h.pathMax)) continue;
    if (best === null) {
      best = h;
      continue;
    }
    const d = bandwidth(h.pathMax) - bandwidth(best.pathMax);
    if (d < 0 || (d === 0 && (h.tunnel === true || best.tunnel !== true))) best = h;
  }
  return best === null
    ? null
    : { device: best.device, port: best.port, max: best.pathMax, tunnel: best.tunnel === true };
}

function noLinkReason(ends: LinkEnds): string | undefined {
  if (known(ends.current)) return undefined;
  const w = ends.rawWidth?.trim();
  if (w === '63')
    return 'link reads return all ones (width 63, speed Unknown): the GPU is powered down or has fallen off the bus';
  if (w === '0') return 'its link is down (width 0): the GPU is not talking to its port';
  return 'sysfs gives no link speed or width for the GPU';
}

export function readGpuLink(
  reader: SysfsReader,
  tree: PciTree,
  bdf: string,
  names: PciNames,
): GpuLink {
  const node = tree.nodes.get(bdf);
  const portBdf = node ? parentOf(node) : null;
  const why = asleep(reader, tree, bdf);
  if (why !== null) {
    return {
      current: null,
      max: null,
      port: null,
      degraded: false,
      hops: [],
      skipped:
        why === 'in D3cold'
          ? 'in D3cold: not read, so the GPU is not woken'
          : `${why}: not read, so the GPU can stay asleep`,
      bottleneck: null,
      now: null,
      slowNow: null,
      degradation: null,
    };
  }
  const own = readEnds(reader, bdf);
  const portEnds =
    portBdf !== null && asleep(reader, tree, portBdf) === null ? readEnds(reader, portBdf) : null;
  const chain = node ? [...node.ancestors, bdf] : [bdf];
  const tunnelled = new Set(tunnelLinks(tree, names, chain).map((t) => `${t.device}<${t.port}`));
  const hops: HopWithMax[] = [];
  const gpuVendor = tree.vendor(bdf);
  let reachedRoot = chain.length === 1;
  for (const [device, port] of pathLinks(chain)) {
    if (asleep(reader, tree, device) !== null || asleep(reader, tree, port) !== null) break;
    const deviceEnds = device === bdf ? own : readEnds(reader, device);
    const ends = port === portBdf ? portEnds : readEnds(reader, port);
    if (deviceEnds === null || ends === null) break;
    if (port === chain[0]) reachedRoot = true;
    if (!known(deviceEnds.current)) continue; // no reading (noLink says so for the GPU)
    const tunnel = tunnelled.has(`${device}<${port}`);
    const { capable, degradedBy } = assessHop(deviceEnds.current, deviceEnds.max, ends.max);
    hops.push({
      device,
      port,
      current: deviceEnds.current,
      capable,
      degradedBy: tunnel ? [] : degradedBy,
      tunnel,
      // A tunnel's host end is nominal; the device router's adapter says what the tunnel carries.
      pathMax: tunnel ? deviceEnds.max : capable,
    });
  }
  const bottleneck = pickBottleneck(hops);
  const real = hops.filter((h) => h.tunnel !== true && h.current.speed !== null);
  const slowest = [...real].sort((a, b) => bandwidth(a.current) - bandwidth(b.current))[0];
  const now = slowest?.current ?? null;
  const slowed = real
    .filter((h) => h.capable.speed !== null && h.current.speed! < h.capable.speed)
    .sort((a, b) => a.current.speed! - b.current.speed!)[0];
  const slowNow =
    slowed !== undefined &&
    bottleneck?.max.speed != null &&
    slowed.current.speed! < bottleneck.max.speed
      ? {
          device: slowed.device,
          port: slowed.port,
          current: slowed.current,
          byGpu: slowed.device === bdf || tree.vendor(slowed.device) === gpuVendor,
        }
      : null;
  const degradation = findDegradation(hops, bottleneck, own, reachedRoot ? chain[0] : undefined, {
    reader,
    tree,
  });
  const noLink = own === null ? undefined : noLinkReason(own);
  return {
    current: own !== null && known(own.current) ? own.current : null,
    max: own !== null && known(own.max) ? own.max : null,
    port:
      portBdf === null
        ? null
        : { bdf: portBdf, current: portEnds?.current ?? null, max: portEnds?.max ?? null },
    degraded: degradation !== null,
    hops: hops.map(({ pathMax: _pathMax, ...h }) => h),
    bottleneck,
    now,
    slowNow,
    degradation,
    ...(noLink === undefined ? {} : { noLink }),
  };
}

function findDegradation(
  hops: readonly HopWithMax[],
  bottleneck: LinkBottleneck | null,
  own: LinkEnds | null,
  rootPort: string | undefined,
  io: { reader: SysfsReader; tree: PciTree },
): LinkDegradation | null {
  const narrow = hops.find((h) => h.degradedBy.includes('width'));
  if (narrow !== undefined) {
    return {
      kind: 'width',
      device: narrow.device,
      port: narrow.port,
      current: narrow.current,
      capable: narrow.capable,
    };
  }
  // A part of the path below both ends: only judged on a whole path without tunnels.
  if (bottleneck === null || own === null || rootPort === undefined) return null;
  if (hops.some((h) => h.tunnel === true)) return null;
  if (asleep(io.reader, io.tree, rootPort) !== null) return null;
  const root = readEnds(io.reader, rootPort);
  if (root === null) return null;
  const ends = {
    speed: minKnown(own.max.speed, root.max.speed),
    width: minKnown(own.max.width, root.max.width),
  };
  const below = (a: number | null, b: number | null): boolean => a !== null && b !== null && a < b;
  if (!below(bottleneck.max.speed, ends.speed) && !below(bottleneck.max.width, ends.width))
    return null;
  return {
    kind: 'path',
    device: bottleneck.device,
    port: bottleneck.port,
    max: bottleneck.max,
    ends,
    rootPort,
  };
}
