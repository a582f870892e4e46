// A Tiger Lake laptop with two external things at once: a CalDigit TS3 Plus Thunderbolt dock
// (Titan Ridge, with an NVMe drive and a USB controller behind its switch) on the CPU-integrated
// Thunderbolt 4 port, and an AMD RX 7900 XTX on an OCuLink adapter (M.2-to-OCuLink, port marked
// external) on a plain CPU root port of the same PCI root. Nothing tunnels the GPU: the dock's
// router must not be taken for its enclosure.

import { CLASS, type Scenario } from '../scenario.js';
import {
  GEN3,
  GEN4,
  PCI_IDS_COMMON,
  enclosure,
  fn,
  intelIgpu,
  laptopPlatform,
  link,
  port,
  tigerLakeDomain,
  tigerLakeHostRouter,
} from './parts.js';

export const oculinkTbDock: Scenario = {
  name: 'oculink-tb-dock',
  description: 'Intel laptop: AMD RX 7900 XTX over OCuLink + a Thunderbolt dock with an NVMe drive',
  pci: [
    ...laptopPlatform(),
    intelIgpu(),
    fn('0000:00:0d.2', null, CLASS.usb4, 0x8086, 0x9a1b, { driver: 'thunderbolt' }),
    port('0000:00:07.0', null, 0x8086, 0x9a23, { slot: '3', link: link(GEN3, 4) }),
    ...enclosure(
      [
        port('0000:20:00.0', '0000:00:07.0', 0x8086, 0x15e7, {
          link: link(GEN3, 4),
          router: '0-1',
        }),
        port('0000:21:01.0', '0000:20:00.0', 0x8086, 0x15e7, { link: link(GEN3, 4) }),
        port('0000:21:02.0', '0000:20:00.0', 0x8086, 0x15e7, { link: link(GEN3, 4) }),
        fn('0000:22:00.0', '0000:21:01.0', CLASS.nvme, 0x144d, 0xa80a, {
          driver: 'nvme',
          link: link(GEN3, 4),
          storage: {
            controller: 'nvme1',
            disk: 'nvme1n1',
            model: 'Samsung SSD 980 PRO 2TB',
            major: 259,
            minor: 4,
            partitions: [{ mount: '/home/carol/Media' }],
          },
        }),
        fn('0000:23:00.0', '0000:21:02.0', CLASS.usb, 0x8086, 0x15ec, { driver: 'xhci_hcd' }),
      ],
      true,
    ),
    port('0000:00:06.0', null, 0x8086, 0x9a09, { slot: '6', link: link(GEN4, 4) }),
    ...enclosure(
      [
        port('0000:30:00.0', '0000:00:06.0', 0x1002, 0x1478, {
          link: link(GEN4, 4, GEN4, 16),
          router: null,
        }),
        port('0000:31:00.0', '0000:30:00.0', 0x1002, 0x1479, { link: link(GEN4, 16) }),
        fn('0000:32:00.0', '0000:31:00.0', CLASS.vga, 0x1002, 0x744c, {
          driver: 'amdgpu',
          bootVga: false,
          drm: { card: 1, render: 129, connectors: ['DP-2', 'HDMI-A-2'] },
          link: link(GEN4, 16),
        }),
        fn('0000:32:00.1', '0000:31:00.0', CLASS.audio, 0x1002, 0xab30, {
          driver: 'snd_hda_intel',
        }),
      ],
      true,
    ),
  ],
  thunderbolt: {
    domains: [tigerLakeDomain()],
    routers: [
      tigerLakeHostRouter('00000000-0000-0000-0000-0000000000d0'),
      {
        id: '0-1',
        domain: 'domain0',
        parent: '0-0',
        vendor: 0x3d,
        vendorName: 'CalDigit, Inc.',
        device: 0x11,
        deviceName: 'TS3 Plus',
        authorized: 1,
        uniqueId: 'c5030000-0062-7c0e-a2e4-0cbd5c11f0b6',
        generation: 3,
      },
    ],
  },
  modules: [
    { name: 'i915', refcnt: 21 },
    { name: 'amdgpu', refcnt: 30 },
    { name: 'thunderbolt', refcnt: 0 },
  ],
  users: [{ name: 'carol', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
