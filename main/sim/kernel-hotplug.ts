// Cables and tunnels in the simulated kernel: plugging and yanking an enclosure, Thunderbolt
// (de)authorization, and a GPU falling off the bus. The kernel lines are the real texts
// (NVRM: NVIDIA open-gpu-kernel-modules kernel_rc.c and osinit.c; amdgpu: the kernel's
// drivers/gpu/drm/amd/amdgpu/amdgpu_device.c; pciehp and thunderbolt: drivers/pci/hotplug/
// pciehp_ctrl.c and drivers/thunderbolt/switch.c).

import type { TbRouterSpec } from './scenario.js';
import { tbRouterPath, writeTbRouter } from './sysroot-writer.js';
import { addMissing, removeSubtree } from './kernel-pci.js';
import {
  devPath,
  driverOf,
  exists,
  isPresent,
  routerAuthorized,
  type Enclosure,
  type SimState,
} from './kernel-state.js';
import type { UdevProperty } from './udev-format.js';

const isDisplay = (classCode: number): boolean => classCode >> 16 === 0x03;

function routerEvent(
  s: SimState,
  r: TbRouterSpec,
  action: string,
  extra: UdevProperty[] = [],
): void {
  const devpath = tbRouterPath(s.scenario, r).replace(/^\/sys/, '');
  if (action === 'add') s.initialized.set(devpath, s.out.nowUsec());
  s.out.udev({
    action,
    devpath,
    subsystem: 'thunderbolt',
    properties: [
      ['DEVTYPE', 'thunderbolt_device'],
      ['USB4_TYPE', r.usb4Type ?? (r.parent === undefined ? 'host' : 'device')],
      ...(r.generation >= 4 ? [['USB4_VERSION', '1.0'] as const] : []),
      ...extra,
      ['SEQNUM', String(s.out.nextSeqnum())],
      ['USEC_INITIALIZED', String(s.initialized.get(devpath) ?? 5_234_567)],
      ['TAGS', ':systemd:'],
      ['CURRENT_TAGS', ':systemd:'],
      ['SYSTEMD_WANTS', 'bolt.service'],
    ],
  });
}

/**
 * NVRM's Xid 79 pair for an NVIDIA GPU whose driver is still bound (open-gpu-kernel-modules
 * src/nvidia/arch/nvalloc/unix/src/osinit.c, osHandleGpuLost).
 */
function nvidiaFellOff(s: SimState, bdf: string): void {
  s.out.kernel(
    `NVRM: Xid (PCI:${bdf.slice(0, 10)}): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.`,
  );
  s.out.kernel(`NVRM: GPU ${bdf}: GPU has fallen off the bus.`);
}

function pciehp(s: SimState, e: Enclosure, ...events: string[]): void {
  if (e.port === undefined) return;
  for (const ev of events) {
    s.out.kernel(`pcieport ${e.port.bdf}: pciehp: Slot(${e.port.slot ?? '0'}): ${ev}`);
  }
}

/** The link to the enclosure came up: pciehp announces it and the functions enumerate. */
function linkUp(s: SimState, e: Enclosure): void {
  pciehp(s, e, 'Card present', 'Link Up');
  const members = new Set(e.functions.map((f) => f.bdf));
  addMissing(s, (p) => members.has(p.bdf));
}

/** The link went away: pciehp says so and removes the functions, children first. */
function linkDown(s: SimState, e: Enclosure): void {
  pciehp(s, e, 'Link Down', 'Card not present');
  removeSubtree(s, e.top);
}

/** A write to a router's `authorized` (helper `tb-authorize`/`tb-deauthorize`). */
export function setAuthorized(s: SimState, routerId: string, value: number): void {
  const r = s.scenario.thunderbolt.routers.find((x) => x.id === routerId);
  if (r === undefined || !exists(s, tbRouterPath(s.scenario, r))) return;
  const on = value >= 1;
  // tb_switch_set_authorized() refuses a no-op write with EINVAL: nothing changes, no event.
  if (on === routerAuthorized(s, r)) return;
  s.writeAttribute(`${tbRouterPath(s.scenario, r)}/authorized`, `${on ? 1 : 0}\n`);
  routerEvent(s, r, 'change', [['AUTHORIZED', on ? '1' : '0']]);
  const e = s.enclosures.find((x) => x.router?.id === r.id);
  if (e === undefined) return;
  // Authorizing creates the PCIe tunnel; de-authorizing tears it down like a hot-remove.
  if (on) linkUp(s, e);
  else linkDown(s, e);
}

