// The largest scenario: a workstation with an internal GPU, two Thunderbolt domains, a dock plus
// an eGPU daisy-chained behind it on one domain, an eGPU on the other, and a
// bank of NVMe drives behind PCIe switches. It sizes `egpu status` and client scans in benchmarks.

import { CLASS, type PciFunctionSpec, type Scenario } from '../scenario.js';
import {
  GEN3,
  GEN4,
  PCI_IDS_COMMON,
  enclosure,
  fn,
  hostBridge,
  link,
  port,
  tigerLakeDomain,
  tigerLakeHostRouter,
} from './parts.js';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function nvmeBank(): PciFunctionSpec[] {
  const out: PciFunctionSpec[] = [];
  // Four switches, each with 24 downstream ports and one drive per port: 200 functions in all.
  for (let s = 0; s < 4; s++) {
    const rp = `0000:00:1${s}.0`;
    const upBus = 0x80 + s * 0x1a;
    const up = `0000:${hex2(upBus)}:00.0`;
    out.push(port(rp, null, 0x8086, 0x2030 + s, { link: link(GEN4, 16) }));
    out.push(port(up, rp, 0x1000, 0xc010, { link: link(GEN4, 16) }));
    for (let d = 0; d < 24; d++) {
      const ds = `0000:${hex2(upBus + 1)}:${hex2(d)}.0`;
      const drive = `0000:${hex2(upBus + 2 + d)}:00.0`;
      out.push(port(ds, up, 0x1000, 0xc010, { link: link(GEN4, 4) }));
      out.push(fn(drive, ds, CLASS.nvme, 0x144d, 0xa80a, { driver: 'nvme', link: link(GEN4, 4) }));
    }
  }
  return out;
}

