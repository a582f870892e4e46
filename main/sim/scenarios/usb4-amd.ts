// AMD laptop (Phoenix APU) with an AMD RX 6800 eGPU over USB4 in a Razer Core X Chroma. Both GPUs
// use amdgpu; the Navi card has its own internal upstream/downstream PCIe switch.

import { CLASS, type Scenario } from '../scenario.js';
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

export const usb4Amd: Scenario = {
  name: 'usb4-amd',
  description: 'AMD APU + AMD RX 6800 eGPU over USB4 (both amdgpu, Navi internal switch)',
  pci: [
    hostBridge('0000:00:00.0', 0x1022, 0x14e8),
    port('0000:00:08.1', null, 0x1022, 0x14eb),
    fn('0000:c4:00.0', '0000:00:08.1', CLASS.vga, 0x1002, 0x15bf, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['eDP-1', 'DP-1'] },
      link: link(GEN4, 16),
    }),
    fn('0000:c4:00.1', '0000:00:08.1', CLASS.audio, 0x1002, 0x1640, { driver: 'snd_hda_intel' }),
    port('0000:00:08.3', null, 0x1022, 0x14eb),
    fn('0000:c6:00.5', '0000:00:08.3', CLASS.usb4, 0x1022, 0x1668, { driver: 'thunderbolt' }),
    port('0000:00:03.1', null, 0x1022, 0x14ef, { slot: '0', link: link(GEN1, 1) }),
    ...enclosure(
      [
        port('0000:62:00.0', '0000:00:03.1', 0x8086, 0x15d3, { link: link(GEN3, 4) }),
        port('0000:63:01.0', '0000:62:00.0', 0x8086, 0x15d3, { link: link(GEN3, 4) }),
        port('0000:64:00.0', '0000:63:01.0', 0x1002, 0x1478, { link: link(GEN3, 4, GEN4, 16) }),
        port('0000:65:00.0', '0000:64:00.0', 0x1002, 0x1479, { link: link(GEN4, 16) }),
        fn('0000:66:00.0', '0000:65:00.0', CLASS.vga, 0x1002, 0x73bf, {
          driver: 'amdgpu',
          bootVga: false,
          drm: { card: 1, render: 129, connectors: ['DP-2', 'DP-3', 'HDMI-A-2'] },
          link: link(GEN4, 16),
          subsystemVendor: 0x1002,
          subsystemDevice: 0x0e3a,
        }),
        fn('0000:66:00.1', '0000:65:00.0', CLASS.audio, 0x1002, 0xab28, {
          driver: 'snd_hda_intel',
        }),
      ],
      true,
    ),
  ],
  thunderbolt: {
    domains: [
      {
        name: 'domain0',
        nhi: '0000:c6:00.5',
        security: 'user',
        deauthorization: 1,
        iommuDmaProtection: 1,
      },
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
        uniqueId: '1c2a0000-0000-0000-0000-000000000001',
        generation: 4,
        usb4Type: 'host',
      },
      {
        id: '0-1',
        domain: 'domain0',
        parent: '0-0',
        vendor: 0x27,
        vendorName: 'Razer',
        device: 0x9,
        deviceName: 'Core X Chroma',
        authorized: 1,
        uniqueId: 'c4010000-0070-640e-0314-3f4d22bb0a17',
        generation: 3,
      },
    ],
  },
  modules: [
    { name: 'amdgpu', refcnt: 45 },
    { name: 'thunderbolt', refcnt: 0 },
  ],
  users: [{ name: 'bob', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