/** Picks an enclosure by top BDF or router id, else the first in the wanted plug state. */
export function pickEnclosure(
  s: SimState,
  which: string | undefined,
  plugged: boolean,
): Enclosure | undefined {
  if (which !== undefined)
    return s.enclosures.find((e) => e.top === which || e.router?.id === which);
  return s.enclosures.find((e) => s.plugged.has(e.top) === plugged);
}

/** Cable in. Returns false when that enclosure was already plugged (or there is none). */
export function plug(s: SimState, which?: string): boolean {
  const e = pickEnclosure(s, which, false);
  if (e === undefined || s.plugged.has(e.top)) return false;
  s.plugged.add(e.top);
  for (const f of e.functions) s.fallen.delete(f.bdf);
  const r = e.router;
  if (r === undefined) {
    linkUp(s, e);
    return true;
  }
  // With security "none" the kernel authorizes at once; otherwise the router waits (bolt or the
  // helper's tb-authorize), as Documentation/admin-guide/thunderbolt.rst describes.
  const authorized = e.domain?.security === 'none' ? 1 : 0;
  writeTbRouter(s.w, s.scenario, { ...r, authorized });
  s.out.kernel(
    `thunderbolt ${r.id}: new device found, vendor=0x${r.vendor.toString(16)} device=0x${r.device.toString(16)}`,
  );
  s.out.kernel(`thunderbolt ${r.id}: ${r.vendorName} ${r.deviceName}`);
  routerEvent(s, r, 'add');
  if (authorized === 1) linkUp(s, e);
  return true;
}

/** Cable yanked with everything still running. Returns false when nothing was plugged. */
export function unplug(s: SimState, which?: string): boolean {
  const e = pickEnclosure(s, which, true);
  if (e === undefined || !s.plugged.has(e.top)) return false;
  pciehp(s, e, 'Link Down', 'Card not present');
  for (const f of e.functions) {
    if (isDisplay(f.classCode) && isPresent(s, f.bdf) && driverOf(s, f.bdf) === 'nvidia') {
      nvidiaFellOff(s, f.bdf);
    }
  }
  const r = e.router;
  const routerDir = r === undefined ? undefined : tbRouterPath(s.scenario, r);
  if (r !== undefined && routerDir !== undefined && exists(s, routerDir)) {
    s.out.kernel(`thunderbolt ${r.id}: device disconnected`);
  }
  removeSubtree(s, e.top);
  if (r !== undefined && routerDir !== undefined && exists(s, routerDir)) {
    routerEvent(s, r, 'remove');
    s.w.remove(routerDir);
    s.w.remove(`/sys/bus/thunderbolt/devices/${r.id}`);
  }
  s.plugged.delete(e.top);
  return true;
}

/**
 * The GPU stops answering but stays in sysfs: config space reads all ones, the link attributes
 * read Unknown/0, the driver logs its loss. `bdf` defaults to the GPU functions of the first
 * plugged enclosure. Returns the functions that fell.
 */
export function fallOffBus(s: SimState, bdf?: string): string[] {
  const e = s.enclosures.find((x) => s.plugged.has(x.top));
  const gpuSlots = new Set(
    (e?.functions ?? []).filter((f) => isDisplay(f.classCode)).map((f) => f.bdf.slice(0, -2)),
  );
  const targets =
    bdf !== undefined
      ? [bdf]
      : (e?.functions ?? []).filter((f) => gpuSlots.has(f.bdf.slice(0, -2))).map((f) => f.bdf);
  const fell: string[] = [];
  for (const t of targets.filter((b) => isPresent(s, b))) {
    const dev = devPath(s, t);
    s.fallen.add(t);
    s.w.write(`${dev}/config`, Buffer.alloc(256, 0xff));
    const link: [string, string][] = [
      ['current_link_speed', 'Unknown'],
      ['current_link_width', '0'],
      ['max_link_speed', 'Unknown'],
      ['max_link_width', '0'],
    ];
    for (const [attr, value] of link) {
      if (exists(s, `${dev}/${attr}`)) s.w.write(`${dev}/${attr}`, `${value}\n`);
    }
    const spec = s.scenario.pci.find((p) => p.bdf === t);
    const driver = driverOf(s, t);
    if (spec !== undefined && isDisplay(spec.classCode)) {
      if (driver === 'nvidia') nvidiaFellOff(s, t);
      if (driver === 'amdgpu') s.out.kernel(`amdgpu ${t}: amdgpu: device lost from bus!`);
    }
    fell.push(t);
  }
  return fell;
}
