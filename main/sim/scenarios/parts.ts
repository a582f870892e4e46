// Building blocks for scenarios: real vendor/device IDs and the shapes real machines have.

import {
  CLASS,
  type PciFunctionSpec,
  type PciLinkSpec,
  type TbDomainSpec,
  type TbRouterSpec,
} from '../scenario.js';

export const GEN3 = '8.0 GT/s PCIe';
export const GEN4 = '16.0 GT/s PCIe';
export const GEN1 = '2.5 GT/s PCIe';

export const link = (
  speed: string,
  width: number,
  maxSpeed = speed,
  maxWidth = width,
): PciLinkSpec => ({
  speed,
  width,
  maxSpeed,
  maxWidth,
});

type Extra = Partial<Omit<PciFunctionSpec, 'bdf' | 'parent'>>;

export const hostBridge = (bdf: string, vendor = 0x8086, device = 0x9a14): PciFunctionSpec => ({
  bdf,
  parent: null,
  classCode: CLASS.hostBridge,
  vendor,
  device,
});

export const port = (
  bdf: string,
  parent: string | null,
  vendor: number,
  device: number,
  extra: Extra = {},
): PciFunctionSpec => ({
  bdf,
  parent,
  classCode: CLASS.bridgePci,
  vendor,
  device,
  driver: 'pcieport',
  ...extra,
});

export const fn = (
  bdf: string,
  parent: string | null,
  classCode: number,
  vendor: number,
  device: number,
  extra: Extra = {},
): PciFunctionSpec => ({ bdf, parent, classCode, vendor, device, ...extra });

/** Marks every function in the list as part of the enclosure (and removable when asked). */
export const enclosure = (specs: PciFunctionSpec[], removable: boolean): PciFunctionSpec[] =>
  specs.map((s) => ({ ...s, enclosure: true, ...(removable ? { removable: true } : {}) }));

export const intelIgpu = (): PciFunctionSpec =>
  fn('0000:00:02.0', null, CLASS.vga, 0x8086, 0x9a49, {
    driver: 'i915',
    bootVga: true,
    drm: { card: 0, render: 128, connectors: ['eDP-1', 'DP-1', 'HDMI-A-1'] },
    subsystemVendor: 0x1028,
    subsystemDevice: 0x0a01,
  });

/** Filler: the ordinary devices every laptop has, so scans see realistic noise. */
export const laptopPlatform = (): PciFunctionSpec[] => [
  hostBridge('0000:00:00.0'),
  fn('0000:00:14.0', null, CLASS.usb, 0x8086, 0xa0ed, { driver: 'xhci_hcd' }),
  fn('0000:00:14.2', null, 0x050000, 0x8086, 0xa0ef),
  fn('0000:00:14.3', null, 0x028000, 0x8086, 0xa0f0, { driver: 'iwlwifi' }),
  fn('0000:00:15.0', null, 0x0c8000, 0x8086, 0xa0e8, { driver: 'intel-lpss' }),
  fn('0000:00:16.0', null, 0x078000, 0x8086, 0xa0e0, { driver: 'mei_me' }),
  fn('0000:00:1f.0', null, 0x060100, 0x8086, 0xa082),
  fn('0000:00:1f.3', null, CLASS.audio, 0x8086, 0xa0c8, { driver: 'snd_hda_intel' }),
  fn('0000:00:1f.4', null, 0x0c0500, 0x8086, 0xa0a3, { driver: 'i801_smbus' }),
  port('0000:00:1d.0', null, 0x8086, 0xa0b0, { link: link(GEN4, 4) }),
  fn('0000:02:00.0', '0000:00:1d.0', CLASS.nvme, 0x144d, 0xa80a, {
    driver: 'nvme',
    link: link(GEN4, 4),
  }),
];

export const PCI_IDS_COMMON = `# Excerpt of the PCI ID database (pci.ids, https://pci-ids.ucw.cz), enough for the scenarios
1002  Advanced Micro Devices, Inc. [AMD/ATI]
\t1478  Navi 10 XL Upstream Port of PCI Express Switch
\t1479  Navi 10 XL Downstream Port of PCI Express Switch
\t15bf  Phoenix1
\t73bf  Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]
\t73ff  Navi 23 [Radeon RX 6600/6600 XT/6600M]
\t744c  Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]
\tab28  Navi 21/23 HDMI/DP Audio Controller
\tab30  Navi 31 HDMI/DP Audio
10de  NVIDIA Corporation
\t2484  GA104 [GeForce RTX 3070]
\t228b  GA104 High Definition Audio Controller
\t2560  GA106M [GeForce RTX 3060 Mobile / Max-Q]
\t228e  GA106 High Definition Audio Controller
\t2684  AD102 [GeForce RTX 4090]
\t22ba  AD102 High Definition Audio Controller
1022  Advanced Micro Devices, Inc. [AMD]
\t14ea  Phoenix Dummy Host Bridge
\t14ef  Phoenix Internal GPP Bridge to Bus [C:A]
\t1668  Pink Sardine USB4/Thunderbolt NHI controller #1
8086  Intel Corporation
\t15e7  JHL7540 Thunderbolt 3 Bridge [Titan Ridge 4C 2018]
\t15e8  JHL7540 Thunderbolt 3 NHI [Titan Ridge 4C 2018]
\t15d3  JHL6540 Thunderbolt 3 Bridge (C step) [Alpine Ridge 4C 2016]
\t9a23  Tiger Lake-LP Thunderbolt 4 PCI Express Root Port #0
\t9a49  TigerLake-LP GT2 [Iris Xe Graphics]
\t9a1b  Tiger Lake-LP Thunderbolt 4 NHI #0
\ta0b0  Tiger Lake-LP PCI Express Root Port #9
\ta0bc  Tiger Lake-LP PCI Express Root Port #5
\t9a09  11th Gen Core Processor PCIe Controller
144d  Samsung Electronics Co Ltd
\ta80a  NVMe SSD Controller PM9A1/PM9A3/980PRO
`;

/** A Tiger Lake laptop's integrated Thunderbolt 4 domain (its NHI at 00:0d.2, user security). */
export const tigerLakeDomain = (): TbDomainSpec => ({
  name: 'domain0',
  nhi: '0000:00:0d.2',
  security: 'user',
  deauthorization: 1,
  iommuDmaProtection: 1,
});

/** That domain's host router; the unique_id tells scenarios' machines apart. */
export const tigerLakeHostRouter = (uniqueId: string): TbRouterSpec => ({
  id: '0-0',
  domain: 'domain0',
  vendor: 0x8086,
  vendorName: 'Intel',
  device: 0x9a1b,
  deviceName: 'Tiger Lake Thunderbolt 4',
  authorized: 1,
  uniqueId,
  generation: 4,
  usb4Type: 'host',
});
