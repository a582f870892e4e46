// Is a GPU external, and how do we know? Evidence in order of reliability, all of it found on the
// GPU's own upstream path:
// 1. `removable` on the device or an ancestor: the kernel sets it below external-facing ports
//    (drivers/pci/probe.c pci_set_removable; the file exists only when removable).
// 2. A Thunderbolt/USB4 bridge or tunnel port in the chain (thunderbolt-ids.ts): older TB3
//    laptops and many AMD USB4 ones lack the firmware property, but the host's tunnel port or the
//    enclosure's controller is in the path. NVIDIA detects eGPUs the same way
//    (RmCheckForExternalGpu walks bridges looking for TB bridges).
// 3. A Thunderbolt/USB4 tunnel on the path, tied to the domain whose host interface (NHI) owns
//    the host's tunnel port — that names the domain and, for the enclosure, its router. Sharing a
//    PCI bridge or root with the host interface is no evidence: a GPU next to the NHI is not
//    behind its tunnel (AMD APUs keep their USB4 NHIs behind an internal bridge of the root bus;
//    desktop chipsets put a Thunderbolt controller and a GPU slot under one switch).
// A hot-plug slot above the GPU is reported but is not enough on its own: desktops have those too.
// The administrator's list (/etc/egpu-guard/removable.conf, root-owned) stands in for
// `removable` where the firmware does not mark the port (OCuLink, older TB3 laptops), except for
// the boot display.

import { isBdf } from '../common/pci.js';
import { REMOVABLE_CONFIG_PATH } from '../common/removable-config.js';
import type { Enclosure, ExternalEvidence, ThunderboltDomain } from '../common/inventory-model.js';
import type { PciNames } from './pci-ids.js';
import type { PciTree } from './pci-tree.js';
import type { ThunderboltTopology } from './thunderbolt.js';
import { thunderboltBridgeName, tunnelLinks } from './thunderbolt-ids.js';

export type ExternalAssessment = {
  readonly external: boolean;
  readonly evidence: ExternalEvidence[];
  /** Topmost removable device on the path (the enclosure's first bridge), or null. */
  readonly enclosureTop: string | null;
  readonly domain: string | null;
  readonly enclosure: Enclosure | null;
};

/**
 * The domains whose host interface owns the host's tunnel port. A discrete controller's NHI sits
 * below the controller's own upstream port, next to the tunnel ports (the port's parent is on the
 * NHI's path). An integrated controller's tunnel port is a root port: its NHI sits on the same
 * PCI root, on the root bus or behind one internal bridge (AMD); several NHIs of one CPU (two
 * domains) stay candidates, and the enclosure's router decides.
 */
function domainsOfTunnelPort(
  tree: PciTree,
  hostPort: string,
  tb: ThunderboltTopology,
): ThunderboltDomain[] {
  const node = tree.nodes.get(hostPort);
  if (node === undefined) return [];
  const owner = node.ancestors[node.ancestors.length - 1];
  return tb.domains.filter((d) => {
    const nhiPath = tb.nhiPaths.get(d.domain);
    if (nhiPath === undefined) return false;
    if (owner !== undefined) return nhiPath.includes(`/${owner}/`);
    if (!nhiPath.includes(`/${node.pciRoot}/`)) return false;
    return nhiPath.split('/').filter(isBdf).length <= 2;
  });
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
 * Whether the GPU's PCI path runs through a Thunderbolt/USB4 tunnel, and through how many device
 * routers: one tunnelled link per router (thunderbolt-ids.ts tunnelLinks). A path with no
 * tunnelled link (OCuLink, an M.2 slot, a desktop slot) is not tunnelled, however many routers a
 * domain has.
 */
function tunnelPath(tree: PciTree, names: PciNames, path: readonly string[]): TunnelPath | null {
  const links = tunnelLinks(tree, names, path);
  const first = links[0];
  if (first === undefined) return null;
  return {
    hostPort: first.port,
    depth: links.length,
    switchTops: links.map((l) => l.device),
  };
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
        detail: `${a} is a Thunderbolt/USB4 bridge (${tbName})`,
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
  // Only a tunnel on the GPU's own path ties it to a domain.
  const tunnel = tunnelPath(tree, names, path);
  const domains = tunnel === null ? [] : domainsOfTunnelPort(tree, tunnel.hostPort, tb);
  if (tunnel !== null && domains.length > 0) {
    const first = tunnel.switchTops[0] ?? bdf;
    evidence.push({
      kind: 'thunderbolt-domain',
      device: tunnel.hostPort,
      detail: `its path runs through the Thunderbolt/USB4 tunnel ${tunnel.hostPort} → ${first} of ${domains.map((d) => `${d.domain} (host interface ${d.hostInterface ?? '?'})`).join(', ')}`,
    });
  }
  const external = evidence.some((e) => e.kind !== 'hotplug-slot');
  const enclosure =
    external && tunnel !== null ? matchEnclosure(domains, tunnel, evidence, bdf) : null;
  const domain =
    enclosure?.domain ??
    (domains.length === 1 && external && tunnel !== null ? domains[0]!.domain : null);
  return { external, evidence, enclosureTop, domain, enclosure };
}
