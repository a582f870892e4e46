// Materializes a Scenario as a folder with the real sysfs shape: the /sys/devices/pci… hierarchy,
// relative symlinks from /sys/bus, /sys/class and /sys/dev/char, driver links, binary config
// space, DRM minors, Thunderbolt domains and routers, /sys/module, /proc/driver/nvidia and /dev
// placeholders. Simulation infrastructure (tests, demo): the only main/ code besides platform/
// allowed to write files, because it plays the kernel.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  PciFunctionSpec,
  Scenario,
  StorageSpec,
  TbDomainSpec,
  TbRouterSpec,
} from './scenario.js';

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
const hex6 = (n: number): string => `0x${n.toString(16).padStart(6, '0')}`;

export const isBridge = (spec: PciFunctionSpec): boolean => spec.classCode >> 8 === 0x0604;

/** Target path of a PCI function's sysfs dir, e.g. /sys/devices/pci0000:00/0000:00:07.0/0000:04:00.0 */
export function pciDevicePath(scenario: Scenario, bdf: string): string {
  const chain: string[] = [];
  let cur: PciFunctionSpec | undefined = scenario.pci.find((p) => p.bdf === bdf);
  if (cur === undefined) throw new Error(`no PCI function ${bdf} in scenario ${scenario.name}`);
  while (cur !== undefined) {
    chain.unshift(cur.bdf);
    const parent: string | null = cur.parent;
    cur = parent === null ? undefined : scenario.pci.find((p) => p.bdf === parent);
    if (parent !== null && cur === undefined) throw new Error(`missing parent ${parent}`);
  }
  const first = chain[0] ?? bdf;
  return `/sys/devices/pci${first.slice(0, 7)}/${chain.join('/')}`;
}

export function tbDomainPath(scenario: Scenario, domain: TbDomainSpec): string {
  return `${pciDevicePath(scenario, domain.nhi)}/${domain.name}`;
}

export function tbRouterPath(scenario: Scenario, router: TbRouterSpec): string {
  const domain = scenario.thunderbolt.domains.find((d) => d.name === router.domain);
  if (domain === undefined) throw new Error(`router ${router.id}: no domain ${router.domain}`);
  const chain: string[] = [];
  let cur: TbRouterSpec | undefined = router;
  while (cur !== undefined) {
    chain.unshift(cur.id);
    const parentId: string | undefined = cur.parent;
    cur =
      parentId === undefined
        ? undefined
        : scenario.thunderbolt.routers.find((r) => r.id === parentId);
  }
  return `${tbDomainPath(scenario, domain)}/${chain.join('/')}`;
}

/** Writes files and relative symlinks under one host folder. */
export class SysrootWriter {
  constructor(readonly dir: string) {}

  host(target: string): string {
    return path.join(this.dir, target);
  }

  write(target: string, content: string | Buffer): void {
    const p = this.host(target);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }

  mkdir(target: string): void {
    fs.mkdirSync(this.host(target), { recursive: true });
  }

  /** A relative symlink at `linkTarget` pointing to `to`, as sysfs makes them. */
  link(linkTarget: string, to: string): void {
    const p = this.host(linkTarget);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    try {
      fs.unlinkSync(p);
    } catch {
      // not there yet
    }
    fs.symlinkSync(path.relative(path.dirname(linkTarget), to), p);
  }

  remove(target: string): void {
    fs.rmSync(this.host(target), { recursive: true, force: true });
  }
}

export function configSpace(spec: PciFunctionSpec, multifunction: boolean): Buffer {
  const buf = Buffer.alloc(256, 0);
  if (spec.config === 'dead') return Buffer.alloc(256, 0xff);
  buf.writeUInt16LE(spec.vendor, 0);
  buf.writeUInt16LE(spec.device, 2);
  buf.writeUInt16LE(0x0407, 4); // I/O, memory, bus master
  buf.writeUInt16LE(0x0010, 6); // capabilities list
  buf.writeUInt8(spec.revision ?? 0xa1, 8);
  buf.writeUInt8(spec.classCode & 0xff, 9);
  buf.writeUInt8((spec.classCode >> 8) & 0xff, 10);
  buf.writeUInt8((spec.classCode >> 16) & 0xff, 11);
  buf.writeUInt8((isBridge(spec) ? 1 : 0) | (multifunction ? 0x80 : 0), 0x0e);
  if (!isBridge(spec)) {
    buf.writeUInt16LE(spec.subsystemVendor ?? spec.vendor, 0x2c);
    buf.writeUInt16LE(spec.subsystemDevice ?? 0, 0x2e);
  }
  return buf;
}

