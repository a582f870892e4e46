// Machines shaped after real PCI topologies that earlier versions misread: idle links that looked
// degraded, USB4 tunnel ports that pci.ids does not name, a GPU next to a Thunderbolt host
// interface that looked external. Not in SCENARIOS (the eject goldens and helper tests walk that
// list); scenarioByName finds them, and the tests that need them name them.

import { CLASS, type PciFunctionSpec, type Scenario } from '../scenario.js';
import { dgpuNvidiaEgpu } from './dgpu-nvidia-egpu.js';
import {
  GEN1,
  GEN3,
  GEN4,
  PCI_IDS_COMMON,
  enclosure,
  fn,
  hostBridge,
  link,
  port,
} from './parts.js';
import { tb3Nvidia } from './tb3-nvidia.js';

const patch = (
  s: Scenario,
  name: string,
  description: string,
  fnPatch: (p: PciFunctionSpec) => PciFunctionSpec,
): Scenario => ({ ...s, name, description, pci: s.pci.map(fnPatch) });

/**
 * The Tiger Lake laptop of dgpu-nvidia-egpu at rest: the RTX 4090 eGPU dropped its link to
 * 2.5 GT/s while both ends of the enclosure's links run at 8 GT/s, and the RTX 3060 dGPU, wired
 * x8 of its x16 to an x8 port on purpose, idles at 2.5 GT/s too. Nothing here is degraded.
 */
export const idleLinks: Scenario = patch(
  dgpuNvidiaEgpu,
  'idle-links',
  'Intel iGPU + NVIDIA dGPU (x8 of x16) + RTX 4090 eGPU over Thunderbolt 4, both GPUs idle at 2.5 GT/s',
  (p) =>
    p.bdf === '0000:2e:00.0'
      ? { ...p, link: link(GEN1, 4, GEN4, 16) }
      : p.bdf === '0000:01:00.0'
        ? { ...p, link: link(GEN1, 8, GEN4, 16) }
        : p,
);

/**
 * The RTX 3070 eGPU after a resume that failed: the PM core keeps the error
 * (power/runtime_status reads `error`), the device stays in D3cold, and its link attributes would
 * read 'Unknown' / 63.
 */
export const stuckD3cold: Scenario = patch(
  tb3Nvidia,
  'stuck-d3cold',
  'NVIDIA eGPU over Thunderbolt 3 stuck in D3cold after a failed resume (runtime PM error)',
  (p) =>
    p.bdf === '0000:0a:00.0'
      ? {
          ...p,
          runtimeStatus: 'error',
          powerState: 'D3cold',
          config: 'dead',
          link: { speed: 'Unknown', width: 63, maxSpeed: '16.0 GT/s PCIe', maxWidth: 16 },
        }
      : p,
);

/**
 * The RTX 3070 fell off the bus and reads as the kernel shows it then: config space all ones, so
 * current_link_speed 'Unknown' and current_link_width 63, while runtime PM still says active.
 */
export const fellOffBusAllOnes: Scenario = patch(
  tb3Nvidia,
  'fell-off-bus-all-ones',
  'NVIDIA eGPU over Thunderbolt 3 that fell off the bus (link reads Unknown / x63)',
  (p) =>
    p.bdf === '0000:0a:00.0' || p.bdf === '0000:0a:00.1'
      ? {
          ...p,
          config: 'dead',
          link: { speed: 'Unknown', width: 63, maxSpeed: '16.0 GT/s PCIe', maxWidth: 16 },
        }
      : p,
);

/**
 * Framework-13-style AMD Phoenix laptop: both USB4 host interfaces sit behind the APU's internal
 * bridge 00:08.3, the PCIe tunnels leave through the USB4 tunnel root ports 1022:14ef (00:03.1,
 * 00:04.1), which report a nominal 2.5 GT/s x1. The firmware marks nothing removable, the
 * enclosure is an ASMedia ASM2464PD USB4 board (1b21:2463) and this pci.ids names neither: the
 * tunnel port's ID is the only evidence that the RTX 4090 is external.
 */
