// Which PCI bridges belong to Thunderbolt/USB4, and which links on a GPU's path are carried in a
// Thunderbolt/USB4 tunnel. Where the firmware does not mark a port external (no `removable`), these
// IDs are the only evidence that a GPU is behind a tunnel, and pci.ids on many machines is too old
// to name the newer ones — so the table matters more than the database.
//
// A tunnelled link's PCIe speed and width are nominal: the host end of an integrated tunnel port
// reports e.g. 2.5 GT/s x1 whatever the enclosure does, and the real bandwidth is the Thunderbolt
// link's (Documentation/admin-guide/thunderbolt.rst, "PCIe tunneling").

import type { PciNames } from './pci-ids.js';
import type { PciTree } from './pci-tree.js';

type IdEntry = { readonly label: string };

const INTEL = 0x8086;
const AMD = 0x1022;

const key = (vendor: number, device: number): string => `${vendor}:${device}`;

function entries(vendor: number, label: string, devices: readonly number[]): [string, IdEntry][] {
  return devices.map((d) => [key(vendor, d), { label }]);
}

const TABLE: ReadonlyMap<string, IdEntry> = new Map([
  // Discrete controllers' PCIe switch ports (the host's controller and the enclosure's or dock's).
  // include/linux/pci_ids.h PCI_DEVICE_ID_INTEL_{LIGHT_RIDGE,EAGLE_RIDGE,LIGHT_PEAK,PORT_RIDGE,
  // REDWOOD_RIDGE_*_BRIDGE,FALCON_RIDGE_*_BRIDGE,ALPINE_RIDGE_{2C,4C}_BRIDGE}.
  ...entries(
    INTEL,
    'Intel Thunderbolt bridge',
    [0x1513, 0x151a, 0x151b, 0x1547, 0x1549, 0x1567, 0x1569, 0x156b, 0x156d, 0x1576, 0x1578],
  ),
  // drivers/thunderbolt/nhi.h PCI_DEVICE_ID_INTEL_{WIN_RIDGE_2C,ALPINE_RIDGE_LP,ALPINE_RIDGE_C_4C,
  // ALPINE_RIDGE_C_2C,TITAN_RIDGE_2C,TITAN_RIDGE_4C,TITAN_RIDGE_DD}_BRIDGE.
  ...entries(
    INTEL,
    'Intel Thunderbolt 3 bridge',
    [0x157e, 0x15c0, 0x15d3, 0x15da, 0x15e7, 0x15ea, 0x15ef],
  ),
  // PCI ID repository (pci-ids.ucw.cz): "Thunderbolt 4 Bridge [Maple Ridge 2C/4C 2020]" (host
  // controllers JHL8340/8540) and "Thunderbolt 4 Bridge [Goshen Ridge 2020]" (JHL8440, the
  // controller of Thunderbolt 4 docks and enclosures).
  ...entries(INTEL, 'Intel Thunderbolt 4 bridge', [0x1133, 0x1136, 0x0b26]),
  // drivers/thunderbolt/nhi.h PCI_DEVICE_ID_INTEL_BARLOW_RIDGE_HUB_{80G,40G}_BRIDGE (0x5786,
  // 0x57a4); 0x5787 was in this table before and is kept, its source not re-checked.
  ...entries(INTEL, 'Intel Thunderbolt 5 bridge', [0x5786, 0x5787, 0x57a4]),
  // CPU-integrated Thunderbolt 3/4 PCIe root ports: the PCI ID repository names them "… Thunderbolt
  // 4 PCI Express Root Port #N" (Ice Lake 8a1d–8a23, Tiger Lake 9a23–9a31, Alder Lake 461e–466e,
  // Raptor Lake a72f/a73f/a76e, Meteor Lake 7ec4–7ec7); drivers/pci/quirks.c lists the same ports
  // for dpc_log_size ("PCI/DPC: Quirk PIO log size for Intel Raptor Lake Root Ports" added a73f
  // and a76e, a later fix a72f).
  ...entries(
    INTEL,
    'Intel Thunderbolt PCIe root port',
    [
      0x8a1d, 0x8a1f, 0x8a21, 0x8a23, 0x9a23, 0x9a25, 0x9a27, 0x9a29, 0x9a2b, 0x9a2d, 0x9a2f,
      0x9a31, 0x461e, 0x461f, 0x462f, 0x463f, 0x466e, 0xa72f, 0xa73f, 0xa76e, 0x7ec4, 0x7ec5,
      0x7ec6, 0x7ec7,
    ],
  ),
  // AMD USB4 PCIe tunnel root ports: the PCI ID repository names 1022:14cd (Rembrandt) and
  // 1022:14ef (Phoenix, Hawk Point) "Family 19h USB4/Thunderbolt PCIe tunnel"; AMD's USB4 PCIe
  // filter driver attaches to these root ports. Older pci.ids call 14ef a GPP bridge or nothing.
  ...entries(AMD, 'AMD USB4 PCIe tunnel port', [0x14cd, 0x14ef]),
]);

/**
 * A human name when the device is a Thunderbolt/USB4 bridge or tunnel port: from the table (by ID)
 * or, for IDs the table does not know, a pci.ids name that says Thunderbolt or USB4.
 */
export function thunderboltBridgeName(tree: PciTree, bdf: string, names: PciNames): string | null {
  const vendor = tree.vendor(bdf);
  const device = tree.device(bdf);
  if (vendor === null || device === null) return null;
  const dbName = names.device(vendor, device);
  const named = dbName !== null && /thunderbolt|usb4/i.test(dbName) ? dbName : null;
  const entry = TABLE.get(key(vendor, device));
  if (entry !== undefined) return named ?? entry.label;
  return named;
}

export type TunnelLink = {
  /** The upstream end: the host's tunnel port, or a router's downstream port. */
  readonly port: string;
  /** The downstream end: a device router's upstream port. */
  readonly device: string;
};

/**
 * The PCIe links of a path (root port first, device last), each as [device, port]. Counted from
 * the device, the chain alternates endpoint/upstream port and downstream/root port: a switch's
 * downstream ports sit on its internal bus, not on a link (PCI Express Base Specification, switch
 * model). Config space would say each port's type, but non-root readers only get its first 64
 * bytes, where the PCIe capability usually is not.
 */
export function pathLinks(path: readonly string[]): [device: string, port: string][] {
  const out: [string, string][] = [];
  for (let i = path.length - 1; i >= 1; i -= 2) out.push([path[i]!, path[i - 1]!]);
  return out;
}

/**
 * The links of the path that cross a Thunderbolt/USB4 tunnel, nearest the host first. A device
 * router's PCIe adapters are the ports of the switch inside its controller, so a tunnelled link
 * runs from a Thunderbolt/USB4 port of the host or of a router up the chain to a router's
 * upstream port: both ends Thunderbolt bridges, or below an integrated tunnel root port (whatever
 * the enclosure's controller is: ASMedia USB4 bridges, say, have no name in pci.ids).
 */
export function tunnelLinks(tree: PciTree, names: PciNames, path: readonly string[]): TunnelLink[] {
  const tb = (b: string): boolean => thunderboltBridgeName(tree, b, names) !== null;
  const out: TunnelLink[] = [];
  for (const [device, port] of pathLinks(path)) {
    const rootPort = path[0] === port;
    if (tb(port) && (rootPort || tb(device))) out.push({ port, device });
  }
  return out.reverse();
}