export function pciUevent(spec: PciFunctionSpec, withDriver: boolean): string {
  const sv = spec.subsystemVendor ?? spec.vendor;
  const sd = spec.subsystemDevice ?? 0;
  const up4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
  const lines = [
    ...(withDriver && spec.driver ? [`DRIVER=${spec.driver}`] : []),
    `PCI_CLASS=${spec.classCode.toString(16).toUpperCase()}`,
    `PCI_ID=${up4(spec.vendor)}:${up4(spec.device)}`,
    `PCI_SUBSYS_ID=${up4(sv)}:${up4(sd)}`,
    `PCI_SLOT_NAME=${spec.bdf}`,
    `MODALIAS=pci:v0000${up4(spec.vendor)}d0000${up4(spec.device)}sv0000${up4(sv)}sd0000${up4(sd)}bc${((spec.classCode >> 16) & 0xff).toString(16).toUpperCase().padStart(2, '0')}sc${((spec.classCode >> 8) & 0xff).toString(16).toUpperCase().padStart(2, '0')}i${(spec.classCode & 0xff).toString(16).toUpperCase().padStart(2, '0')}`,
  ];
  return lines.join('\n') + '\n';
}

export function writePciFunction(
  w: SysrootWriter,
  scenario: Scenario,
  spec: PciFunctionSpec,
): void {
  const dev = pciDevicePath(scenario, spec.bdf);
  const slotPrefix = spec.bdf.slice(0, -2);
  const multifunction = scenario.pci.filter((p) => p.bdf.startsWith(slotPrefix + '.')).length > 1;
  w.mkdir(dev);
  w.write(`${dev}/class`, hex6(spec.classCode) + '\n');
  w.write(`${dev}/vendor`, hex4(spec.vendor) + '\n');
  w.write(`${dev}/device`, hex4(spec.device) + '\n');
  w.write(`${dev}/subsystem_vendor`, hex4(spec.subsystemVendor ?? spec.vendor) + '\n');
  w.write(`${dev}/subsystem_device`, hex4(spec.subsystemDevice ?? 0) + '\n');
  w.write(`${dev}/revision`, `0x${(spec.revision ?? 0xa1).toString(16).padStart(2, '0')}\n`);
  w.write(`${dev}/uevent`, pciUevent(spec, true));
  w.write(`${dev}/config`, configSpace(spec, multifunction));
  w.write(`${dev}/enable`, spec.driver ? '1\n' : '0\n');
  w.write(`${dev}/driver_override`, '(null)\n');
  w.write(`${dev}/d3cold_allowed`, '1\n');
  w.write(
    `${dev}/power_state`,
    `${spec.powerState ?? (spec.runtimeStatus === 'suspended' ? 'D3cold' : 'D0')}\n`,
  );
  w.write(`${dev}/power/runtime_status`, `${spec.runtimeStatus ?? 'active'}\n`);
  w.write(`${dev}/power/control`, 'auto\n');
  w.write(`${dev}/remove`, '');
  w.write(`${dev}/rescan`, '');
  w.write(`${dev}/reset`, '');
  if (spec.removable) w.write(`${dev}/removable`, 'removable\n');
  if (spec.classCode >> 8 === 0x0300) w.write(`${dev}/boot_vga`, spec.bootVga ? '1\n' : '0\n');
  if (spec.link) {
    w.write(`${dev}/current_link_speed`, `${spec.link.speed}\n`);
    w.write(`${dev}/current_link_width`, `${spec.link.width}\n`);
    w.write(`${dev}/max_link_speed`, `${spec.link.maxSpeed}\n`);
    w.write(`${dev}/max_link_width`, `${spec.link.maxWidth}\n`);
  }
  if (isBridge(spec)) {
    const bus = spec.bdf.slice(0, 5) + childBus(scenario, spec);
    w.mkdir(`${dev}/pci_bus/${bus}`);
    w.write(`${dev}/pci_bus/${bus}/rescan`, '');
  }
  w.link(`/sys/bus/pci/devices/${spec.bdf}`, dev);
  w.link(`${dev}/subsystem`, '/sys/bus/pci');
  if (spec.driver) bindDriver(w, scenario, spec);
  if (spec.slot !== undefined) {
    const addr = `${spec.bdf.slice(0, 5)}${childBus(scenario, spec)}:00`;
    w.write(`/sys/bus/pci/slots/${spec.slot}/address`, `${addr}\n`);
  }
  if (spec.drm) writeDrm(w, dev, spec.drm);
  if (spec.nvidiaMinor !== undefined) {
    writeNvidiaProc(w, spec.bdf, spec.nvidiaMinor);
    w.write(`/dev/nvidia${spec.nvidiaMinor}`, '');
  }
}

