// PCI and DRM in the simulated kernel: driver bind/unbind with their DRM minors, device remove
// (children before parents) and rescan, each changing the sysroot the way the kernel changes sysfs
// and announcing it with the udev blocks in kernel order (drm_dev_unregister() in the kernel's
// drivers/gpu/drm/drm_drv.c, then device_release_driver() in drivers/base/dd.c): connectors,
// card, render, then the function's unbind and remove.

import * as fs from 'node:fs';
import type { PciFunctionSpec } from './scenario.js';
import {
  bindDriver,
  pciUevent,
  removeStorage,
  writeDrm,
  writeNvidiaProc,
  writePciFunction,
} from './sysroot-writer.js';
import {
  devPath,
  driverAvailable,
  driverOf,
  exists,
  hostPath,
  listDir,
  isPresent,
  pciChildren,
  pciDepth,
  physicallyPresent,
  specOf,
  type SimState,
} from './kernel-state.js';
import { pciClassProperties, type UdevProperty } from './udev-format.js';

const sysPath = (target: string): string => target.replace(/^\/sys/, '');

/** USEC_INITIALIZED of a device: when the sim added it, else early boot (coldplug). */
function initialized(s: SimState, devpath: string): UdevProperty {
  return ['USEC_INITIALIZED', String(s.initialized.get(devpath) ?? 5_123_456)];
}

function pciEvent(s: SimState, spec: PciFunctionSpec, action: string, driver?: string): void {
  const devpath = sysPath(devPath(s, spec.bdf));
  if (action === 'add') s.initialized.set(devpath, s.out.nowUsec());
  // The kernel part of the properties is exactly what the device's uevent attribute says.
  const kernelProps = pciUevent({ ...spec, driver }, driver !== undefined)
    .trim()
    .split('\n')
    .map((l): UdevProperty => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
  const [drv, rest] =
    driver === undefined ? [[], kernelProps] : [kernelProps.slice(0, 1), kernelProps.slice(1)];
  const vendor = s.names.vendor(spec.vendor);
  const model = s.names.device(spec.vendor, spec.device);
  s.out.udev({
    action,
    devpath,
    subsystem: 'pci',
    properties: [
      ...drv,
      ['SEQNUM', String(s.out.nextSeqnum())],
      initialized(s, devpath),
      ...rest,
      ...pciClassProperties(spec.classCode),
      ...(vendor === undefined ? [] : [['ID_VENDOR_FROM_DATABASE', vendor] as const]),
      ...(model === undefined ? [] : [['ID_MODEL_FROM_DATABASE', model] as const]),
    ],
  });
}

function drmEvent(
  s: SimState,
  bdf: string,
  dir: string,
  name: string,
  action: string,
  extra: readonly UdevProperty[] = [],
): void {
  const devpath = sysPath(dir);
  if (action === 'add') s.initialized.set(devpath, s.out.nowUsec());
  const seq: UdevProperty = ['SEQNUM', String(s.out.nextSeqnum())];
  if (name.includes('-')) {
    s.out.udev({
      action,
      devpath,
      subsystem: 'drm',
      properties: [['DEVTYPE', 'drm_connector'], seq, initialized(s, devpath)],
    });
    return;
  }
  const card = name.startsWith('card');
  const minor = card ? name.slice(4) : name.slice(7);
  const tag = `pci-${bdf.replace(/[:.]/g, '_')}`;
  s.out.udev({
    action,
    devpath,
    subsystem: 'drm',
    properties: [
      ['DEVNAME', `/dev/dri/${name}`],
      ['DEVTYPE', 'drm_minor'],
      seq,
      initialized(s, devpath),
      ['ID_PATH', `pci-${bdf}`],
      ['ID_PATH_TAG', tag],
      ...(card ? [['ID_FOR_SEAT', `drm-${tag}`] as const] : []),
      ['MAJOR', '226'],
      ['MINOR', minor],
      ['DEVLINKS', `/dev/dri/by-path/pci-${bdf}-${card ? 'card' : 'render'}`],
      ['TAGS', card ? ':seat:uaccess:master-of-seat:' : ':uaccess:'],
      ['CURRENT_TAGS', card ? ':seat:uaccess:master-of-seat:' : ':uaccess:'],
      ...extra,
    ],
  });
}

/**
 * `echo remove > /sys/class/drm/cardN/uevent`: the kernel sends a synthetic event for the card
 * (SYNTH_UUID=0 when no UUID was given, lib/kobject_uevent.c) and changes nothing in sysfs.
 */
export function synthDrmEvent(s: SimState, card: string, action: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync(hostPath(s, `/sys/class/drm/${card}`));
  } catch {
    return false;
  }
  const target = real.slice(s.w.host('/').length - 1);
  const bdf = target.split('/').at(-3) ?? '';
  drmEvent(s, bdf, target, card, action, [['SYNTH_UUID', '0']]);
  return true;
}

