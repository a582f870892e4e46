// Re-derives, from sysfs and inside the helper, whether a target may be touched. The caller's
// word counts for nothing: paths come from realpath() and must stay under /sys/devices/pci…, and
// a PCI target must be removable (its own `removable` file or a PCI ancestor's reads
// `removable`, kernel Documentation/ABI/testing/sysfs-devices-removable — or the administrator
// listed it or a device above it in a root-owned /etc/egpu-guard/removable.conf) and be a display
// controller, a function in a display controller's slot (its HDMI audio), or a bridge inside the
// enclosure with a display controller below it. An internal GPU, the boot VGA iGPU, a root port,
// an NVMe drive never qualify.

import {
  REMOVABLE_CONFIG_DIR,
  REMOVABLE_CONFIG_PATH,
  distrustReason,
  parseRemovableConfig,
} from '../common/removable-config.js';
import { BDF_RE } from './request.js';
import type { HelperFs } from './io/helper-fs.js';

/** Where the target stands: absent (nothing to do), refused (exit 2), or found at `dir`. */
export type Lookup =
  | { readonly kind: 'absent' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'found'; readonly dir: string };

const refused = (reason: string): Lookup => ({ kind: 'refused', reason });

export const PCI_CLASS_DISPLAY = 0x03;
export const PCI_CLASS_AUDIO_DEVICE = 0x0403;
const PCI_CLASS_BRIDGE_PCI = 0x0604;

export type Sysfs = { readonly fs: HelperFs; readonly root: string };

/** Class code from the `class` attribute ('0x030000'), or null. */
export function readClass(s: Sysfs, dir: string): number | null {
  const text = s.fs.readText(`${dir}/class`)?.trim() ?? '';
  return /^0x[0-9a-f]{6}$/i.test(text) ? parseInt(text, 16) : null;
}

const isDisplay = (c: number | null): boolean => c !== null && c >> 16 === PCI_CLASS_DISPLAY;

/** The PCI device dir behind /sys/bus/pci/devices/<bdf>, checked to be a real PCI device. */
export function lookupPciDevice(s: Sysfs, bdf: string): Lookup {
  const link = `${s.root}/sys/bus/pci/devices/${bdf}`;
  if (!s.fs.lexists(link)) return { kind: 'absent' };
  const dir = s.fs.realPath(link);
  if (dir === null) return { kind: 'absent' };
  return checkPciDir(s, dir, bdf);
}

function checkPciDir(s: Sysfs, dir: string, bdf: string): Lookup {
  const prefix = `${s.root}/sys/devices/pci`;
  if (!dir.startsWith(prefix) || dir.split('/').pop() !== bdf) {
    return refused(`${bdf} does not resolve to a device under /sys/devices/pci…`);
  }
  if (!s.fs.isDir(dir)) return refused(`${bdf} is not a device folder`);
  return { kind: 'found', dir };
}

/** The PCI device folders from the top of the hierarchy down to `dir` itself. */
function pciChain(s: Sysfs, dir: string): string[] {
  const rel = dir.slice(`${s.root}/sys/devices/`.length).split('/');
  const chain: string[] = [];
  let cur = `${s.root}/sys/devices/${rel[0] ?? ''}`;
  for (const part of rel.slice(1)) {
    cur = `${cur}/${part}`;
    if (BDF_RE.test(part)) chain.push(cur);
  }
  return chain;
}

/** The administrator's list, when root owns it and nobody else may write it; else empty. */
export function adminRemovable(s: Sysfs): readonly string[] {
  const filePath = `${s.root}${REMOVABLE_CONFIG_PATH}`;
  const file = s.fs.lstatOwner(filePath);
  if (file === null) return [];
  if (distrustReason(s.fs.lstatOwner(`${s.root}${REMOVABLE_CONFIG_DIR}`), file) !== null) return [];
  const text = s.fs.readText(filePath);
  return text === null ? [] : parseRemovableConfig(text).addresses;
}

/** The firmware's boot display at or below `dir` (a listed bridge must not take it out). */
function bootVgaAtOrBelow(s: Sysfs, dir: string, depth = 0): boolean {
  if (s.fs.readText(`${dir}/boot_vga`)?.trim() === '1') return true;
  if (depth > 16) return false;
  return s.fs
    .list(dir)
    .filter((n) => BDF_RE.test(n))
    .some((n) => bootVgaAtOrBelow(s, `${dir}/${n}`, depth + 1));
}

const slotOfBdf = (bdf: string): string => bdf.slice(0, bdf.lastIndexOf('.'));

