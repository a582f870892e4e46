// Is a GPU external, and how do we know? Evidence in order of reliability
// (linux-interfaces.md §1.3):
// 1. `removable` on the device or an ancestor: the kernel sets it below external-facing ports
//    (drivers/pci/probe.c pci_set_removable; the file exists only when removable).
// 2. A Thunderbolt bridge in the chain: older TB3 laptops lack the firmware property, but the
//    enclosure's own controller (Alpine/Titan Ridge) or the host's TB bridge is in the path. NVIDIA
//    detects eGPUs the same way (RmCheckForExternalGpu walks bridges looking for TB bridges).
// 3. A Thunderbolt domain whose host interface shares a PCI bridge with the GPU (discrete TB
//    controllers), or sits on the same PCI root (CPU-integrated TB4/USB4) — and, for naming the
//    enclosure's router, a tunnel on the GPU's own path (tunnelPath below).
// A hot-plug slot above the GPU is reported but is not enough on its own: desktops have those too.
// The administrator's list (/etc/egpu-guard/removable.conf, root-owned) stands in for
// `removable` where the firmware does not mark the port (OCuLink, older TB3 laptops), except for
// the boot display.

import { isBdf } from '../common/pci.js';
import { REMOVABLE_CONFIG_PATH } from '../common/removable-config.js';
import type { Enclosure, ExternalEvidence, ThunderboltDomain } from '../common/inventory-model.js';
import type { PciNames } from './pci-ids.js';
import type { PciNode, PciTree } from './pci-tree.js';
import type { ThunderboltTopology } from './thunderbolt.js';

/**
 * Intel Thunderbolt bridge and TB-capable root port device IDs (from the kernel's
 * drivers/thunderbolt/nhi.h family names and pci.ids; list not exhaustive — pci.ids names
 * containing "Thunderbolt" or "USB4" are accepted too).
 */
const INTEL_TB_BRIDGES = new Set([
  0x1513, 0x151a, 0x151b, 0x1547, 0x1549, 0x1567, 0x1569, 0x156b, 0x156d, 0x1576, 0x1578, 0x15c0,
  0x15d3, 0x15da, 0x15e7, 0x15ea, 0x15ef, 0x1133, 0x1136, 0x5786, 0x5787,
  // CPU-integrated Thunderbolt 4 / USB4 PCIe root ports (Ice Lake, Tiger Lake, Alder Lake, Meteor Lake)
  0x8a1d,
  0x8a1f, 0x8a21, 0x8a23, 0x9a23, 0x9a25, 0x9a27, 0x9a29, 0x9a2b, 0x9a2d, 0x9a2f, 0x9a31, 0x461e,
  0x461f, 0x462f, 0x463f, 0x466e, 0x7ec4, 0x7ec5, 0x7ec6, 0x7ec7,
]);

export type ExternalAssessment = {
  readonly external: boolean;
  readonly evidence: ExternalEvidence[];
  /** Topmost removable device on the path (the enclosure's first bridge), or null. */
  readonly enclosureTop: string | null;
  readonly domain: string | null;
  readonly enclosure: Enclosure | null;
};

function thunderboltBridgeName(tree: PciTree, bdf: string, names: PciNames): string | null {
  const vendor = tree.vendor(bdf);
  const device = tree.device(bdf);
  if (vendor === null || device === null) return null;
  const dbName = names.device(vendor, device);
  if (vendor === 0x8086 && INTEL_TB_BRIDGES.has(device))
    return dbName ?? 'Intel Thunderbolt bridge';
  if (dbName !== null && /thunderbolt|usb4/i.test(dbName)) return dbName;
  return null;
}

