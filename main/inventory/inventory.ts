// readInventory: every PCI display controller with what eGPU Guard knows about it, the
// Thunderbolt domains and the GPU kernel modules. One pass over sysfs; nothing here writes.

import type { Inventory } from '../common/inventory-model.js';
import { isDisplayClass } from '../common/pci.js';
import type { SystemRoot } from '../platform/system-root.js';
import { readAdminRemovable } from './admin-removable.js';
import { describeGpu } from './gpu.js';
import { readModules } from './modules.js';
import { createPciNames, type PciNames } from './pci-ids.js';
import { readPciTree, parentOf, type PciTree } from './pci-tree.js';
import { SysfsReader } from './sysfs-reader.js';
import { readThunderbolt } from './thunderbolt.js';

/** Hot-plug slots (pciehp) by the BDF of the port that owns them. */
function readHotplugSlots(reader: SysfsReader, tree: PciTree): Map<string, string> {
  const out = new Map<string, string>();
  for (const slot of reader.list('/sys/bus/pci/slots')) {
    const address = reader.attr(`/sys/bus/pci/slots/${slot}/address`);
    if (address === null) continue;
    // The address names the bus/device in the slot; its parent bridge is the hot-plug port.
    for (const node of tree.nodes.values()) {
      if (node.bdf.startsWith(address + '.')) {
        const port = parentOf(node);
        if (port !== null) out.set(port, slot);
        break;
      }
    }
  }
  return out;
}

/** NVIDIA device minors from /proc/driver/nvidia/gpus/<bdf>/information ("Device Minor: 0"). */
export function readNvidiaMinors(reader: SysfsReader): Map<string, number> {
  const out = new Map<string, number>();
  for (const bdf of reader.list('/proc/driver/nvidia/gpus')) {
    const info = reader.attr(`/proc/driver/nvidia/gpus/${bdf}/information`);
    const m = info === null ? null : /^Device Minor:\s*(\d+)/m.exec(info);
    if (m) out.set(bdf.toLowerCase(), Number(m[1]));
  }
  return out;
}

export type InventoryOptions = { readonly names?: PciNames };

function adminListed(root: SystemRoot): readonly string[] {
  const config = readAdminRemovable(root);
  return config.state === 'trusted' ? config.addresses : [];
}

export function readInventory(root: SystemRoot, options: InventoryOptions = {}): Inventory {
  const reader = new SysfsReader(root);
  const tree = readPciTree(reader);
  const tb = readThunderbolt(reader);
  const names = options.names ?? createPciNames(root);
  const ctx = {
    reader,
    tree,
    tb,
    names,
    hotplugSlots: readHotplugSlots(reader, tree),
    nvidiaMinors: readNvidiaMinors(reader),
    adminListed: adminListed(root),
  };
  const gpuNodes = [...tree.nodes.values()].filter((n) => isDisplayClass(n.classCode));
  const gpus = gpuNodes.map((n) => describeGpu(ctx, n));
  const modules = readModules(
    reader,
    gpuNodes.map((n) => tree.vendor(n.bdf) ?? 0),
    gpus.flatMap((g) => (g.driver === null ? [] : [g.driver])),
  );
  return { gpus, thunderbolt: tb.domains, modules, problems: reader.problems };
}