export function isRemovable(s: Sysfs, dir: string): boolean {
  const chain = pciChain(s, dir);
  if (chain.some((d) => s.fs.readText(`${d}/removable`)?.trim() === 'removable')) return true;
  const listed = adminRemovable(s);
  if (listed.length === 0) return false;
  // A listed address covers the devices below it and the other functions of its slot (the GPU's
  // HDMI audio when the GPU itself is listed): they are one physical card.
  const self = dir.split('/').pop() ?? '';
  const covered =
    chain.some((d) => listed.includes(d.split('/').pop() ?? '')) ||
    listed.some((l) => slotOfBdf(l) === slotOfBdf(self));
  if (!covered) return false;
  const parent = dir.slice(0, dir.lastIndexOf('/'));
  // The boot display must never go, not even as the sibling of a listed function.
  return (
    !bootVgaAtOrBelow(s, dir) &&
    !s.fs
      .list(parent)
      .filter((n) => BDF_RE.test(n) && slotOfBdf(n) === slotOfBdf(self))
      .some((n) => s.fs.readText(`${parent}/${n}/boot_vga`)?.trim() === '1')
  );
}

function sameSlotHasDisplay(s: Sysfs, dir: string): boolean {
  const name = dir.split('/').pop() ?? '';
  const parent = dir.slice(0, -name.length - 1);
  const slot = name.slice(0, -1);
  return s.fs
    .list(parent)
    .filter((n) => BDF_RE.test(n) && n.startsWith(slot))
    .some((n) => isDisplay(readClass(s, `${parent}/${n}`)));
}

/**
 * What sits below a bridge, depth-first and bounded (sysfs trees are shallow): whether a display
 * controller is among it, and the devices that are neither bridges, display controllers nor
 * functions sharing a display controller's slot — a drive, a NIC, a dock's USB controller.
 */
function belowBridge(s: Sysfs, dir: string, depth = 0): { display: boolean; others: string[] } {
  if (depth > 16) return { display: false, others: [`devices deeper than 16 levels`] };
  let display = false;
  const others: string[] = [];
  for (const n of s.fs.list(dir).filter((x) => BDF_RE.test(x))) {
    const child = `${dir}/${n}`;
    const cls = readClass(s, child);
    if (isDisplay(cls)) display = true;
    else if (cls !== null && cls >> 8 === PCI_CLASS_BRIDGE_PCI) {
      const below = belowBridge(s, child, depth + 1);
      display ||= below.display;
      others.push(...below.others);
    } else if (!sameSlotHasDisplay(s, child)) {
      others.push(`${n} (class 0x${cls?.toString(16).padStart(6, '0') ?? 'unknown'})`);
    }
  }
  return { display, others };
}

const isBridgeClass = (c: number | null): boolean => c !== null && c >> 8 === PCI_CLASS_BRIDGE_PCI;

/**
 * Whether `unbind`/`remove`/`bind` may act on the PCI device at `dir`; a reason when not. A
 * display controller or a function of its slot qualifies for all three; a bridge only for
 * `remove`, and only when nothing but display controllers, their functions and bridges sit below
 * it (a bridge is never unbound: that would unbind pcieport and leave the tree below unmanaged).
 */
export function detachRefusal(
  s: Sysfs,
  dir: string,
  bdf: string,
  verb: 'unbind' | 'remove' | 'bind' = 'remove',
): string | null {
  if (!isRemovable(s, dir)) {
    return `${bdf} is not removable: eGPU Guard only detaches devices of an external enclosure (an administrator can list it in ${REMOVABLE_CONFIG_PATH})`;
  }
  const cls = readClass(s, dir);
  if (isDisplay(cls)) return null;
  if (!isBridgeClass(cls) && sameSlotHasDisplay(s, dir)) return null;
  if (isBridgeClass(cls)) {
    if (verb !== 'remove') {
      return `${bdf} is a bridge: eGPU Guard never ${verb}s a bridge's driver (pcieport)`;
    }
    const below = belowBridge(s, dir);
    if (below.others.length > 0) {
      return `${bdf} has more than a GPU below it (${below.others.slice(0, 4).join(', ')}): those would go too`;
    }
    if (below.display) return null;
  }
  return `${bdf} is neither a display controller, a function of one, nor an enclosure bridge above one`;
}

export type BoundDriver =
  | { readonly kind: 'none' }
  | { readonly kind: 'bound'; readonly dir: string; readonly name: string }
  | { readonly kind: 'refused'; readonly reason: string };

