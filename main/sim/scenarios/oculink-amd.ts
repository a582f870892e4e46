// Mini PC (AMD APU) with an RX 7900 XTX on an OCuLink dock. The firmware marks the port external,
// so the functions behind it carry `removable`; there is no Thunderbolt anywhere. The OCuLink cable
// trained at x2 although both ends do x4: a degraded link, as marginal cables cause (a lower
// speed alone would not be one: GPUs lower it when idle).

import { CLASS, type Scenario } from '../scenario.js';
import { GEN4, PCI_IDS_COMMON, enclosure, fn, hostBridge, link, port } from './parts.js';

export const oculinkAmd: Scenario = {
  name: 'oculink-amd',
  description: 'AMD APU mini PC + AMD RX 7900 XTX eGPU over OCuLink (no Thunderbolt)',
  pci: [
    hostBridge('0000:00:00.0', 0x1022, 0x14e8),
    port('0000:00:08.1', null, 0x1022, 0x14eb),
    fn('0000:c5:00.0', '0000:00:08.1', CLASS.vga, 0x1002, 0x15bf, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['HDMI-A-1', 'DP-1'] },
    }),
    port('0000:00:01.1', null, 0x1022, 0x14ed, { slot: '1', link: link(GEN4, 2, GEN4, 4) }),
    ...enclosure(
      [
        port('0000:01:00.0', '0000:00:01.1', 0x1002, 0x1478, { link: link(GEN4, 2, GEN4, 16) }),
        port('0000:02:00.0', '0000:01:00.0', 0x1002, 0x1479, { link: link(GEN4, 16) }),
        fn('0000:03:00.0', '0000:02:00.0', CLASS.vga, 0x1002, 0x744c, {
          driver: 'amdgpu',
          bootVga: false,
          drm: { card: 1, render: 129, connectors: ['DP-2', 'DP-3', 'HDMI-A-2'] },
          link: link(GEN4, 16),
        }),
        fn('0000:03:00.1', '0000:02:00.0', CLASS.audio, 0x1002, 0xab30, {
          driver: 'snd_hda_intel',
        }),
      ],
      true,
    ),
  ],
  thunderbolt: { domains: [], routers: [] },
  modules: [{ name: 'amdgpu', refcnt: 38 }],
  users: [{ name: 'dave', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