/** /proc/driver/nvidia/gpus/<bdf>/information, which the NVIDIA driver keeps while it is bound. */
export function writeNvidiaProc(w: SysrootWriter, bdf: string, minor: number): void {
  w.write(
    `/proc/driver/nvidia/gpus/${bdf}/information`,
    [
      'Model: \t\t NVIDIA GeForce RTX (simulated)',
      'IRQ:   \t\t 180',
      'GPU UUID: \t GPU-00000000-0000-0000-0000-' + bdf.replace(/[:.]/g, '').padStart(12, '0'),
      'Video BIOS: \t 94.04.3a.00.48',
      'Bus Type: \t PCIe',
      'DMA Size: \t 47 bits',
      'DMA Mask: \t 0x7fffffffffff',
      `Bus Location: \t ${bdf}`,
      `Device Minor: \t ${minor}`,
      'GPU Excluded:\t No',
      '',
    ].join('\n'),
  );
}

/** The secondary bus number of a bridge: the bus of its first child, else the next free one. */
function childBus(scenario: Scenario, bridge: PciFunctionSpec): string {
  const child = scenario.pci.find((p) => p.parent === bridge.bdf);
  if (child) return child.bdf.slice(5, 7);
  const n = parseInt(bridge.bdf.slice(5, 7), 16) + 1;
  return n.toString(16).padStart(2, '0');
}

export function bindDriver(w: SysrootWriter, scenario: Scenario, spec: PciFunctionSpec): void {
  if (!spec.driver) return;
  const dev = pciDevicePath(scenario, spec.bdf);
  const drv = `/sys/bus/pci/drivers/${spec.driver}`;
  w.mkdir(drv);
  if (!fs.existsSync(w.host(`${drv}/bind`))) w.write(`${drv}/bind`, '');
  if (!fs.existsSync(w.host(`${drv}/unbind`))) w.write(`${drv}/unbind`, '');
  w.link(`${dev}/driver`, drv);
  w.link(`${drv}/${spec.bdf}`, dev);
  w.write(`${dev}/uevent`, pciUevent(spec, true));
  if (spec.storage !== undefined && spec.driver === 'nvme') writeStorage(w, dev, spec.storage);
}

const partName = (st: StorageSpec, i: number): string => `${st.disk}p${i + 1}`;

/**
 * What the nvme driver's probe creates (Documentation/ABI/stable/sysfs-block,
 * Documentation/ABI/testing/sysfs-class-nvme): the controller below the PCI function, its
 * namespace's block device with `device` pointing back at the controller, the partitions inside
 * the disk's folder, and the /sys/block, /sys/class/block and /sys/dev/block links.
 */
