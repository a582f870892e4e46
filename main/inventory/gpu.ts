// Assembles everything `egpu status` says about one display controller.

import { naturalCompare } from '../common/natural-compare.js';
import type { GpuFunction, GpuInfo } from '../common/inventory-model.js';
import { functionKind, hexId, slotOf } from '../common/pci.js';
import { assessExternal } from './external.js';
import { probeHealth, probeStuck } from './health.js';
import { readGpuLink } from './pci-link.js';
import type { PciNames } from './pci-ids.js';
import type { PciNode, PciTree } from './pci-tree.js';
import type { SysfsReader } from './sysfs-reader.js';
import type { ThunderboltTopology } from './thunderbolt.js';

const KIND_NAMES: Readonly<Record<string, string>> = {
  audio: 'HDMI/DP audio',
  usb: 'USB controller',
  'serial-bus': 'USB-C UCSI controller',
  display: 'display controller',
  bridge: 'bridge',
  other: 'function',
};

export type GpuContext = {
  readonly reader: SysfsReader;
  readonly tree: PciTree;
  readonly tb: ThunderboltTopology;
  readonly names: PciNames;
  readonly hotplugSlots: ReadonlyMap<string, string>;
  /** NVIDIA device minor per BDF, from /proc/driver/nvidia/gpus. */
  readonly nvidiaMinors: ReadonlyMap<string, number>;
  /** PCI addresses from a trusted /etc/egpu-guard/removable.conf (admin-removable.ts). */
  readonly adminListed?: readonly string[];
};

function drmNodes(
  reader: SysfsReader,
  bdf: string,
): { card: string | null; render: string | null } {
  const entries = reader.list(`/sys/bus/pci/devices/${bdf}/drm`);
  const pick = (re: RegExp): string | null => {
    const names = entries.filter((e) => re.test(e)).sort(naturalCompare);
    return names[0] === undefined ? null : `/dev/dri/${names[0]}`;
  };
  return { card: pick(/^card\d+$/), render: pick(/^renderD\d+$/) };
}

function bootVga(reader: SysfsReader, bdf: string, card: string | null): boolean {
  const v = reader.attr(`/sys/bus/pci/devices/${bdf}/boot_vga`);
  if (v !== null) return v === '1';
  // boot_vga exists only for VGA-class devices; newer kernels add drm/cardN/boot_display.
  if (card === null) return false;
  return reader.attr(`/sys/class/drm/${card.slice('/dev/dri/'.length)}/boot_display`) === '1';
}

function siblingFunctions(ctx: GpuContext, node: PciNode): GpuFunction[] {
  const { tree } = ctx;
  const slot = slotOf(node.bdf);
  const out: GpuFunction[] = [];
  for (const other of ctx.tree.nodes.values()) {
    if (other.bdf === node.bdf || slotOf(other.bdf) !== slot) continue;
    const classCode = other.classCode;
    const kind = functionKind(classCode);
    out.push({
      bdf: other.bdf,
      classCode: hexId(classCode, 6),
      kind,
      name: ctx.names.displayName(
        tree.vendor(other.bdf) ?? 0,
        tree.device(other.bdf) ?? 0,
        KIND_NAMES[kind] ?? 'function',
      ),
      driver: tree.driver(other.bdf),
    });
  }
  return out;
}

export function describeGpu(ctx: GpuContext, node: PciNode): GpuInfo {
  const { reader, tree } = ctx;
  const base = `/sys/bus/pci/devices/${node.bdf}`;
  const vendor = tree.vendor(node.bdf) ?? 0;
  const device = tree.device(node.bdf) ?? 0;
  const driver = tree.driver(node.bdf);
  const sv = reader.hex(`${base}/subsystem_vendor`);
  const sd = reader.hex(`${base}/subsystem_device`);
  const runtimeStatus = tree.runtimeStatus(node.bdf);
  const drm = drmNodes(reader, node.bdf);
  const isBootVga = bootVga(reader, node.bdf, drm.card);
  const ext = assessExternal(tree, node.bdf, ctx.tb, ctx.names, ctx.hotplugSlots, {
    listed: ctx.adminListed ?? [],
    bootVga: isBootVga,
  });
  const powerState = reader.attr(`${base}/power_state`);
  const health = probeHealth(
    reader.root,
    node.bdf,
    runtimeStatus,
    tree.vendor(node.bdf),
    powerState,
  );
  const minor = ctx.nvidiaMinors.get(node.bdf);
  return {
    bdf: node.bdf,
    vendorId: hexId(vendor),
    deviceId: hexId(device),
    subsystemId: sv !== null && sd !== null ? `${hexId(sv)}:${hexId(sd)}` : null,
    classCode: hexId(node.classCode, 6),
    name: ctx.names.displayName(vendor, device, 'GPU'),
    driver,
    external: ext.external,
    externalEvidence: ext.evidence,
    enclosureTop: ext.enclosureTop,
    enclosure: ext.enclosure,
    thunderboltDomain: ext.domain,
    bootVga: isBootVga,
    drm,
    nvidia: minor === undefined ? null : { minor, node: `/dev/nvidia${minor}` },
    functions: siblingFunctions(ctx, node),
    link: readGpuLink(reader, tree, node.bdf, ctx.names),
    runtimeStatus,
    powerState,
    health: health.health,
    healthReason: health.reason,
    stuck: probeStuck(runtimeStatus, powerState),
    sysfsPath: node.path,
  };
}
