// Optimus laptop (Intel iGPU + NVIDIA RTX 3060 Mobile dGPU) with an NVIDIA RTX 4090 eGPU on the
// CPU-integrated Thunderbolt 4 ports. Two NVIDIA GPUs share one driver, so module unloads are off.

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

export const dgpuNvidiaEgpu: Scenario = {
  name: 'dgpu-nvidia-egpu',
  description: 'Intel iGPU + NVIDIA dGPU laptop + NVIDIA RTX 4090 eGPU over Thunderbolt 4',
  pci: [
    ...laptopPlatform(),
    intelIgpu(),
    port('0000:00:01.0', null, 0x8086, 0x9a09, { link: link(GEN4, 8) }),
    fn('0000:01:00.0', '0000:00:01.0', CLASS.display3d, 0x10de, 0x2560, {
      driver: 'nvidia',
      drm: { card: 1, render: 129 },
      link: link(GEN4, 8, GEN4, 16),
      nvidiaMinor: 0,
    }),
    fn('0000:01:00.1', '0000:00:01.0', CLASS.audio, 0x10de, 0x228e, { driver: 'snd_hda_intel' }),
    fn('0000:00:0d.2', null, CLASS.usb4, 0x8086, 0x9a1b, { driver: 'thunderbolt' }),
    port('0000:00:07.0', null, 0x8086, 0x9a23, { slot: '3', link: link(GEN3, 4) }),
    ...enclosure(
      [
        port('0000:2c:00.0', '0000:00:07.0', 0x8086, 0x15ef, { link: link(GEN3, 4) }),
        port('0000:2d:01.0', '0000:2c:00.0', 0x8086, 0x15ef, { link: link(GEN3, 4) }),
        fn('0000:2e:00.0', '0000:2d:01.0', CLASS.vga, 0x10de, 0x2684, {
          driver: 'nvidia',
          bootVga: false,
          drm: { card: 2, render: 130, connectors: ['DP-3', 'HDMI-A-2'] },
          link: link(GEN3, 4, GEN4, 16),
          nvidiaMinor: 1,
        }),
        fn('0000:2e:00.1', '0000:2d:01.0', CLASS.audio, 0x10de, 0x22ba, {
          driver: 'snd_hda_intel',
        }),
      ],
      true,
    ),
  ],
  thunderbolt: {
    domains: [tigerLakeDomain()],
    routers: [
      tigerLakeHostRouter('00000000-0000-0000-0000-0000000000aa'),
      {
        id: '0-1',
        domain: 'domain0',
        parent: '0-0',
        vendor: 0x1458,
        vendorName: 'GIGABYTE',
        device: 0x4090,
        deviceName: 'AORUS RTX 4090 GAMING BOX',
        authorized: 1,
        uniqueId: 'b5010000-0000-8a08-a23d-11c2b5f1e0d2',
        generation: 3,
      },
    ],
  },
  modules: [
    { name: 'i915', refcnt: 30 },
    { name: 'nvidia', refcnt: 221, holders: ['nvidia_uvm', 'nvidia_modeset'] },
    { name: 'nvidia_modeset', refcnt: 3, holders: ['nvidia_drm'] },
    { name: 'nvidia_drm', refcnt: 8 },
    { name: 'nvidia_uvm', refcnt: 2 },
    { name: 'thunderbolt', refcnt: 0 },
  ],
  users: [{ name: 'carol', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