/** The DRM minors under a device: cards with their connectors, then render nodes. */
function drmMinors(s: SimState, dev: string): { cards: string[]; renders: string[] } {
  const names = listDir(s, `${dev}/drm`);
  return {
    cards: names.filter((n) => /^card\d+$/.test(n)).sort(),
    renders: names.filter((n) => /^renderD\d+$/.test(n)).sort(),
  };
}

const listConnectors = (s: SimState, cardDir: string, card: string): string[] =>
  listDir(s, cardDir)
    .filter((n) => n.startsWith(`${card}-`))
    .sort();

/** Tears down what a bound driver created (DRM minors, /proc/driver/nvidia) and unbinds it. */
export function detachDriver(s: SimState, bdf: string): boolean {
  const spec = specOf(s, bdf);
  const dev = devPath(s, bdf);
  const driver = driverOf(s, bdf);
  if (spec === undefined || driver === null) return false;
  const { cards, renders } = drmMinors(s, dev);
  for (const card of cards) {
    const cardDir = `${dev}/drm/${card}`;
    for (const conn of listConnectors(s, cardDir, card)) {
      drmEvent(s, bdf, `${cardDir}/${conn}`, conn, 'remove');
      s.w.remove(`/sys/class/drm/${conn}`);
    }
    drmEvent(s, bdf, cardDir, card, 'remove');
  }
  for (const render of renders) drmEvent(s, bdf, `${dev}/drm/${render}`, render, 'remove');
  for (const name of [...cards, ...renders]) {
    const minor = name.startsWith('card') ? name.slice(4) : name.slice(7);
    s.w.remove(`/sys/class/drm/${name}`);
    s.w.remove(`/sys/dev/char/226:${minor}`);
    s.w.remove(`/dev/dri/${name}`);
  }
  s.w.remove(`${dev}/drm`);
  if (driver === 'amdgpu') s.out.kernel(`amdgpu ${bdf}: amdgpu: amdgpu: finishing device.`);
  if (driver === 'nvidia') s.w.remove(`/proc/driver/nvidia/gpus/${bdf}`);
  if (driver === 'nvme' && spec.storage !== undefined) {
    removeStorage(s.w, spec.storage);
    s.w.remove(`${dev}/nvme`);
  }
  s.w.remove(`${dev}/driver`);
  s.w.remove(`/sys/bus/pci/drivers/${driver}/${bdf}`);
  s.w.write(`${dev}/uevent`, pciUevent(spec, false));
  s.w.write(`${dev}/enable`, '0\n');
  releaseDeviceReferences(s, driver);
  pciEvent(s, spec, 'unbind');
  return true;
}

/**
 * The last device a driver drove is unbound: the references its devices held on the driver's
 * modules (open DRM devices, the device itself) go with it, and what remains is the modules
 * holding each other — one reference per holder — so `modprobe -r` of the family works, as on
 * a machine where nothing else uses the driver. Processes holding driver-wide nodes
 * (/dev/nvidiactl) are not modelled: the simulated kernel has no processes.
 */
function releaseDeviceReferences(s: SimState, driver: string): void {
  const bound = listDir(s, `/sys/bus/pci/drivers/${driver}`).filter((n) => /^[0-9a-f]{4}:/.test(n));
  if (bound.length > 0) return;
  const family = new Set<string>([driver]);
  for (const m of family) for (const h of listDir(s, `/sys/module/${m}/holders`)) family.add(h);
  for (const m of family) {
    if (!exists(s, `/sys/module/${m}/refcnt`)) continue;
    s.w.write(`/sys/module/${m}/refcnt`, `${listDir(s, `/sys/module/${m}/holders`).length}\n`);
  }
}

