// What the eject planner needs to know, gathered from the machine: the GPU, who uses it, which
// compositor drives its displays from it, the kernel version, and what else would go with the
// enclosure's top bridge. The planner itself is pure (eject-planner.ts).

import type { ClientInfo } from '../../common/clients-model.js';
import type { GpuInfo, Inventory } from '../../common/inventory-model.js';
import { isBdf } from '../../common/pci.js';
import type { GpuLifecycle } from '../../common/snapshot.js';
import { storageOn, type StorageDevice } from '../../inventory/storage.js';
import type { SystemRoot } from '../../platform/system-root.js';

/** Something besides the GPU on the enclosure's tunnel, as the plan names it. */
export type SharedDevice = {
  /** PCI address, or the Thunderbolt router name for a chained device. */
  readonly id: string;
  /** 'NVMe drive Samsung SSD 980 PRO 1TB (/dev/nvme0n1, mounted at /home/x)', 'USB controller'. */
  readonly description: string;
  /** A disk: disconnecting it unannounced loses what was not written yet. */
  readonly storage: StorageDevice | null;
};

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
  /**
   * What else rides the enclosure's Thunderbolt tunnel and would drop with it: PCI functions
   * below the router's switch besides the GPU's own and bridges, each named, disks first with
   * their mounts, and routers chained behind the enclosure. Absent or empty: nothing else.
   */
  readonly tunnelOthers?: readonly SharedDevice[];
  /** 'major.minor' of the running kernel, e.g. [6, 12]; null when unknown. */
  readonly kernel: readonly [number, number] | null;
  /** The uid eGPU Guard runs as: other users' processes cannot be signalled without root. */
  readonly uid: number | null;
  /** The user's pre-eject hooks that will run first, in order (docs/hooks.md); absent: none. */
  readonly preEjectHooks?: readonly string[];
};

export function parseKernelRelease(text: string | null): readonly [number, number] | null {
  const m = text === null ? null : /^(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

const DRM_LISTS = ['KWIN_DRM_DEVICES', 'WLR_DRM_DEVICES', 'AQ_DRM_DEVICES'];

/**
 * Which GPU a compositor or X server uses as its primary: the first entry of its
 * KWIN/WLR/AQ_DRM_DEVICES list (wlroots docs/env_vars.md, aquamarine docs/env.md; KWin's list
 * works alike), else the only card it holds, else the boot display among the cards it holds.
 * null when it cannot be told.
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

const CLASS_WORDS: readonly [number, number, string][] = [
  // PCI Code and ID Assignment Specification, base/sub class.
  [0x01, 0x08, 'NVMe drive'],
  [0x01, -1, 'storage controller'],
  [0x02, -1, 'network controller'],
  [0x03, -1, 'display controller'],
  [0x04, -1, 'audio controller'],
  [0x0c, 0x03, 'USB controller'],
  [0x0c, 0x80, 'USB-C controller'],
];

function classWord(root: SystemRoot, bdf: string): string {
  const text = root.readText(`/sys/bus/pci/devices/${bdf}/class`, 64);
  const cls = text.ok ? parseInt(text.value.trim(), 16) : NaN;
  if (Number.isNaN(cls)) return 'device';
  const hit = CLASS_WORDS.find(
    ([base, sub]) => cls >> 16 === base && (sub < 0 || ((cls >> 8) & 0xff) === sub),
  );
  return hit?.[2] ?? 'device';
}

export function describeStorage(d: StorageDevice): string {
  const where = d.mounts.length > 0 ? `, mounted at ${d.mounts.join(', ')}` : ', not mounted';
  return `${d.model ?? 'a drive'} (${d.disk}${where})`;
}

/** Routers chained behind `router`: their route strings extend its own (thunderbolt.rst). */
export function chainedRouters(inventory: Inventory, router: string): string[] {
  const [domainIndex, route] = router.split('-');
  if (route === undefined) return [];
  const bits = route.replace(/^0+/, '').length * 4;
  const own = BigInt(`0x${route}`);
  return inventory.thunderbolt.flatMap((d) =>
    d.routers.flatMap((r) => {
      const [di, rr] = r.router.split('-');
      if (di !== domainIndex || rr === undefined || r.router === router) return [];
      const value = BigInt(`0x${rr}`);
      const mask = (1n << BigInt(Math.ceil(bits / 8) * 8)) - 1n;
      return value > own && (value & mask) === own ? [r.deviceName ?? r.router] : [];
    }),
  );
}

/**
 * What would go down with the enclosure's tunnel besides the GPU: the PCI functions below the
 * router's switch (named, disks with their mounts) and the routers chained behind it.
 */
export function tunnelOthers(root: SystemRoot, gpu: GpuInfo, inventory: Inventory): SharedDevice[] {
  const enc = gpu.enclosure;
  if (enc === null) return [];
  const top = enc.pciTop ?? gpu.enclosureTop;
  const pci = top === null ? [] : devicesUnderTop(root, top, gpu);
  const disks = storageOn(root, pci);
  const out: SharedDevice[] = pci.map((bdf) => {
    const disk = disks.find((d) => d.pci === bdf) ?? null;
    const word = classWord(root, bdf);
    return {
      id: bdf,
      description: disk === null ? `${word} ${bdf}` : `${word} ${describeStorage(disk)}`,
      storage: disk,
    };
  });
  for (const name of chainedRouters(inventory, enc.router)) {
    out.push({ id: name, description: `${name}, chained behind it`, storage: null });
  }
  return out.sort((a, b) => Number(b.storage !== null) - Number(a.storage !== null));
}

/** The enclosure facts the eject service gathers for a GPU. */
export function enclosureFacts(
  root: SystemRoot,
  gpu: GpuInfo | null,
  inventory: Inventory,
): Pick<EjectFacts, 'otherDevicesUnderTop' | 'tunnelOthers'> {
  if (gpu === null) return { otherDevicesUnderTop: [], tunnelOthers: [] };
  return {
    otherDevicesUnderTop: gpu.enclosureTop ? devicesUnderTop(root, gpu.enclosureTop, gpu) : [],
    tunnelOthers: tunnelOthers(root, gpu, inventory),
  };
}
