// Thunderbolt/USB4 domains and routers from /sys/bus/thunderbolt/devices
// (Documentation/ABI/testing/sysfs-bus-thunderbolt). There is no sysfs link between a router and
// the PCI devices tunnelled through it; external.ts correlates them by PCI topology.

import { naturalCompare } from '../common/natural-compare.js';
import type { ThunderboltDomain, ThunderboltRouter } from '../common/inventory-model.js';
import { isBdf } from '../common/pci.js';
import type { SysfsReader } from './sysfs-reader.js';

const DOMAIN = /^domain(\d+)$/;
/** Routers are named <domain>-<route>: '0-0' is the host router, '0-1', '1-301' peripherals. */
const ROUTER = /^(\d+)-([0-9a-f]+)$/;

export type ThunderboltTopology = {
  readonly domains: readonly ThunderboltDomain[];
  /** Canonical sysfs path of each domain's host interface (NHI), for topology matching. */
  readonly nhiPaths: ReadonlyMap<string, string>;
};

const hexText = (text: string | null): string | null =>
  text !== null && /^0x[0-9a-f]+$/i.test(text)
    ? `0x${text.slice(2).toLowerCase().padStart(4, '0')}`
    : null;

function readRouter(reader: SysfsReader, name: string, route: string): ThunderboltRouter {
  const base = `/sys/bus/thunderbolt/devices/${name}`;
  const nameAttr = (attr: string): string | null => {
    const v = reader.attr(`${base}/${attr}`);
    // DROM strings can hold garbage bytes; keep them printable.
    return v === null ? null : v.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
  };
  return {
    router: name,
    host: /^0+$/.test(route),
    vendorId: hexText(reader.attr(`${base}/vendor`)),
    vendorName: nameAttr('vendor_name'),
    deviceId: hexText(reader.attr(`${base}/device`)),
    deviceName: nameAttr('device_name'),
    authorized: reader.int(`${base}/authorized`),
    uniqueId: reader.attr(`${base}/unique_id`),
    generation: reader.int(`${base}/generation`),
  };
}

export function readThunderbolt(reader: SysfsReader): ThunderboltTopology {
  const entries = reader.list('/sys/bus/thunderbolt/devices').sort(naturalCompare);
  const routersByDomain = new Map<string, ThunderboltRouter[]>();
  for (const name of entries) {
    const m = ROUTER.exec(name);
    if (!m) continue;
    const domain = `domain${m[1]}`;
    const list = routersByDomain.get(domain) ?? [];
    list.push(readRouter(reader, name, m[2]!));
    routersByDomain.set(domain, list);
  }
  const domains: ThunderboltDomain[] = [];
  const nhiPaths = new Map<string, string>();
  for (const name of entries) {
    if (!DOMAIN.test(name)) continue;
    const base = `/sys/bus/thunderbolt/devices/${name}`;
    const real = reader.root.realPath(base);
    let hostInterface: string | null = null;
    if (real.ok) {
      const parts = real.value.split('/');
      const nhiIndex = parts.lastIndexOf(name) - 1;
      const nhi = parts[nhiIndex];
      if (nhi !== undefined && isBdf(nhi)) {
        hostInterface = nhi;
        nhiPaths.set(name, parts.slice(0, nhiIndex + 1).join('/'));
      }
    } else {
      reader.report(base, real.error.message);
    }
    const iommu = reader.int(`${base}/iommu_dma_protection`);
    domains.push({
      domain: name,
      security: reader.attr(`${base}/security`),
      deauthorization: reader.attr(`${base}/deauthorization`) === '1',
      iommuDmaProtection: iommu === null ? null : iommu === 1,
      hostInterface,
      routers: routersByDomain.get(name) ?? [],
    });
  }
  return { domains, nhiPaths };
}
