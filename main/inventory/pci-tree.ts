// The PCI device tree as sysfs shows it: every function under /sys/bus/pci/devices, resolved to
// its /sys/devices/pci… path so each knows its chain of parent bridges. Only the class is read
// for every function; IDs, driver and power state are read on demand and cached, because a
// workstation has hundreds of functions and `egpu status` must stay fast. Nothing here touches
// the hardware (these attributes are cached by the kernel).

import { isBdf } from '../common/pci.js';
import type { SysfsReader } from './sysfs-reader.js';

/** Resolves a relative symlink target against the link's folder, lexically (POSIX paths). */
export function resolveLink(dir: string, target: string): string {
  const parts = target.startsWith('/') ? [] : dir.split('/').filter(Boolean);
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

export type PciNode = {
  readonly bdf: string;
  /** Canonical target path, e.g. /sys/devices/pci0000:00/0000:00:07.0/0000:2c:00.0 */
  readonly path: string;
  /** The PCI root this device hangs off, e.g. 'pci0000:00'. */
  readonly pciRoot: string;
  /** Ancestor bridges from the root port down to the parent (excluding the device itself). */
  readonly ancestors: readonly string[];
  readonly classCode: number;
};

export type PciTree = {
  readonly nodes: ReadonlyMap<string, PciNode>;
  vendor(bdf: string): number | null;
  device(bdf: string): number | null;
  driver(bdf: string): string | null;
  /** Whether sysfs has a `removable` attribute saying so (it exists only when removable). */
  removable(bdf: string): boolean;
  runtimeStatus(bdf: string): string | null;
};

function cached<T>(read: (bdf: string) => T): (bdf: string) => T {
  const cache = new Map<string, T>();
  return (bdf) => {
    if (cache.has(bdf)) return cache.get(bdf) as T;
    const v = read(bdf);
    cache.set(bdf, v);
    return v;
  };
}

export function readPciTree(reader: SysfsReader): PciTree {
  const nodes = new Map<string, PciNode>();
  const dir = '/sys/bus/pci/devices';
  for (const bdf of reader.list(dir).sort()) {
    if (!isBdf(bdf)) continue;
    // The bus entry is a relative link into /sys/devices; resolving it lexically costs one
    // readlink instead of realpath's lstat of every path component.
    const link = reader.root.readLink(`${dir}/${bdf}`);
    if (!link.ok) {
      reader.report(`${dir}/${bdf}`, link.error.message);
      continue;
    }
    const path = resolveLink(dir, link.value);
    const parts = path.split('/');
    const chain = parts.filter(isBdf);
    if (chain[chain.length - 1] !== bdf) {
      reader.report(`${dir}/${bdf}`, `resolves to unexpected path ${path}`);
      continue;
    }
    // A missing class means the device vanished (or the link dangles): skip it, reported.
    const classCode = reader.hex(`${path}/class`);
    if (classCode === null) {
      if (!reader.root.exists(path)) reader.report(`${dir}/${bdf}`, `dangling link to ${path}`);
      continue;
    }
    nodes.set(bdf, {
      bdf,
      path,
      pciRoot: parts.find((p) => p.startsWith('pci')) ?? 'pci',
      ancestors: chain.slice(0, -1),
      classCode,
    });
  }
  const attr = (bdf: string, name: string): string => `${dir}/${bdf}/${name}`;
  return {
    nodes,
    vendor: cached((bdf) => reader.hex(attr(bdf, 'vendor'))),
    device: cached((bdf) => reader.hex(attr(bdf, 'device'))),
    driver: cached((bdf) => reader.linkName(attr(bdf, 'driver'))),
    removable: cached((bdf) => reader.attr(attr(bdf, 'removable')) === 'removable'),
    runtimeStatus: cached((bdf) => reader.attr(attr(bdf, 'power/runtime_status'))),
  };
}

/** The parent bridge of a device, or null on the root bus. */
export const parentOf = (node: PciNode): string | null =>
  node.ancestors[node.ancestors.length - 1] ?? null;
