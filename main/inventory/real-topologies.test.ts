// Inventory on machines shaped after real PCI topologies (main/sim/scenarios/real-topologies.ts):
// link health that does not cry wolf, Thunderbolt/USB4 IDs that pci.ids does not name, and
// external evidence from the GPU's own upstream path only.

import { afterEach, describe, expect, it } from 'vitest';
import type { GpuInfo, Inventory } from '../common/inventory-model.js';
import type { SystemRoot } from '../platform/system-root.js';
import type { PciFunctionSpec, Scenario } from '../sim/scenario.js';
import { scenarioByName } from '../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../sim/sysroot-fixture.js';
import { readInventory } from './inventory.js';

const fixtures: SysrootFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

function inventoryOf(s: string | Scenario, wrap?: (r: SystemRoot) => SystemRoot): Inventory {
  const scenario = typeof s === 'string' ? scenarioByName(s) : s;
  if (scenario === undefined) throw new Error(`no scenario ${typeof s === 'string' ? s : s.name}`);
  const f = makeSysroot(scenario);
  fixtures.push(f);
  return readInventory(wrap ? wrap(f.root) : f.root);
}

const gpu = (inv: Inventory, bdf: string): GpuInfo => {
  const g = inv.gpus.find((x) => x.bdf === bdf);
  if (g === undefined) throw new Error(`no GPU ${bdf}`);
  return g;
};

const patched = (
  name: string,
  f: (p: PciFunctionSpec) => PciFunctionSpec,
  pciIds?: (ids: string) => string,
): Scenario => {
  const s = scenarioByName(name)!;
  return {
    ...s,
    name: `${name}-patched`,
    pci: s.pci.map(f),
    ...(pciIds && s.pciIds !== undefined ? { pciIds: pciIds(s.pciIds) } : {}),
  };
};

const unmarked = (p: PciFunctionSpec): PciFunctionSpec => {
  const { removable: _removable, ...rest } = p;
  return rest;
};

describe('link health', () => {
  it('an RTX 4090 eGPU idling at 2.5 GT/s behind 8 GT/s links is not degraded', () => {
    const e = gpu(inventoryOf('idle-links'), '0000:2e:00.0');
    expect(e.link.degraded).toBe(false);
    expect(e.link.degradation).toBeNull();
    expect(e.link.hops.every((h) => h.degradedBy.length === 0)).toBe(true);
    expect(e.link.bottleneck).toEqual({
      port: '0000:00:07.0',
      device: '0000:2c:00.0',
      max: { speed: 8, width: 4 },
      tunnel: true,
    });
    expect(e.link.slowNow).toEqual({
      device: '0000:2e:00.0',
      port: '0000:2d:01.0',
      current: { speed: 2.5, width: 4 },
      byGpu: true,
    });
  });

  it('a dGPU wired x8 of its x16 to an x8 port, idle at 2.5 GT/s, is not degraded', () => {
    const d = gpu(inventoryOf('idle-links'), '0000:01:00.0');
    expect(d.link).toMatchObject({
      degraded: false,
      degradation: null,
      bottleneck: { port: '0000:00:01.0', max: { speed: 16, width: 8 }, tunnel: false },
      slowNow: { current: { speed: 2.5, width: 8 }, byGpu: true },
    });
  });

  it('a USB4 tunnel port’s nominal 2.5 GT/s x1 is neither the bottleneck nor degraded', () => {
    const e = gpu(inventoryOf('usb4-amd-asmedia'), '0000:64:00.0');
    const tunnel = e.link.hops.find((h) => h.port === '0000:00:03.1');
    expect(tunnel).toMatchObject({ tunnel: true, degradedBy: [] });
    expect(e.link.bottleneck).toMatchObject({
      port: '0000:00:03.1',
      max: { speed: 16, width: 4 },
      tunnel: true,
    });
    expect(e.link.degraded).toBe(false);
  });

  it('a link trained narrower than both its ends is degraded (OCuLink at x2)', () => {
    const e = gpu(inventoryOf('oculink-amd'), '0000:03:00.0');
    expect(e.link.degradation).toEqual({
      kind: 'width',
      device: '0000:01:00.0',
      port: '0000:00:01.1',
      current: { speed: 16, width: 2 },
      capable: { speed: 16, width: 4 },
    });
  });

  it('a Gen3 switch between a Gen4 root port and a Gen4 GPU is a degraded path', () => {
    const e = gpu(inventoryOf('oculink-gen3-switch'), '0000:03:00.0');
    expect(e.link.degraded).toBe(true);
    expect(e.link.degradation).toEqual({
      kind: 'path',
      device: '0000:01:00.0',
      port: '0000:00:02.2',
      max: { speed: 8, width: 4 },
      ends: { speed: 16, width: 4 },
      rootPort: '0000:00:02.2',
    });
    // The port's own width is what the GPU gets anyway: no width fault.
    expect(e.link.hops.every((h) => h.degradedBy.length === 0)).toBe(true);
  });

  it('a GPU whose link reads Unknown / x63 has no link state, and says why', () => {
    const e = gpu(inventoryOf('fell-off-bus-all-ones'), '0000:0a:00.0');
    expect(e.health).toBe('unreachable');
    expect(e.link.current).toBeNull();
    expect(e.link.noLink).toMatch(/width 63, speed Unknown/);
    expect(e.link.hops.map((h) => h.device)).not.toContain('0000:0a:00.0');
    expect(JSON.stringify(e.link)).not.toContain('"width":63');
  });

  it('a GPU stuck in D3cold after a failed resume: stuck, and neither config nor link is read', () => {
    const reads: string[] = [];
    const inv = inventoryOf('stuck-d3cold', (root) => ({
      ...root,
      readText: (p, max) => (reads.push(p), root.readText(p, max)),
      readBytes: (p, max) => (reads.push(p), root.readBytes(p, max)),
    }));
    const e = gpu(inv, '0000:0a:00.0');
    expect(e.stuck).toMatch(/runtime power management is in error/);
    expect(e.health).toBe('unknown');
    expect(e.link.skipped).toMatch(/D3cold/);
    expect(
      reads.filter(
        (p) => p.includes('0000:0a:00.0') && /\/(config|current_link_\w+|max_link_\w+)$/.test(p),
      ),
    ).toEqual([]);
    expect(gpu(inv, '0000:00:02.0').stuck).toBeNull();
  });
});