/** Binds `driver` to a present, unbound function: new DRM minors, then the pci bind event. */
export function attachDriver(s: SimState, bdf: string, driver: string): boolean {
  const spec = specOf(s, bdf);
  const dev = devPath(s, bdf);
  if (spec === undefined || spec.driver !== driver || !isPresent(s, bdf)) return false;
  if (driverOf(s, bdf) !== null) return false;
  bindDriver(s.w, s.scenario, spec);
  s.w.write(`${dev}/enable`, '1\n');
  if (spec.nvidiaMinor !== undefined && driver === 'nvidia') {
    writeNvidiaProc(s.w, bdf, spec.nvidiaMinor);
  }
  if (spec.drm) {
    const drm = {
      card: s.minors.card++,
      ...(spec.drm.render === undefined ? {} : { render: s.minors.render++ }),
      connectors: spec.drm.connectors ?? [],
    };
    writeDrm(s.w, dev, drm);
    // drm_dev_register(): the render minor, then the primary (card), then the connectors.
    if (drm.render !== undefined) {
      drmEvent(s, bdf, `${dev}/drm/renderD${drm.render}`, `renderD${drm.render}`, 'add');
    }
    const card = `card${drm.card}`;
    drmEvent(s, bdf, `${dev}/drm/${card}`, card, 'add');
    for (const conn of drm.connectors) {
      drmEvent(s, bdf, `${dev}/drm/${card}/${card}-${conn}`, `${card}-${conn}`, 'add');
    }
  }
  pciEvent(s, spec, 'bind', driver);
  return true;
}

/** Hot-removes a function and everything below it, children first (pci_stop_and_remove…). */
export function removeSubtree(s: SimState, bdf: string): void {
  const spec = specOf(s, bdf);
  if (spec === undefined || !isPresent(s, bdf)) return;
  for (const child of pciChildren(s, bdf)) removeSubtree(s, child.bdf);
  detachDriver(s, bdf);
  pciEvent(s, spec, 'remove');
  s.initialized.delete(sysPath(devPath(s, bdf)));
  s.w.remove(devPath(s, bdf));
  s.w.remove(`/sys/bus/pci/devices/${bdf}`);
}

/** Enumerates one function as a (re)scan or a hot-plug does, and probes its driver. */
function addFunction(s: SimState, spec: PciFunctionSpec): boolean {
  const id = `${spec.vendor.toString(16).padStart(4, '0')}:${spec.device.toString(16).padStart(4, '0')}`;
  if (s.fallen.has(spec.bdf)) {
    // Config space reads all ones: the header type is 0x7f (drivers/pci/probe.c).
    s.out.kernel(`pci ${spec.bdf}: unknown header type 7f, ignoring device`);
    return false;
  }
  const type = spec.classCode >> 8 === 0x0604 ? '01' : '00';
  const cls = `0x${spec.classCode.toString(16).padStart(6, '0')}`;
  s.out.kernel(`pci ${spec.bdf}: [${id}] type ${type} class ${cls}`);
  const { driver: _driver, drm: _drm, nvidiaMinor: _minor, ...bare } = spec;
  writePciFunction(s.w, s.scenario, bare);
  pciEvent(s, spec, 'add');
  if (spec.driver !== undefined) {
    if (driverAvailable(s, spec.driver)) attachDriver(s, spec.bdf, spec.driver);
    else s.autoload(spec.driver);
  }
  return true;
}

/**
 * Adds every function that is physically there but missing from sysfs, parents first; with a
 * filter, only those (a Thunderbolt tunnel coming up adds just its enclosure).
 */
export function addMissing(s: SimState, only?: (spec: PciFunctionSpec) => boolean): number {
  const missing = s.scenario.pci
    .filter((p) => (only === undefined || only(p)) && !isPresent(s, p.bdf))
    .sort(
      (a, b) =>
        pciDepth(s.scenario, a.bdf) - pciDepth(s.scenario, b.bdf) || a.bdf.localeCompare(b.bdf),
    );
  let added = 0;
  for (const spec of missing) {
    if (spec.parent !== null && !isPresent(s, spec.parent)) continue;
    if (!physicallyPresent(s, spec.bdf)) continue;
    if (addFunction(s, spec)) added++;
  }
  return added;
}