export const usb4AmdAsmedia: Scenario = {
  name: 'usb4-amd-asmedia',
  description: 'AMD Phoenix laptop + RTX 4090 in an ASM2464PD USB4 enclosure, no removable marks',
  pci: [
    hostBridge('0000:00:00.0', 0x1022, 0x14e8),
    port('0000:00:08.1', null, 0x1022, 0x14eb),
    fn('0000:c1:00.0', '0000:00:08.1', CLASS.vga, 0x1002, 0x15bf, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['eDP-1'] },
      link: link(GEN4, 16),
    }),
    port('0000:00:08.3', null, 0x1022, 0x14eb),
    fn('0000:c3:00.5', '0000:00:08.3', CLASS.usb4, 0x1022, 0x1668, { driver: 'thunderbolt' }),
    fn('0000:c3:00.6', '0000:00:08.3', CLASS.usb4, 0x1022, 0x1669, { driver: 'thunderbolt' }),
    port('0000:00:03.1', null, 0x1022, 0x14ef, { slot: '0', link: link(GEN1, 1) }),
    port('0000:00:04.1', null, 0x1022, 0x14ef, { slot: '1', link: link(GEN1, 1) }),
    ...enclosure(
      [
        port('0000:62:00.0', '0000:00:03.1', 0x1b21, 0x2463, { link: link(GEN4, 4) }),
        port('0000:63:00.0', '0000:62:00.0', 0x1b21, 0x2463, { link: link(GEN4, 4) }),
        fn('0000:64:00.0', '0000:63:00.0', CLASS.vga, 0x10de, 0x2684, {
          driver: 'nvidia',
          bootVga: false,
          drm: { card: 1, render: 129, connectors: ['DP-2', 'HDMI-A-1'] },
          link: link(GEN4, 4, GEN4, 16),
          nvidiaMinor: 0,
        }),
        fn('0000:64:00.1', '0000:63:00.0', CLASS.audio, 0x10de, 0x22ba, {
          driver: 'snd_hda_intel',
        }),
      ],
      false,
    ),
  ],
  thunderbolt: {
    domains: [
      { name: 'domain0', nhi: '0000:c3:00.5', security: 'user', deauthorization: 1 },
      { name: 'domain1', nhi: '0000:c3:00.6', security: 'user', deauthorization: 1 },
    ],
    routers: [
      {
        id: '0-0',
        domain: 'domain0',
        vendor: 0x1022,
        vendorName: 'AMD',
        device: 0x1668,
        deviceName: 'Phoenix USB4',
        authorized: 1,
        uniqueId: '1c2a0000-0000-0000-0000-0000000000c5',
        generation: 4,
        usb4Type: 'host',
      },
      {
        id: '1-0',
        domain: 'domain1',
        vendor: 0x1022,
        vendorName: 'AMD',
        device: 0x1669,
        deviceName: 'Phoenix USB4',
        authorized: 1,
        uniqueId: '1c2a0000-0000-0000-0000-0000000000c6',
        generation: 4,
        usb4Type: 'host',
      },
      {
        id: '0-1',
        domain: 'domain0',
        parent: '0-0',
        vendor: 0x174c,
        vendorName: 'ASMedia',
        device: 0x2463,
        deviceName: 'ASM2464PD USB4 eGPU dock',
        authorized: 1,
        uniqueId: 'e1a40000-0000-0000-0000-00000000b8f0',
        generation: 4,
        usb4Type: 'device',
      },
    ],
  },
  modules: [
    { name: 'amdgpu', refcnt: 30 },
    { name: 'nvidia', refcnt: 60, holders: ['nvidia_modeset'] },
    { name: 'nvidia_modeset', refcnt: 1, holders: ['nvidia_drm'] },
    { name: 'nvidia_drm', refcnt: 2 },
    { name: 'thunderbolt', refcnt: 0 },
  ],
  users: [{ name: 'erin', uid: 1000 }],
  // A pci.ids from before these devices were named: no 14ef, no ASMedia USB4 bridge.
  pciIds: PCI_IDS_COMMON.replace(/\n\t14ef {2}[^\n]*/, ''),
};

/**
 * AM5 desktop whose chipset switch (Promontory 21, 1022:43f4/43f5) carries both a second GPU in a
 * chipset slot and an on-board Maple Ridge Thunderbolt 4 controller (8086:1136, NHI 8086:1137):
 * the GPU and the host interface share the chipset's bridges, yet nothing tunnels the GPU. It is
 * internal; nothing is plugged into the Thunderbolt ports.
 */
