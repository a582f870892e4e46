// AMD APU mini PC with an NVIDIA RTX 3070 on an OCuLink dock that has no switch of its own: the
// GPU's display and HDMI audio functions sit directly behind the external-facing root port, so
// the topmost removable device is the GPU itself and a remove of it leaves its audio function.

import { CLASS, type Scenario } from '../scenario.js';
import { GEN4, PCI_IDS_COMMON, enclosure, fn, hostBridge, link, port } from './parts.js';

export const oculinkDirect: Scenario = {
  name: 'oculink-direct',
  description: 'AMD APU mini PC + NVIDIA RTX 3070 directly behind an OCuLink port',
  pci: [
    hostBridge('0000:00:00.0', 0x1022, 0x14e8),
    port('0000:00:08.1', null, 0x1022, 0x14eb),
    fn('0000:c5:00.0', '0000:00:08.1', CLASS.vga, 0x1002, 0x15bf, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['HDMI-A-1', 'DP-1'] },
    }),
    port('0000:00:01.1', null, 0x1022, 0x14ed, { slot: '1', link: link(GEN4, 4) }),
    ...enclosure(
      [
        fn('0000:01:00.0', '0000:00:01.1', CLASS.vga, 0x10de, 0x2484, {
          driver: 'nvidia',
          bootVga: false,
          drm: { card: 1, render: 129, connectors: ['DP-2', 'HDMI-A-2'] },
          link: link(GEN4, 4, GEN4, 16),
          nvidiaMinor: 0,
          subsystemVendor: 0x1458,
          subsystemDevice: 0x404c,
          router: null,
        }),
        fn('0000:01:00.1', '0000:00:01.1', CLASS.audio, 0x10de, 0x228b, {
          driver: 'snd_hda_intel',
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
  users: [{ name: 'dave', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