describe('Thunderbolt/USB4 bridge IDs that pci.ids does not name', () => {
  it('the scenario’s pci.ids names neither the AMD tunnel port nor the ASMedia bridge', () => {
    const s = scenarioByName('usb4-amd-asmedia')!;
    expect(s.pciIds).not.toMatch(/\n\t14ef /);
    expect(s.pciIds).not.toMatch(/\n1b21 /);
  });

  it('an eGPU behind an AMD USB4 tunnel port, no removable marks: external by the port ID', () => {
    const inv = inventoryOf('usb4-amd-asmedia');
    const e = gpu(inv, '0000:64:00.0');
    expect(e.external).toBe(true);
    expect(e.externalEvidence.map((x) => [x.kind, x.device])).toEqual([
      ['thunderbolt-bridge', '0000:00:03.1'],
      ['hotplug-slot', '0000:00:03.1'],
      ['thunderbolt-domain', '0000:00:03.1'],
    ]);
    expect(e.externalEvidence[0]!.detail).toBe(
      '0000:00:03.1 is a Thunderbolt/USB4 bridge (AMD USB4 PCIe tunnel port)',
    );
    expect(e.enclosure).toMatchObject({ router: '0-1', domain: 'domain0', pciTop: '0000:62:00.0' });
    // The APU's iGPU sits beside the USB4 host interfaces' internal bridge: internal.
    expect(gpu(inv, '0000:c1:00.0')).toMatchObject({ external: false, externalEvidence: [] });
  });

  it.each([
    ['AMD Rembrandt USB4 tunnel port 1022:14cd', 0x1022, 0x14cd],
    ['AMD Phoenix USB4 tunnel port 1022:14ef', 0x1022, 0x14ef],
    ['Raptor Lake-P TB4 root port #0 8086:a76e', 0x8086, 0xa76e],
    ['Raptor Lake-P TB4 root port #2 8086:a72f', 0x8086, 0xa72f],
    ['Raptor Lake-P TB4 root port #1 8086:a73f', 0x8086, 0xa73f],
  ])('%s as the host port is evidence on its own', (_what, vendor, device) => {
    const s = patched('usb4-amd-asmedia', (p) =>
      p.bdf === '0000:00:03.1' ? { ...p, vendor, device } : p,
    );
    const e = gpu(inventoryOf(s), '0000:64:00.0');
    expect(e.external).toBe(true);
    expect(e.externalEvidence[0]).toMatchObject({
      kind: 'thunderbolt-bridge',
      device: '0000:00:03.1',
    });
  });

  it('a Goshen Ridge (8086:0b26) enclosure bridge is evidence when nothing else is', () => {
    // TB3 laptop without the firmware property, the host controller's IDs unknown to the table
    // (as if a controller we do not list), and a Thunderbolt 4 enclosure on Goshen Ridge.
    const s = patched(
      'tb3-nvidia',
      (p) => {
        const q = unmarked(p);
        if (['0000:05:00.0', '0000:06:00.0', '0000:06:01.0', '0000:06:02.0'].includes(p.bdf))
          return { ...q, device: 0x1234 };
        if (p.bdf === '0000:08:00.0' || p.bdf === '0000:09:01.0') return { ...q, device: 0x0b26 };
        return q;
      },
      (ids) => ids.replace(/\n\t15e7 {2}[^\n]*/, ''),
    );
    const e = gpu(inventoryOf(s), '0000:0a:00.0');
    expect(e.external).toBe(true);
    expect(e.externalEvidence[0]).toMatchObject({
      kind: 'thunderbolt-bridge',
      device: '0000:08:00.0',
      detail: '0000:08:00.0 is a Thunderbolt/USB4 bridge (Intel Thunderbolt 4 bridge)',
    });
  });
});

describe('external evidence from the GPU’s own upstream path only', () => {
  it('a GPU in a chipset slot beside an on-board Thunderbolt controller is internal', () => {
    const inv = inventoryOf('desktop-chipset-tb');
    const g = gpu(inv, '0000:04:00.0');
    expect(g).toMatchObject({
      external: false,
      externalEvidence: [],
      thunderboltDomain: null,
      enclosure: null,
    });
    expect(gpu(inv, '0000:01:00.0').external).toBe(false);
    expect(inv.thunderbolt.map((d) => d.hostInterface)).toEqual(['0000:07:00.0']);
  });

  it('no evidence says "shares a bridge" with a host interface any more', () => {
    for (const name of ['tb3-nvidia', 'usb4-amd', 'lab', 'usb4-amd-asmedia']) {
      const inv = inventoryOf(name);
      for (const g of inv.gpus)
        for (const e of g.externalEvidence)
          expect(e.detail, name).not.toMatch(/shares|same PCI root/);
    }
  });
});
