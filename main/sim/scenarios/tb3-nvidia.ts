// Laptop with an Intel iGPU and a discrete Titan Ridge Thunderbolt 3 controller; an NVIDIA
// RTX 3070 in a Razer Core X (Alpine Ridge) enclosure, driven by the proprietary driver.

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
} from './parts.js';

export const tb3Nvidia: Scenario = {
  name: 'tb3-nvidia',
  description: 'Intel iGPU + NVIDIA RTX 3070 eGPU over Thunderbolt 3 (Razer Core X)',
  pci: [
    ...laptopPlatform(),
    intelIgpu(),
    port('0000:00:1c.4', null, 0x8086, 0xa0bc, { link: link(GEN3, 4) }),
    port('0000:05:00.0', '0000:00:1c.4', 0x8086, 0x15e7, { link: link(GEN3, 4) }),
    port('0000:06:00.0', '0000:05:00.0', 0x8086, 0x15e7),
    port('0000:06:01.0', '0000:05:00.0', 0x8086, 0x15e7, { slot: '1', link: link(GEN3, 4) }),
    port('0000:06:02.0', '0000:05:00.0', 0x8086, 0x15e7),
    fn('0000:07:00.0', '0000:06:00.0', CLASS.thunderboltNhi, 0x8086, 0x15e8, {
      driver: 'thunderbolt',
    }),
    fn('0000:3c:00.0', '0000:06:02.0', CLASS.usb, 0x8086, 0x15ec, { driver: 'xhci_hcd' }),
    ...enclosure(
      [
        port('0000:08:00.0', '0000:06:01.0', 0x8086, 0x15d3, { link: link(GEN3, 4) }),
        port('0000:09:01.0', '0000:08:00.0', 0x8086, 0x15d3, { link: link(GEN3, 4) }),
        fn('0000:0a:00.0', '0000:09:01.0', CLASS.vga, 0x10de, 0x2484, {
          driver: 'nvidia',
          bootVga: false,
          drm: { card: 1, render: 129, connectors: ['DP-1', 'DP-2', 'HDMI-A-1'] },
          link: link(GEN3, 4, GEN4, 16),
          nvidiaMinor: 0,
          subsystemVendor: 0x1458,
          subsystemDevice: 0x404c,
        }),
        fn('0000:0a:00.1', '0000:09:01.0', CLASS.audio, 0x10de, 0x228b, {
          driver: 'snd_hda_intel',
        }),
      ],
      true,
    ),
  ],
  thunderbolt: {
    domains: [{ name: 'domain0', nhi: '0000:07:00.0', security: 'user', deauthorization: 1 }],
    routers: [
      {
        id: '0-0',
        domain: 'domain0',
        vendor: 0xd4,
        vendorName: 'Dell',
        device: 0x87b,
        deviceName: 'XPS 15 9570',
        authorized: 1,
        uniqueId: 'd4030000-0080-7708-2327-1cbb20441113',
        generation: 3,
      },
      {
        id: '0-1',
        domain: 'domain0',
        parent: '0-0',
        vendor: 0x27,
        vendorName: 'Razer',
        device: 0x5,
        deviceName: 'Core X',
        authorized: 1,
        uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
        generation: 3,
      },
    ],
  },
  modules: [
    { name: 'i915', refcnt: 23 },
    { name: 'nvidia', refcnt: 112, holders: ['nvidia_uvm', 'nvidia_modeset'] },
    { name: 'nvidia_modeset', refcnt: 2, holders: ['nvidia_drm'] },
    { name: 'nvidia_drm', refcnt: 4 },
    { name: 'nvidia_uvm', refcnt: 0 },
    { name: 'thunderbolt', refcnt: 0 },
  ],
  users: [{ name: 'alice', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