export const desktopChipsetTb: Scenario = {
  name: 'desktop-chipset-tb',
  description: 'AMD desktop: a GPU in a chipset slot beside an on-board Thunderbolt 4 controller',
  pci: [
    hostBridge('0000:00:00.0', 0x1022, 0x14d8),
    port('0000:00:01.1', null, 0x1022, 0x14db, { link: link(GEN4, 16) }),
    fn('0000:01:00.0', '0000:00:01.1', CLASS.vga, 0x1002, 0x744c, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['DP-1', 'HDMI-A-1'] },
      link: link(GEN4, 16),
    }),
    port('0000:00:02.1', null, 0x1022, 0x14db, { link: link(GEN4, 4) }),
    port('0000:02:00.0', '0000:00:02.1', 0x1022, 0x43f4, { link: link(GEN4, 4) }),
    port('0000:03:00.0', '0000:02:00.0', 0x1022, 0x43f5, { link: link(GEN4, 4) }),
    port('0000:03:08.0', '0000:02:00.0', 0x1022, 0x43f5, { link: link(GEN3, 4) }),
    fn('0000:04:00.0', '0000:03:00.0', CLASS.vga, 0x1002, 0x73ff, {
      driver: 'amdgpu',
      bootVga: false,
      drm: { card: 1, render: 129, connectors: ['DP-2'] },
      link: link(GEN4, 4, GEN4, 8),
    }),
    port('0000:05:00.0', '0000:03:08.0', 0x8086, 0x1136, { link: link(GEN3, 4) }),
    port('0000:06:00.0', '0000:05:00.0', 0x8086, 0x1136),
    port('0000:06:01.0', '0000:05:00.0', 0x8086, 0x1136, { slot: '2' }),
    port('0000:06:02.0', '0000:05:00.0', 0x8086, 0x1136),
    port('0000:06:03.0', '0000:05:00.0', 0x8086, 0x1136, { slot: '3' }),
    fn('0000:07:00.0', '0000:06:00.0', CLASS.usb4, 0x8086, 0x1137, { driver: 'thunderbolt' }),
    fn('0000:08:00.0', '0000:06:02.0', CLASS.usb, 0x8086, 0x1138, { driver: 'xhci_hcd' }),
  ],
  thunderbolt: {
    domains: [{ name: 'domain0', nhi: '0000:07:00.0', security: 'user', deauthorization: 1 }],
    routers: [
      {
        id: '0-0',
        domain: 'domain0',
        vendor: 0x8086,
        vendorName: 'Intel',
        device: 0x1137,
        deviceName: 'Maple Ridge 4C',
        authorized: 1,
        uniqueId: 'd7020000-0000-0000-0000-0000000000d7',
        generation: 4,
        usb4Type: 'host',
      },
    ],
  },
  modules: [
    { name: 'amdgpu', refcnt: 50 },
    { name: 'thunderbolt', refcnt: 0 },
  ],
  users: [{ name: 'frank', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};

/**
 * Mini PC with an M.2-to-OCuLink adapter built around an ASMedia ASM2824 Gen3 switch (1b21:2824):
 * the root port and the GPU both do 16 GT/s, but the switch in between tops out at 8 GT/s — a path
 * limited below both of its ends.
 */
export const oculinkGen3Switch: Scenario = {
  name: 'oculink-gen3-switch',
  description: 'Mini PC + RTX 3070 over OCuLink through a Gen3 switch on a Gen4 port',
  pci: [
    hostBridge('0000:00:00.0', 0x1022, 0x14e8),
    port('0000:00:08.1', null, 0x1022, 0x14eb),
    fn('0000:c5:00.0', '0000:00:08.1', CLASS.vga, 0x1002, 0x15bf, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['HDMI-A-1'] },
    }),
    port('0000:00:02.2', null, 0x1022, 0x14ee, { slot: '2', link: link(GEN3, 4, GEN4, 4) }),
    ...enclosure(
      [
        port('0000:01:00.0', '0000:00:02.2', 0x1b21, 0x2824, { link: link(GEN3, 4) }),
        port('0000:02:00.0', '0000:01:00.0', 0x1b21, 0x2824, { link: link(GEN3, 4) }),
        fn('0000:03:00.0', '0000:02:00.0', CLASS.vga, 0x10de, 0x2484, {
          driver: 'nvidia',
          bootVga: false,
          drm: { card: 1, render: 129, connectors: ['DP-1'] },
          link: link(GEN3, 4, GEN4, 16),
          nvidiaMinor: 0,
        }),
      ],
      true,
    ),
  ],
  thunderbolt: { domains: [], routers: [] },
  modules: [
    { name: 'amdgpu', refcnt: 20 },
    { name: 'nvidia', refcnt: 40, holders: ['nvidia_modeset'] },
    { name: 'nvidia_modeset', refcnt: 1, holders: ['nvidia_drm'] },
    { name: 'nvidia_drm', refcnt: 2 },
  ],
  users: [{ name: 'gina', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};

export const REAL_TOPOLOGIES: readonly Scenario[] = [
  idleLinks,
  stuckD3cold,
  fellOffBusAllOnes,
  usb4AmdAsmedia,
  desktopChipsetTb,
  oculinkGen3Switch,
];