function candidateDomains(
  node: PciNode,
  tb: ThunderboltTopology,
): { domains: ThunderboltDomain[]; shared: string | null } {
  // Discrete controller: the NHI and the GPU hang off one bridge of the controller.
  for (const d of tb.domains) {
    const nhiPath = tb.nhiPaths.get(d.domain);
    if (nhiPath === undefined) continue;
    // The deepest shared bridge is the controller's own upstream port.
    const shared = [...node.ancestors].reverse().find((a) => nhiPath.includes(`/${a}/`));
    if (shared !== undefined) return { domains: [d], shared };
  }
  // Integrated controller: the NHI sits on the same PCI root as the GPU's root port, on the root
  // bus or behind one internal bridge (AMD). A discrete controller's NHI sits behind the
  // controller's own switch (two or more bridges) and only serves devices below that switch.
  const sameRoot = tb.domains.filter((d) => {
    const nhiPath = tb.nhiPaths.get(d.domain);
    if (nhiPath === undefined || !nhiPath.includes(`/${node.pciRoot}/`)) return false;
    return nhiPath.split('/').filter(isBdf).length <= 2;
  });
  return { domains: sameRoot, shared: null };
}

/**
 * Hops from the host router in a router's name: the route string holds one byte per hop
 * ('0-1' → 1, '1-301' → 2; drivers/thunderbolt/tb.h tb_route_length()).
 */
export function routeDepth(router: string): number | null {
  const m = /^\d+-([0-9a-f]+)$/.exec(router);
  if (!m) return null;
  const route = m[1]!.replace(/^0+/, '');
  return Math.ceil(route.length / 2);
}

export type TunnelPath = {
  /** The host's PCIe downstream port the GPU's path leaves the host through. */
  readonly hostPort: string;
  /** Device routers (Thunderbolt switches) between that port and the GPU. */
  readonly depth: number;
  /** Upstream port of each of those switches, nearest the host first. */
  readonly switchTops: readonly string[];
};

/**
 * Whether the GPU's PCI path runs through a Thunderbolt tunnel of the domain, and through how many
 * device routers. A device router's PCIe adapters are the ports of the switch inside its
 * controller (Documentation/admin-guide/thunderbolt.rst, "PCIe tunneling"), so a tunnelled device
 * sits below Thunderbolt bridges — an upstream and a downstream port per router — right below
 * the host's downstream port: the port of the discrete controller's switch on the path, or the
 * root port of an integrated controller. A path with no Thunderbolt bridge there (OCuLink, an M.2
 * slot, a desktop slot) is not tunnelled, however many routers the domain has.
 */
function tunnelPath(
  tree: PciTree,
  names: PciNames,
  path: readonly string[],
  shared: string | null,
): TunnelPath | null {
  const hostAt = shared === null ? 0 : path.indexOf(shared) + 1;
  const hostPort = path[hostAt];
  if (hostPort === undefined || hostAt >= path.length - 1) return null;
  const below = path.slice(hostAt + 1, -1);
  let n = 0;
  while (n < below.length && thunderboltBridgeName(tree, below[n]!, names) !== null) n++;
  if (n === 0) return null;
  const switchTops = below.slice(0, n).filter((_b, i) => i % 2 === 0);
  return { hostPort, depth: switchTops.length, switchTops };
}

function matchEnclosure(
  domains: readonly ThunderboltDomain[],
  tunnel: TunnelPath,
  evidence: ExternalEvidence[],
  device: string,
): Enclosure | null {
  // Only routers as many hops from the host as the path has switches can carry it.
  const routers = domains.flatMap((d) =>
    d.routers
      .filter((r) => !r.host && (r.authorized ?? 0) > 0 && routeDepth(r.router) === tunnel.depth)
      .map((r) => ({ d, r })),
  );
  const only = routers.length === 1 ? routers[0] : undefined;
  if (only === undefined) {
    if (routers.length > 1) {
      const names = routers.map(({ r }) => r.deviceName ?? r.router).join(', ');
      evidence.push({
        kind: 'thunderbolt-domain',
        device,
        detail: `${routers.length} Thunderbolt devices are connected at the same depth (${names}); cannot tell which one holds the GPU`,
      });
    }
    return null;
  }
  const { d, r } = only;
  const name =
    [r.vendorName, r.deviceName].filter((x) => x !== null && x !== '').join(' ') || r.router;
  return {
    name,
    router: r.router,
    uniqueId: r.uniqueId ?? '',
    domain: d.domain,
    authorized: r.authorized ?? 0,
    pciTop: tunnel.switchTops[tunnel.depth - 1] ?? null,
  };
}

