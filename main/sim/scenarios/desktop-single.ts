// A desktop with one internal graphics card and no eGPU: the tool must stay quiet and correct.

import { CLASS, type Scenario } from '../scenario.js';
import { GEN4, PCI_IDS_COMMON, fn, hostBridge, link, port } from './parts.js';

export const desktopSingle: Scenario = {
  name: 'desktop-single',
  description: 'Desktop with one internal AMD RX 6600, no eGPU',
  pci: [
    hostBridge('0000:00:00.0', 0x1022, 0x1480),
    port('0000:00:03.1', null, 0x1022, 0x1483, { link: link(GEN4, 16) }),
    fn('0000:0b:00.0', '0000:00:03.1', CLASS.vga, 0x1002, 0x73ff, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['DP-1', 'HDMI-A-1'] },
      link: link(GEN4, 8, GEN4, 8),
    }),
    fn('0000:0b:00.1', '0000:00:03.1', CLASS.audio, 0x1002, 0xab28, { driver: 'snd_hda_intel' }),
    port('0000:00:01.2', null, 0x1022, 0x1483, { link: link(GEN4, 4) }),
    fn('0000:01:00.0', '0000:00:01.2', CLASS.nvme, 0x144d, 0xa80a, {
      driver: 'nvme',
      link: link(GEN4, 4),
    }),
  ],
  thunderbolt: { domains: [], routers: [] },
  modules: [{ name: 'amdgpu', refcnt: 27 }],
  users: [{ name: 'erin', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
