// Which Thunderbolt routers the helper may (de)authorize, re-derived from sysfs. sysfs has no link
// from a router to the PCI devices its PCIe tunnel carries (Documentation/ABI/testing/
// sysfs-bus-thunderbolt), so the helper judges the whole domain conservatively: de-authorizing
// is allowed only when every tunnel of the router's domain carries nothing but display
// controllers, the functions of their slots and bridges. A tunnelled device sits below a switch
// (a bridge) right below one of the host's PCIe downstream ports: a downstream port of a
// discrete controller's switch (the NHI's grandparent), or, for a CPU-integrated controller, a
// hot-plug root port on the NHI's PCI root (Documentation/admin-guide/thunderbolt.rst, "PCIe
// tunneling"). Functions right on a host port (the controller's own xHCI) are the host's.
// Authorizing cannot be judged that way — nothing behind an unauthorized router is enumerated —
// so tb-authorize only refuses what can never be right.

import { PCI_CLASS_DISPLAY, readClass, type Sysfs } from './eligibility.js';
import { BDF_RE } from './request.js';

const PCI_CLASS_BRIDGE_PCI = 0x0604;
const isBridge = (c: number | null): boolean => c !== null && c >> 8 === PCI_CLASS_BRIDGE_PCI;
const isDisplay = (c: number | null): boolean => c !== null && c >> 16 === PCI_CLASS_DISPLAY;
const slot = (bdf: string): string => bdf.slice(0, bdf.lastIndexOf('.'));

const parentDir = (dir: string): string => dir.slice(0, dir.lastIndexOf('/'));
const baseName = (dir: string): string => dir.slice(dir.lastIndexOf('/') + 1);
const pciChildren = (s: Sysfs, dir: string): string[] =>
  s.fs
    .list(dir)
    .filter((n) => BDF_RE.test(n))
    .sort()
    .map((n) => `${dir}/${n}`);

/** The host's PCIe downstream ports of the domain whose NHI is at `nhi`. */
function hostPorts(s: Sysfs, nhi: string): string[] {
  const bdfs = nhi.split('/').filter((p) => BDF_RE.test(p));
  if (bdfs.length >= 3) {
    // Discrete controller: NHI ← its downstream port ← the controller's upstream port.
    const port = parentDir(nhi);
    const up = parentDir(port);
    return pciChildren(s, up).filter((d) => d !== port && isBridge(readClass(s, d)));
  }
  // Integrated: the hot-plug root ports of the same PCI root (each slot's address names the bus
  // behind its port, /sys/bus/pci/slots/*/address).
  const devices = `${s.root}/sys/devices/`;
  const rootDir = `${devices}${nhi.slice(devices.length).split('/')[0] ?? ''}`;
  const ports = new Set<string>();
  for (const name of s.fs.list(`${s.root}/sys/bus/pci/slots`)) {
    const address = s.fs.readText(`${s.root}/sys/bus/pci/slots/${name}/address`)?.trim() ?? '';
    if (!/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}$/.test(address)) continue;
    for (const fn of ['0', '1', '2', '3', '4', '5', '6', '7']) {
      const dev = s.fs.realPath(`${s.root}/sys/bus/pci/devices/${address}.${fn}`);
      if (dev === null) continue;
      const port = parentDir(dev);
      if (parentDir(port) === rootDir && BDF_RE.test(baseName(port))) ports.add(port);
      break;
    }
  }
  return [...ports].sort();
}

/** Devices below `dir` that are neither bridges, display controllers nor their slot's functions. */
function nonGpu(s: Sysfs, dir: string, depth = 0): string[] {
  if (depth > 16) return [`devices deeper than 16 levels below ${baseName(dir)}`];
  const children = pciChildren(s, dir);
  const displaySlots = new Set(
    children.filter((c) => isDisplay(readClass(s, c))).map((c) => slot(baseName(c))),
  );
  return children.flatMap((c) => {
    const cls = readClass(s, c);
    if (isBridge(cls)) return nonGpu(s, c, depth + 1);
    if (isDisplay(cls) || displaySlots.has(slot(baseName(c)))) return [];
    // An unreadable class is a device on its way out, or a fault: still counted (the helper
    // refuses rather than guess), and said plainly.
    return [
      `${baseName(c)} (${cls === null ? 'class unreadable' : `class 0x${cls.toString(16).padStart(6, '0')}`})`,
    ];
  });
}

/** Why `tb-deauthorize` must not touch the router at `routerDir`; null when it may. */
export function deauthorizeRefusal(
  s: Sysfs,
  router: string,
  routerDir: string,
  domainDir: string,
): string | null {
  if (parentDir(routerDir) === domainDir) return `${router} is the host router`;
  const nhi = parentDir(domainDir);
  if (!BDF_RE.test(baseName(nhi)) || !nhi.startsWith(`${s.root}/sys/devices/pci`)) {
    return `the domain of ${router} does not hang off a PCI host interface`;
  }
  const others = hostPorts(s, nhi).flatMap((port) =>
    pciChildren(s, port)
      .filter((c) => isBridge(readClass(s, c)))
      .flatMap((c) => nonGpu(s, c)),
  );
  if (others.length > 0) {
    return `the domain's Thunderbolt tunnels carry more than GPUs (${others.slice(0, 4).join(', ')}): de-authorizing ${router} could disconnect them`;
  }
  return null;
}

/** Why `tb-authorize` must not touch the router; null when it may. */
export function authorizeRefusal(
  s: Sysfs,
  router: string,
  routerDir: string,
  domainDir: string,
): string | null {
  if (parentDir(routerDir) === domainDir) return `${router} is the host router`;
  const text = s.fs.readText(`${routerDir}/authorized`)?.trim() ?? '';
  if (!/^[0-2]$/.test(text)) return `${router} has no readable authorized state`;
  if (text !== '0') return `${router} is already authorized`;
  // A router behind an unauthorized one cannot come up before it (tb_switch_set_authorized()).
  const parent = parentDir(routerDir);
  const parentState = s.fs.readText(`${parent}/authorized`)?.trim();
  if (parentDir(parent) !== domainDir && parentState === '0') {
    return `${router} sits behind ${baseName(parent)}, which is not authorized`;
  }
  return null;
}