export function assessExternal(
  tree: PciTree,
  bdf: string,
  tb: ThunderboltTopology,
  names: PciNames,
  hotplugSlots: ReadonlyMap<string, string>,
  admin: { readonly listed: readonly string[]; readonly bootVga: boolean } = {
    listed: [],
    bootVga: false,
  },
): ExternalAssessment {
  const node = tree.nodes.get(bdf);
  if (node === undefined)
    return { external: false, evidence: [], enclosureTop: null, domain: null, enclosure: null };
  const path = [...node.ancestors, bdf];
  const evidence: ExternalEvidence[] = [];

  const kernelRemovable = path.filter((b) => tree.removable(b));
  const listed = admin.bootVga ? [] : path.filter((b) => admin.listed.includes(b));
  const listedTop = listed[0] ?? null;
  // The kernel's own marking wins; the list only stands in where there is none. Everything below
  // a listed device counts, like everything below a removable one.
  const enclosureTop = kernelRemovable[0] ?? listedTop;
  if (kernelRemovable.length === 0 && listedTop !== null) {
    evidence.push({
      kind: 'admin-listed',
      device: listedTop,
      detail:
        listedTop === bdf
          ? `${REMOVABLE_CONFIG_PATH} lists ${bdf} as removable`
          : `${REMOVABLE_CONFIG_PATH} lists ${listedTop} as removable, and so the devices below it`,
    });
  }
  const firstRemovable = kernelRemovable[0] ?? null;
  if (firstRemovable !== null) {
    evidence.push({
      kind: 'removable',
      device: firstRemovable,
      detail:
        firstRemovable === bdf
          ? `the kernel marks ${bdf} removable (behind an external-facing port)`
          : `the kernel marks ${firstRemovable} and the devices below it removable (behind an external-facing port)`,
    });
  }
  for (const a of node.ancestors) {
    const tbName = tree.nodes.has(a) ? thunderboltBridgeName(tree, a, names) : null;
    if (tbName !== null) {
      evidence.push({
        kind: 'thunderbolt-bridge',
        device: a,
        detail: `${a} is a Thunderbolt bridge (${tbName})`,
      });
      break;
    }
  }
  const slotPort = node.ancestors.find((a) => hotplugSlots.has(a));
  if (slotPort !== undefined) {
    evidence.push({
      kind: 'hotplug-slot',
      device: slotPort,
      detail: `behind hot-plug slot ${hotplugSlots.get(slotPort) ?? '?'} of ${slotPort}`,
      slot: hotplugSlots.get(slotPort) ?? '',
    });
  }
  const { domains, shared } = candidateDomains(node, tb);
  // Linked to a domain only through a tunnel on the GPU's own path, never for merely sharing
  // its PCI root (an OCuLink port next to a Thunderbolt port shares that too).
  const tunnel = domains.length > 0 ? tunnelPath(tree, names, path, shared) : null;
  if (shared !== null && domains[0]) {
    evidence.push({
      kind: 'thunderbolt-domain',
      device: shared,
      detail: `shares bridge ${shared} with Thunderbolt ${domains[0].domain} (host interface ${domains[0].hostInterface ?? '?'})`,
    });
  }
  const external = evidence.some((e) => e.kind !== 'hotplug-slot');
  if (external && shared === null && tunnel !== null) {
    evidence.push({
      kind: 'thunderbolt-domain',
      device: bdf,
      detail: `Thunderbolt/USB4 ${domains.map((d) => `${d.domain} (host interface ${d.hostInterface ?? '?'})`).join(', ')} on the same PCI root ${node.pciRoot}`,
    });
  }
  const enclosure =
    external && tunnel !== null ? matchEnclosure(domains, tunnel, evidence, bdf) : null;
  const domain =
    enclosure?.domain ??
    (domains.length === 1 && external && tunnel !== null ? domains[0]!.domain : null);
  return { external, evidence, enclosureTop, domain, enclosure };
}