export function writeStorage(w: SysrootWriter, dev: string, st: StorageSpec): void {
  const ctrl = `${dev}/nvme/${st.controller}`;
  w.write(`${ctrl}/model`, `${st.model}\n`);
  w.write(`${ctrl}/transport`, 'pcie\n');
  w.link(`${ctrl}/device`, dev);
  w.link(`${ctrl}/subsystem`, '/sys/class/nvme');
  w.link(`/sys/class/nvme/${st.controller}`, ctrl);
  const disk = `${ctrl}/${st.disk}`;
  const blocks: [string, string, number][] = [[st.disk, disk, st.minor]];
  st.partitions.forEach((_p, i) =>
    blocks.push([partName(st, i), `${disk}/${partName(st, i)}`, st.minor + i + 1]),
  );
  for (const [name, dir, minor] of blocks) {
    w.write(`${dir}/dev`, `${st.major}:${minor}\n`);
    w.write(`${dir}/size`, '1953525168\n');
    w.write(`${dir}/uevent`, `MAJOR=${st.major}\nMINOR=${minor}\nDEVNAME=${name}\n`);
    if (dir !== disk) w.write(`${dir}/partition`, `${minor - st.minor}\n`);
    w.link(`${dir}/subsystem`, '/sys/class/block');
    w.link(`/sys/class/block/${name}`, dir);
    w.link(`/sys/dev/block/${st.major}:${minor}`, dir);
    w.write(`/dev/${name}`, '');
  }
  w.link(`${disk}/device`, ctrl);
  w.link(`/sys/block/${st.disk}`, disk);
}

/** What the nvme driver's remove takes away again (the mounts stay, as on a real machine). */
export function removeStorage(w: SysrootWriter, st: StorageSpec): void {
  const names = [st.disk, ...st.partitions.map((_p, i) => partName(st, i))];
  names.forEach((name, i) => {
    w.remove(`/sys/class/block/${name}`);
    w.remove(`/sys/dev/block/${st.major}:${st.minor + i}`);
    w.remove(`/dev/${name}`);
  });
  w.remove(`/sys/block/${st.disk}`);
  w.remove(`/sys/class/nvme/${st.controller}`);
}

/** /proc/self/mountinfo (proc(5)): the root file system, the storage mounts, the extra lines. */
export function mountinfo(scenario: Scenario): string {
  const lines = ['22 1 0:25 / / rw,relatime shared:1 - btrfs /dev/mapper/root rw'];
  let id = 40;
  for (const spec of scenario.pci) {
    const st = spec.storage;
    if (st === undefined) continue;
    st.partitions.forEach((p, i) => {
      if (p.mount === null) return;
      lines.push(
        `${id++} 22 ${st.major}:${st.minor + i + 1} / ${p.mount} rw,nosuid,nodev,relatime shared:${id} - ${p.fstype ?? 'ext4'} /dev/${partName(st, i)} rw`,
      );
    });
  }
  return [...lines, ...(scenario.mountinfo ?? [])].join('\n') + '\n';
}

export function writeDrm(
  w: SysrootWriter,
  dev: string,
  drm: NonNullable<PciFunctionSpec['drm']>,
): void {
  const minors: [string, number][] = [[`card${drm.card}`, drm.card]];
  if (drm.render !== undefined) minors.push([`renderD${drm.render}`, drm.render]);
  for (const [name, minor] of minors) {
    const dir = `${dev}/drm/${name}`;
    w.write(`${dir}/dev`, `226:${minor}\n`);
    w.write(`${dir}/uevent`, `MAJOR=226\nMINOR=${minor}\nDEVNAME=dri/${name}\nDEVTYPE=drm_minor\n`);
    w.link(`${dir}/device`, dev);
    w.link(`${dir}/subsystem`, '/sys/class/drm');
    w.link(`/sys/class/drm/${name}`, dir);
    w.link(`/sys/dev/char/226:${minor}`, dir);
    w.write(`/dev/dri/${name}`, '');
  }
  for (const conn of drm.connectors ?? []) {
    const dir = `${dev}/drm/card${drm.card}/card${drm.card}-${conn}`;
    w.write(`${dir}/status`, 'disconnected\n');
    w.write(`${dir}/enabled`, 'disabled\n');
    w.link(`/sys/class/drm/card${drm.card}-${conn}`, dir);
  }
}