/** The driver bound to the PCI device at `dir`, its folder checked to be a PCI driver's. */
export function boundDriver(s: Sysfs, dir: string): BoundDriver {
  const link = `${dir}/driver`;
  const drv = s.fs.lexists(link) ? s.fs.realPath(link) : null;
  if (drv === null) return { kind: 'none' };
  const prefix = `${s.root}/sys/bus/pci/drivers/`;
  const name = drv.slice(prefix.length);
  if (!drv.startsWith(prefix) || name === '' || name.includes('/')) {
    return { kind: 'refused', reason: 'the driver link does not point into /sys/bus/pci/drivers' };
  }
  return { kind: 'bound', dir: drv, name };
}

/** The PCI device a DRM card belongs to: /sys/class/drm/cardN → …/<bdf>/drm/cardN. */
export function lookupDrmCard(s: Sysfs, card: string): Lookup {
  const link = `${s.root}/sys/class/drm/${card}`;
  if (!s.fs.lexists(link)) return { kind: 'absent' };
  const real = s.fs.realPath(link);
  if (real === null) return { kind: 'absent' };
  const parts = real.split('/');
  const [name, drm, bdf = ''] = [parts.at(-1), parts.at(-2), parts.at(-3)];
  if (name !== card || drm !== 'drm' || !BDF_RE.test(bdf)) {
    return refused(`${card} is not the DRM card of a PCI device`);
  }
  const dev = checkPciDir(s, parts.slice(0, -2).join('/'), bdf);
  if (dev.kind !== 'found') return dev;
  if (!isDisplay(readClass(s, dev.dir)) || !isRemovable(s, dev.dir)) {
    return refused(`${card} belongs to ${bdf}, which is not an external (removable) GPU`);
  }
  return { kind: 'found', dir: real };
}

/** A Thunderbolt device router's folder and its domain folder. */
export type RouterLookup =
  | { readonly kind: 'absent' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'found'; readonly dir: string; readonly domainDir: string };

export function lookupRouter(s: Sysfs, router: string): RouterLookup {
  const link = `${s.root}/sys/bus/thunderbolt/devices/${router}`;
  if (!s.fs.lexists(link)) return { kind: 'absent' };
  const dir = s.fs.realPath(link);
  if (dir === null) return { kind: 'absent' };
  const parts = dir.split('/');
  const domainAt = parts.findLastIndex((p) => /^domain[0-9]+$/.test(p));
  const uevent = s.fs.readText(`${dir}/uevent`) ?? '';
  if (
    !dir.startsWith(`${s.root}/sys/devices/`) ||
    parts.at(-1) !== router ||
    domainAt < 0 ||
    !uevent.split('\n').includes('DEVTYPE=thunderbolt_device')
  ) {
    return { kind: 'refused', reason: `${router} is not a Thunderbolt device router` };
  }
  return { kind: 'found', dir, domainDir: parts.slice(0, domainAt + 1).join('/') };
}

const MODULE_NAME = /^[a-z0-9_]{1,56}$/;

/**
 * Modules a GPU the machine keeps needs: the driver bound to the boot display or to any display
 * controller that is not removable (an internal GPU), and every module stacked on that driver
 * (/sys/module/<name>/holders: nvidia ← nvidia_modeset ← nvidia_drm). Unloading one of them
 * takes the desktop's own screen down, so `module-unload` refuses it. Module → the GPU it serves.
 */
export function modulesKeptByGpus(s: Sysfs): Map<string, string> {
  const out = new Map<string, string>();
  const addWithHolders = (name: string, bdf: string, depth = 0): void => {
    if (!MODULE_NAME.test(name) || out.has(name) || depth > 8) return;
    out.set(name, bdf);
    for (const h of s.fs.list(`${s.root}/sys/module/${name}/holders`)) {
      addWithHolders(h, bdf, depth + 1);
    }
  };
  for (const bdf of s.fs.list(`${s.root}/sys/bus/pci/devices`).filter((n) => BDF_RE.test(n))) {
    const dev = lookupPciDevice(s, bdf);
    if (dev.kind !== 'found' || !isDisplay(readClass(s, dev.dir))) continue;
    const boot = s.fs.readText(`${dev.dir}/boot_vga`)?.trim() === '1';
    if (!boot && isRemovable(s, dev.dir)) continue;
    const drv = boundDriver(s, dev.dir);
    if (drv.kind === 'bound') addWithHolders(drv.name, bdf);
  }
  return out;
}

/** Why `module-unload` must not unload these modules; null when it may. */
export function moduleUnloadRefusal(s: Sysfs, modules: readonly string[]): string | null {
  const kept = modulesKeptByGpus(s);
  const hit = modules.find((m) => kept.has(m));
  if (hit === undefined) return null;
  return `${hit} drives ${kept.get(hit) ?? 'a GPU'}, which is not an external GPU (the boot display or an internal one)`;
}
