// Block devices behind given PCI functions, with their model and where they are mounted: what an
// eject must name before it disconnects anything that carries a drive. /sys/block/<disk>/device
// leads to the disk's controller (for NVMe the nvme<N> controller below the PCI function,
// Documentation/ABI/stable/sysfs-block, sysfs-class-nvme); partitions are the disk folder's
// subfolders with a `partition` attribute; mounts come from /proc/self/mountinfo (proc(5)),
// matched by the major:minor in each `dev` attribute. Read-only; unreadable parts read as absent.

import { isBdf } from '../common/pci.js';
import type { SystemRoot } from '../platform/system-root.js';

export type StorageDevice = {
  /** The PCI function the disk hangs off. */
  readonly pci: string;
  /** '/dev/nvme0n1' */
  readonly disk: string;
  /** The controller's model string, when sysfs has one. */
  readonly model: string | null;
  /** Mount points of the disk and its partitions. */
  readonly mounts: readonly string[];
};

const BLOCK_NAME = /^[a-z][a-z0-9]{0,31}$/;

const attr = (root: SystemRoot, path: string): string | null => {
  const r = root.readText(path, 4096);
  return r.ok ? r.value.trim() : null;
};

/** The PCI functions on a canonical sysfs path, nearest the root first. */
const bdfsOn = (path: string): string[] => path.split('/').filter(isBdf);

/**
 * The PCI function a disk belongs to: its `device` link's target path names it. A native NVMe
 * multipath head's `device` is the subsystem (virtual); its controllers' `device` links name it.
 */
function pciOfDisk(root: SystemRoot, disk: string): string | null {
  const dev = root.realPath(`/sys/block/${disk}/device`);
  if (!dev.ok) return null;
  const direct = bdfsOn(dev.value).at(-1);
  if (direct !== undefined) return direct;
  const list = root.list(dev.value);
  for (const name of list.ok ? list.value.sort() : []) {
    if (!/^nvme\d+$/.test(name)) continue;
    const ctrl = root.realPath(`${dev.value}/${name}/device`);
    const bdf = ctrl.ok ? bdfsOn(ctrl.value).at(-1) : undefined;
    if (bdf !== undefined) return bdf;
  }
  return null;
}

/** proc(5) mountinfo escapes space, tab, newline and backslash as octal. */
const unescape = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** major:minor → mount points, from /proc/self/mountinfo. */
export function readMounts(root: SystemRoot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const text = root.readText('/proc/self/mountinfo', 4 * 1024 * 1024);
  if (!text.ok) return out;
  for (const line of text.value.split('\n')) {
    const f = line.split(' ');
    const devno = f[2];
    const point = f[4];
    if (devno === undefined || point === undefined || !/^\d+:\d+$/.test(devno)) continue;
    out.set(devno, [...(out.get(devno) ?? []), unescape(point)]);
  }
  return out;
}

/** Disks whose controller is one of `pci` (or below one of them), with their mounts. */
export function storageOn(root: SystemRoot, pci: readonly string[]): StorageDevice[] {
  if (pci.length === 0) return [];
  const wanted = new Set(pci);
  const blocks = root.list('/sys/block');
  if (!blocks.ok) return [];
  let mounts: Map<string, string[]> | null = null;
  const out: StorageDevice[] = [];
  for (const disk of blocks.value.sort()) {
    if (!BLOCK_NAME.test(disk)) continue;
    const bdf = pciOfDisk(root, disk);
    if (bdf === null || !wanted.has(bdf)) continue;
    mounts ??= readMounts(root);
    const devnos = [attr(root, `/sys/block/${disk}/dev`)];
    const inside = root.list(`/sys/block/${disk}`);
    for (const part of inside.ok ? inside.value.sort() : []) {
      if (!part.startsWith(disk) || !root.exists(`/sys/block/${disk}/${part}/partition`)) continue;
      devnos.push(attr(root, `/sys/block/${disk}/${part}/dev`));
    }
    out.push({
      pci: bdf,
      disk: `/dev/${disk}`,
      model: attr(root, `/sys/block/${disk}/device/model`),
      mounts: devnos.flatMap((d) => (d === null ? [] : (mounts?.get(d) ?? []))),
    });
  }
  return out;
}