export function writeTbDomain(w: SysrootWriter, scenario: Scenario, d: TbDomainSpec): void {
  const dir = tbDomainPath(scenario, d);
  w.write(`${dir}/security`, `${d.security}\n`);
  w.write(`${dir}/deauthorization`, `${d.deauthorization ?? 0}\n`);
  w.write(`${dir}/iommu_dma_protection`, `${d.iommuDmaProtection ?? 0}\n`);
  w.write(`${dir}/boot_acl`, ',,,,,,,,,,,,,,,\n');
  w.write(`${dir}/uevent`, 'DEVTYPE=thunderbolt_domain\n');
  w.link(`/sys/bus/thunderbolt/devices/${d.name}`, dir);
}

export function writeTbRouter(w: SysrootWriter, scenario: Scenario, r: TbRouterSpec): void {
  const dir = tbRouterPath(scenario, r);
  w.write(`${dir}/authorized`, `${r.authorized}\n`);
  w.write(`${dir}/vendor`, `0x${r.vendor.toString(16)}\n`);
  w.write(`${dir}/vendor_name`, `${r.vendorName}\n`);
  w.write(`${dir}/device`, `0x${r.device.toString(16)}\n`);
  w.write(`${dir}/device_name`, `${r.deviceName}\n`);
  w.write(`${dir}/unique_id`, `${r.uniqueId}\n`);
  w.write(`${dir}/generation`, `${r.generation}\n`);
  w.write(`${dir}/boot`, `${r.boot ?? 0}\n`);
  w.write(`${dir}/key`, '\n');
  w.write(
    `${dir}/uevent`,
    `DEVTYPE=thunderbolt_device\nUSB4_TYPE=${r.usb4Type ?? (r.parent ? 'device' : 'host')}\n`,
  );
  w.link(`/sys/bus/thunderbolt/devices/${r.id}`, dir);
}

export function writeModule(w: SysrootWriter, m: Scenario['modules'][number]): void {
  const dir = `/sys/module/${m.name}`;
  w.mkdir(dir);
  if (m.builtin) return;
  w.write(`${dir}/refcnt`, `${m.refcnt ?? 0}\n`);
  w.write(`${dir}/initstate`, 'live\n');
  w.mkdir(`${dir}/holders`);
  for (const h of m.holders ?? []) w.link(`${dir}/holders/${h}`, `/sys/module/${h}`);
}

/** Writes the whole scenario into `dir` (which should be empty). */
export function writeScenario(dir: string, scenario: Scenario): SysrootWriter {
  const w = new SysrootWriter(dir);
  for (const top of [
    '/sys/devices',
    '/sys/bus/pci/devices',
    '/sys/bus/pci/drivers',
    '/sys/class/drm',
    '/sys/dev/char',
    '/sys/module',
    '/sys/bus/thunderbolt/devices',
    '/sys/block',
    '/dev/dri',
    '/etc',
    '/run',
  ]) {
    w.mkdir(top);
  }
  w.write('/sys/bus/pci/rescan', '');
  for (const spec of scenario.pci) writePciFunction(w, scenario, spec);
  for (const d of scenario.thunderbolt.domains) writeTbDomain(w, scenario, d);
  for (const r of scenario.thunderbolt.routers) writeTbRouter(w, scenario, r);
  for (const m of scenario.modules) writeModule(w, m);
  const drivers = new Set(scenario.pci.map((p) => p.driver));
  if (drivers.has('nvidia')) {
    for (const n of ['nvidiactl', 'nvidia-modeset', 'nvidia-uvm', 'nvidia-uvm-tools'])
      w.write(`/dev/${n}`, '');
  }
  if (drivers.has('amdgpu')) w.write('/dev/kfd', '');
  const users = [{ name: 'root', uid: 0 }, ...(scenario.users ?? [])];
  w.write(
    '/etc/passwd',
    users
      .map((u) => `${u.name}:x:${u.uid}:${u.uid}:${u.name}:/home/${u.name}:/bin/bash`)
      .join('\n') + '\n',
  );
  if (scenario.pciIds) w.write('/usr/share/misc/pci.ids', scenario.pciIds);
  w.write('/proc/self/mountinfo', mountinfo(scenario));
  w.write('/proc/sys/kernel/osrelease', `${scenario.kernelRelease ?? '6.12.0-egpu-sim'}\n`);
  return w;
}