export const lab: Scenario = {
  name: 'lab',
  description:
    'Workstation: internal GPU, two Thunderbolt domains, three eGPUs, 200 NVMe functions',
  pci: [
    hostBridge('0000:00:00.0'),
    port('0000:00:01.0', null, 0x8086, 0x9a09, { link: link(GEN4, 16) }),
    fn('0000:01:00.0', '0000:00:01.0', CLASS.vga, 0x1002, 0x73ff, {
      driver: 'amdgpu',
      bootVga: true,
      drm: { card: 0, render: 128, connectors: ['DP-1'] },
      link: link(GEN4, 16),
    }),
    fn('0000:01:00.1', '0000:00:01.0', CLASS.audio, 0x1002, 0xab28, { driver: 'snd_hda_intel' }),
    ...nvmeBank(),
    // Domain 0: integrated Thunderbolt 4, RTX 4090 enclosure.
    fn('0000:00:0d.2', null, CLASS.usb4, 0x8086, 0x9a1b, { driver: 'thunderbolt' }),
    port('0000:00:07.0', null, 0x8086, 0x9a23, { slot: '3', link: link(GEN3, 4) }),
    ...enclosure(
      [
        port('0000:20:00.0', '0000:00:07.0', 0x8086, 0x15ef, { link: link(GEN3, 4) }),
        port('0000:21:01.0', '0000:20:00.0', 0x8086, 0x15ef, { link: link(GEN3, 4) }),
        fn('0000:22:00.0', '0000:21:01.0', CLASS.vga, 0x10de, 0x2684, {
          driver: 'nvidia',
          drm: { card: 1, render: 129 },
          link: link(GEN3, 4, GEN4, 16),
          nvidiaMinor: 0,
        }),
        fn('0000:22:00.1', '0000:21:01.0', CLASS.audio, 0x10de, 0x22ba, {
          driver: 'snd_hda_intel',
        }),
      ],
      true,
    ),
    // Domain 1: add-in Titan Ridge card, a dock with an RX 6800 enclosure chained behind it.
    port('0000:00:1c.0', null, 0x8086, 0xa0b0, { link: link(GEN3, 4) }),
    port('0000:40:00.0', '0000:00:1c.0', 0x8086, 0x15e7, { link: link(GEN3, 4) }),
    port('0000:41:00.0', '0000:40:00.0', 0x8086, 0x15e7),
    port('0000:41:01.0', '0000:40:00.0', 0x8086, 0x15e7, { slot: '5', link: link(GEN3, 4) }),
    fn('0000:42:00.0', '0000:41:00.0', CLASS.thunderboltNhi, 0x8086, 0x15e8, {
      driver: 'thunderbolt',
    }),
    // The dock's own Titan Ridge switch: the chained enclosure's tunnel runs through it.
    port('0000:43:00.0', '0000:41:01.0', 0x8086, 0x15e7, { link: link(GEN3, 4) }),
    port('0000:44:01.0', '0000:43:00.0', 0x8086, 0x15e7, { link: link(GEN3, 4) }),
    ...enclosure(
      [
        port('0000:45:00.0', '0000:44:01.0', 0x8086, 0x15d3, { link: link(GEN3, 4) }),
        port('0000:46:01.0', '0000:45:00.0', 0x8086, 0x15d3, { link: link(GEN3, 4) }),
        port('0000:47:00.0', '0000:46:01.0', 0x1002, 0x1478, { link: link(GEN3, 4, GEN4, 16) }),
        port('0000:48:00.0', '0000:47:00.0', 0x1002, 0x1479, { link: link(GEN4, 16) }),
        fn('0000:49:00.0', '0000:48:00.0', CLASS.vga, 0x1002, 0x73bf, {
          driver: 'amdgpu',
          drm: { card: 2, render: 130 },
          link: link(GEN4, 16),
        }),
        fn('0000:49:00.1', '0000:48:00.0', CLASS.audio, 0x1002, 0xab28, {
          driver: 'snd_hda_intel',
        }),
      ],
      true,
    ),
  ],
  thunderbolt: {
    domains: [
      tigerLakeDomain(),
      { name: 'domain1', nhi: '0000:42:00.0', security: 'secure', deauthorization: 0 },
    ],
    routers: [
      tigerLakeHostRouter('00000000-0000-0000-0000-0000000000b0'),
      {
        id: '0-1',
        domain: 'domain0',
        parent: '0-0',
        vendor: 0x1458,
        vendorName: 'GIGABYTE',
        device: 0x4090,
        deviceName: 'AORUS RTX 4090 GAMING BOX',
        authorized: 1,
        uniqueId: 'b5010000-0000-8a08-a23d-11c2b5f1e0d3',
        generation: 3,
      },
      {
        id: '1-0',
        domain: 'domain1',
        vendor: 0x8086,
        vendorName: 'Intel',
        device: 0x15e7,
        deviceName: 'Titan Ridge',
        authorized: 1,
        uniqueId: '00000000-0000-0000-0000-0000000000b1',
        generation: 3,
      },
      {
        id: '1-1',
        domain: 'domain1',
        parent: '1-0',
        vendor: 0xd4,
        vendorName: 'Dell',
        device: 0xb0a,
        deviceName: 'WD19TB',
        authorized: 1,
        uniqueId: 'd4010000-0000-0000-0000-0000000000c1',
        generation: 3,
      },
      {
        id: '1-301',
        domain: 'domain1',
        parent: '1-1',
        vendor: 0x27,
        vendorName: 'Razer',
        device: 0x9,
        deviceName: 'Core X Chroma',
        authorized: 2,
        uniqueId: 'c4010000-0070-640e-0314-3f4d22bb0a18',
        generation: 3,
      },
    ],
  },
  modules: [
    { name: 'amdgpu', refcnt: 60 },
    { name: 'nvidia', refcnt: 80, holders: ['nvidia_uvm', 'nvidia_modeset'] },
    { name: 'nvidia_modeset', refcnt: 2, holders: ['nvidia_drm'] },
    { name: 'nvidia_drm', refcnt: 3 },
    { name: 'nvidia_uvm', refcnt: 0 },
    { name: 'thunderbolt', refcnt: 0 },
  ],
  users: [{ name: 'frank', uid: 1000 }],
  pciIds: PCI_IDS_COMMON,
};
