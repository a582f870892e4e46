// What the eject planner needs to know, gathered from the machine: the GPU, who uses it, which
// compositor drives its displays from it, the kernel version, and what else would go with the
// enclosure's top bridge. The planner itself is pure (eject-planner.ts).

import type { ClientInfo } from '../../common/clients-model.js';
import type { GpuInfo, Inventory } from '../../common/inventory-model.js';
import { isBdf } from '../../common/pci.js';
import type { GpuLifecycle } from '../../common/state-model.js';
import type { SystemRoot } from '../../platform/system-root.js';

export type EjectFacts = {
  readonly bdf: string;
  /** The GPU as the inventory sees it now; null when it is not present. */
  readonly gpu: GpuInfo | null;
  readonly state: GpuLifecycle | null;
  readonly inventory: Inventory;
  /** Clients of this GPU. */
  readonly clients: readonly ClientInfo[];
  /** Compositor / X pids → the GPU (bdf) they use as primary, when known. */
  readonly primaryOf: ReadonlyMap<number, string | null>;
  /** Devices below the enclosure's top bridge that are not this GPU's functions or bridges. */
  readonly otherDevicesUnderTop: readonly string[];
  /** 'major.minor' of the running kernel, e.g. [6, 12]; null when unknown. */
  readonly kernel: readonly [number, number] | null;
  /** The uid eGPU Guard runs as: other users' processes cannot be signalled without root. */
  readonly uid: number | null;
};

export function parseKernelRelease(text: string | null): readonly [number, number] | null {
  const m = text === null ? null : /^(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

const DRM_LISTS = ['KWIN_DRM_DEVICES', 'WLR_DRM_DEVICES', 'AQ_DRM_DEVICES'];

/**
 * Which GPU a compositor or X server uses as its primary: the first entry of its
 * KWIN/WLR/AQ_DRM_DEVICES list (linux-interfaces.md §7.6), else the only card it holds, else the
 * boot display among the cards it holds. null when it cannot be told.
 */
export function primaryGpuOf(
  root: SystemRoot,
  pid: number,
  inventory: Inventory,
  heldGpus: readonly string[],
): string | null {
  const cardToGpu = new Map(
    inventory.gpus.flatMap((g) => (g.drm.card ? [[g.drm.card, g.bdf] as const] : [])),
  );
  const environ = root.readText(`/proc/${pid}/environ`, 256 * 1024);
  if (environ.ok) {
    for (const kv of environ.value.split('\0')) {
      const eq = kv.indexOf('=');
      if (eq < 0 || !DRM_LISTS.includes(kv.slice(0, eq))) continue;
      const first = kv.slice(eq + 1).split(':')[0] ?? '';
      const real = root.realPath(first);
      const gpu = cardToGpu.get(real.ok ? real.value : first);
      if (gpu !== undefined) return gpu;
    }
  }
  if (heldGpus.length === 1) return heldGpus[0] ?? null;
  const boot = inventory.gpus.find((g) => g.bootVga && heldGpus.includes(g.bdf));
  return boot?.bdf ?? null;
}

/** PCI devices below `top` (a bridge) that are neither the GPU's functions nor bridges. */
export function devicesUnderTop(root: SystemRoot, top: string, gpu: GpuInfo): string[] {
  const own = new Set([gpu.bdf, ...gpu.functions.map((f) => f.bdf)]);
  const list = root.list('/sys/bus/pci/devices');
  if (!list.ok) return [];
  const out: string[] = [];
  for (const bdf of list.value) {
    if (!isBdf(bdf) || own.has(bdf)) continue;
    const real = root.realPath(`/sys/bus/pci/devices/${bdf}`);
    if (!real.ok || !real.value.includes(`/${top}/`)) continue;
    const cls = root.readText(`/sys/bus/pci/devices/${bdf}/class`, 64);
    if (cls.ok && cls.value.trim().startsWith('0x0604')) continue; // a bridge of the enclosure
    out.push(bdf);
  }
  return out.sort();
}
