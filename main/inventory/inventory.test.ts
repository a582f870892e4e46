import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { GpuInfo, Inventory } from '../common/inventory-model.js';
import type { SystemRoot } from '../platform/system-root.js';
import type { Scenario } from '../sim/scenario.js';
import { SCENARIOS, scenarioByName } from '../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../sim/sysroot-fixture.js';
import { readInventory } from './inventory.js';

const fixtures: SysrootFixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup();
});

function sysroot(name: string | Scenario): SysrootFixture {
  const scenario = typeof name === 'string' ? scenarioByName(name) : name;
  if (scenario === undefined)
    throw new Error(`no scenario ${typeof name === 'string' ? name : name.name}`);
  const f = makeSysroot(scenario);
  fixtures.push(f);
  return f;
}

const gpu = (inv: Inventory, bdf: string): GpuInfo => {
  const g = inv.gpus.find((x) => x.bdf === bdf);
  if (g === undefined) throw new Error(`no GPU ${bdf} in ${inv.gpus.map((x) => x.bdf).join(',')}`);
  return g;
};

/** A SystemRoot that records every path read, to prove what was (not) touched. */
function recording(root: SystemRoot): { root: SystemRoot; reads: string[] } {
  const reads: string[] = [];
  const wrapped: SystemRoot = {
    ...root,
    readText: (p, max) => (reads.push(p), root.readText(p, max)),
    readBytes: (p, max) => (reads.push(p), root.readBytes(p, max)),
  };
  return { root: wrapped, reads };
}

describe('readInventory on the scenarios', () => {
  it('TB3 laptop: NVIDIA eGPU is external with evidence, enclosure, nodes and link', () => {
    const inv = readInventory(sysroot('tb3-nvidia').root);
    expect(inv.gpus.map((g) => g.bdf)).toEqual(['0000:00:02.0', '0000:0a:00.0']);
    const e = gpu(inv, '0000:0a:00.0');
    expect(e).toMatchObject({
      vendorId: '0x10de',
      deviceId: '0x2484',
      name: 'NVIDIA GeForce RTX 3070',
      driver: 'nvidia',
      external: true,
      enclosureTop: '0000:08:00.0',
      thunderboltDomain: 'domain0',
      bootVga: false,
      drm: { card: '/dev/dri/card1', render: '/dev/dri/renderD129' },
      nvidia: { minor: 0, node: '/dev/nvidia0' },
      runtimeStatus: 'active',
      health: 'ok',
      sysfsPath:
        '/sys/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:01.0/0000:08:00.0/0000:09:01.0/0000:0a:00.0',
    });
    expect(e.enclosure).toEqual({
      name: 'Razer Core X',
      router: '0-1',
      uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
      domain: 'domain0',
      authorized: 1,
      pciTop: '0000:08:00.0',
    });
    expect(e.externalEvidence.map((x) => [x.kind, x.device])).toEqual([
      ['removable', '0000:08:00.0'],
      ['thunderbolt-bridge', '0000:05:00.0'],
      ['hotplug-slot', '0000:06:01.0'],
      // the tunnel on its own path, not a bridge it shares with the host interface
      ['thunderbolt-domain', '0000:06:01.0'],
    ]);
    expect(e.functions).toEqual([
      {
        bdf: '0000:0a:00.1',
        classCode: '0x040300',
        kind: 'audio',
        name: 'NVIDIA GA104 High Definition Audio Controller',
        driver: 'snd_hda_intel',
      },
    ]);
    // x4 behind an x4 Thunderbolt port is full speed, not degraded, although the GPU can do x16.
    expect(e.link).toMatchObject({
      current: { speed: 8, width: 4 },
      max: { speed: 16, width: 16 },
      port: { bdf: '0000:09:01.0', max: { speed: 8, width: 4 } },
      degraded: false,
      // the Thunderbolt tunnel is the narrowest link (ties go to the tunnel)
      bottleneck: {
        port: '0000:06:01.0',
        device: '0000:08:00.0',
        max: { speed: 8, width: 4 },
        tunnel: true,
      },
      now: { speed: 8, width: 4 },
      slowNow: null,
      degradation: null,
    });
    expect(e.stuck).toBeNull();
    const i = gpu(inv, '0000:00:02.0');
    expect(i).toMatchObject({
      external: false,
      bootVga: true,
      name: 'Intel Iris Xe Graphics',
      enclosure: null,
    });
    expect(i.externalEvidence).toEqual([]);
    expect(inv.thunderbolt).toEqual([
      expect.objectContaining({
        domain: 'domain0',
        security: 'user',
        deauthorization: true,
        hostInterface: '0000:07:00.0',
        routers: [
          expect.objectContaining({ router: '0-0', host: true }),
          expect.objectContaining({
            router: '0-1',
            host: false,
            vendorName: 'Razer',
            deviceName: 'Core X',
            authorized: 1,
            uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
            generation: 3,
          }),
        ],
      }),
    ]);
    expect(inv.modules.find((m) => m.name === 'nvidia')).toEqual({
      name: 'nvidia',
      loaded: true,
      builtin: false,
      refcount: 112,
      holders: ['nvidia_modeset', 'nvidia_uvm'],
    });
    expect(inv.problems).toEqual([]);
  });

  it('TB3 laptop without the firmware property: still external through the Thunderbolt bridges', () => {
    const f = sysroot('tb3-nvidia');
    for (const b of ['0000:08:00.0', '0000:09:01.0', '0000:0a:00.0', '0000:0a:00.1']) {
      fs.rmSync(f.host(`/sys/bus/pci/devices/${b}/removable`));
    }
    const e = gpu(readInventory(f.root), '0000:0a:00.0');
    expect(e.external).toBe(true);
    expect(e.enclosureTop).toBeNull();
    expect(e.externalEvidence.map((x) => x.kind)).toEqual([
      'thunderbolt-bridge',
      'hotplug-slot',
      'thunderbolt-domain',
    ]);
    expect(e.externalEvidence.at(-1)?.detail).toBe(
      'its path runs through the Thunderbolt/USB4 tunnel 0000:06:01.0 → 0000:08:00.0 of domain0 (host interface 0000:07:00.0)',
    );
    expect(e.enclosure?.name).toBe('Razer Core X');
  });

  it('USB4 with two amdgpu GPUs: the Navi switch hops are walked, the APU stays internal', () => {
    const inv = readInventory(sysroot('usb4-amd').root);
    const e = gpu(inv, '0000:66:00.0');
    expect(e).toMatchObject({ external: true, driver: 'amdgpu', enclosureTop: '0000:62:00.0' });
    expect(e.enclosure?.name).toBe('Razer Core X Chroma');
    expect(e.link.hops.map((h) => [h.device, h.port])).toEqual([
      ['0000:66:00.0', '0000:65:00.0'],
      ['0000:64:00.0', '0000:63:01.0'],
      ['0000:62:00.0', '0000:00:03.1'],
    ]);
    expect(e.link.degraded).toBe(false);
    expect(gpu(inv, '0000:c4:00.0')).toMatchObject({
      external: false,
      bootVga: true,
      name: 'AMD Phoenix1',
    });
  });

  it('NVIDIA dGPU laptop with an NVIDIA eGPU: only the eGPU is external; minors per GPU', () => {
    const inv = readInventory(sysroot('dgpu-nvidia-egpu').root);
    const d = gpu(inv, '0000:01:00.0');
    expect(d).toMatchObject({
      external: false,
      classCode: '0x030200',
      bootVga: false,
      nvidia: { minor: 0 },
    });
    expect(d.externalEvidence).toEqual([]);
    const e = gpu(inv, '0000:2e:00.0');
    expect(e).toMatchObject({ external: true, nvidia: { minor: 1, node: '/dev/nvidia1' } });
    expect(e.enclosure?.name).toBe('GIGABYTE AORUS RTX 4090 GAMING BOX');
    expect(e.externalEvidence.map((x) => x.kind)).toContain('thunderbolt-bridge');
  });

  it('OCuLink: external by `removable` alone, no Thunderbolt, an x2 link found upstream', () => {
    const inv = readInventory(sysroot('oculink-amd').root);
    const e = gpu(inv, '0000:03:00.0');
    expect(e).toMatchObject({ external: true, enclosure: null, thunderboltDomain: null });
    expect(e.externalEvidence.map((x) => x.kind)).toEqual(['removable', 'hotplug-slot']);
    expect(e.link.degraded).toBe(true);
    expect(e.link.hops.find((h) => h.degradedBy.length > 0)).toEqual({
      device: '0000:01:00.0',
      port: '0000:00:01.1',
      current: { speed: 16, width: 2 },
      capable: { speed: 16, width: 4 },
      degradedBy: ['width'],
      tunnel: false,
    });
    expect(e.link.degradation).toMatchObject({ kind: 'width', port: '0000:00:01.1' });
    // The GPU's own link behind the Navi switch is x16; the OCuLink x4 is the path's bottleneck.
    expect(e.link.bottleneck).toMatchObject({ port: '0000:00:01.1', max: { speed: 16, width: 4 } });
    expect(inv.thunderbolt).toEqual([]);
  });

  it('desktop with one internal GPU: nothing external, nothing invented', () => {
    const inv = readInventory(sysroot('desktop-single').root);
    expect(inv.gpus).toHaveLength(1);
    expect(inv.gpus[0]).toMatchObject({ external: false, bootVga: true, health: 'ok' });
    expect(inv.modules.map((m) => m.name)).toEqual(['amdgpu']);
  });

  it('an eGPU that fell off the bus reads 0xffff and is unreachable', () => {
    const e = gpu(readInventory(sysroot('fell-off-bus').root), '0000:0a:00.0');
    expect(e.health).toBe('unreachable');
    // The evidence and its causes; the faces say "not responding" themselves.
    expect(e.healthReason).toBe(
      'its config space reads all ones (0xffff): it lost power or fell off the bus',
    );
  });

  it('a runtime-suspended eGPU is never woken: no config or link attribute is read', () => {
    const f = sysroot('suspended');
    const { root, reads } = recording(f.root);
    const e = gpu(readInventory(root), '0000:66:00.0');
    expect(e).toMatchObject({
      health: 'unknown',
      runtimeStatus: 'suspended',
      powerState: 'D3cold',
    });
    expect(e.link.skipped).toMatch(/suspended/);
    const touched = reads.filter(
      (p) => p.includes('0000:66:00.0') && /\/(config|current_link_\w+|max_link_\w+)$/.test(p),
    );
    expect(touched).toEqual([]);
    // The awake iGPU is still probed.
    expect(reads).toContain('/sys/bus/pci/devices/0000:c4:00.0/config');
  });

  it('the lab: two domains; the eGPU chained behind a dock is linked to its own router, not the dock', () => {
    const inv = readInventory(sysroot('lab').root);
    expect(inv.gpus.map((g) => [g.bdf, g.external])).toEqual([
      ['0000:01:00.0', false],
      ['0000:22:00.0', true],
      ['0000:49:00.0', true],
    ]);
    const amd = gpu(inv, '0000:49:00.0');
    // Two Thunderbolt switches on its path (the dock's, then the enclosure's): two hops.
    expect(amd.enclosure).toMatchObject({
      name: 'Razer Core X Chroma',
      router: '1-301',
      pciTop: '0000:45:00.0',
    });
    expect(amd.thunderboltDomain).toBe('domain1');
    expect(gpu(inv, '0000:22:00.0').enclosure?.router).toBe('0-1');
  });

  it('two devices at the same depth of one domain: no guess, and it says why', () => {
    const lab = scenarioByName('lab')!;
    const twoPorts: Scenario = {
      ...lab,
      thunderbolt: {
        ...lab.thunderbolt,
        routers: [
          ...lab.thunderbolt.routers,
          {
            ...lab.thunderbolt.routers.find((r) => r.id === '0-1')!,
            id: '0-3',
            deviceName: 'd2 Thunderbolt 3 SSD',
            vendorName: 'LaCie',
            uniqueId: 'b5010000-0000-8a08-a23d-11c2b5f1e0ff',
          },
        ],
      },
    };
    const e = gpu(readInventory(sysroot(twoPorts).root), '0000:22:00.0');
    expect(e.enclosure).toBeNull();
    expect(e.externalEvidence.map((x) => x.detail).join('\n')).toMatch(
      /2 Thunderbolt devices are connected at the same depth \(AORUS RTX 4090 GAMING BOX, d2 Thunderbolt 3 SSD\)/,
    );
  });

  it('an OCuLink eGPU next to a Thunderbolt dock is not tied to the dock', () => {
    const inv = readInventory(sysroot('oculink-tb-dock').root);
    const e = gpu(inv, '0000:32:00.0');
    expect(e).toMatchObject({
      external: true,
      enclosure: null,
      thunderboltDomain: null,
      enclosureTop: '0000:30:00.0',
    });
    expect(e.externalEvidence.map((x) => x.kind)).toEqual(['removable', 'hotplug-slot']);
  });

  it('prints target paths only, never the sysroot folder', () => {
    for (const s of SCENARIOS) {
      const f = sysroot(s);
      expect(JSON.stringify(readInventory(f.root))).not.toContain(f.dir);
    }
  });
});

describe('readInventory on broken sysfs', () => {
  it('reports dangling links, garbage and unreadable attributes without throwing', () => {
    const f = sysroot('tb3-nvidia');
    fs.symlinkSync(
      '../../../devices/pci0000:00/0000:00:1f.7',
      f.host('/sys/bus/pci/devices/0000:00:1f.7'),
    );
    fs.writeFileSync(f.host('/sys/bus/pci/devices/0000:0a:00.0/vendor'), 'garbage\n');
    fs.rmSync(f.host('/sys/bus/pci/devices/0000:0a:00.0/subsystem_device'));
    fs.mkdirSync(f.host('/sys/bus/pci/devices/0000:0a:00.0/subsystem_device'));
    const inv = readInventory(f.root);
    const paths = inv.problems.map((p) => p.path);
    expect(paths).toContain('/sys/bus/pci/devices/0000:00:1f.7');
    expect(paths).toContain('/sys/bus/pci/devices/0000:0a:00.0/vendor');
    expect(paths).toContain('/sys/bus/pci/devices/0000:0a:00.0/subsystem_device');
    const e = gpu(inv, '0000:0a:00.0');
    expect(e.vendorId).toBe('0x0000');
    expect(e.subsystemId).toBeNull();
  });

  it('a FIFO in place of config cannot hang the health probe', () => {
    const f = sysroot('tb3-nvidia');
    const config = f.host('/sys/bus/pci/devices/0000:0a:00.0/config');
    fs.rmSync(config);
    execFileSync('mkfifo', [config]); // node has no mkfifo
    const e = gpu(readInventory(f.root), '0000:0a:00.0');
    expect(e.health).not.toBe('ok');
  });

  it('a device that vanishes between listing and reading is skipped and reported', () => {
    const f = sysroot('tb3-nvidia');
    let removed = false;
    const root: SystemRoot = {
      ...f.root,
      readLink(p) {
        const r = f.root.readLink(p);
        if (!removed && p === '/sys/bus/pci/devices/0000:0a:00.1') {
          removed = true;
          fs.rmSync(
            f.host(
              '/sys/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:01.0/0000:08:00.0/0000:09:01.0/0000:0a:00.1',
            ),
            { recursive: true },
          );
        }
        return r;
      },
    };
    const inv = readInventory(root);
    expect(gpu(inv, '0000:0a:00.0').functions).toEqual([]);
    expect(inv.problems.map((p) => p.path)).toContain('/sys/bus/pci/devices/0000:0a:00.1');
  });

  it('without pci.ids the name is built from the IDs', () => {
    const f = sysroot('tb3-nvidia');
    fs.rmSync(f.host('/usr/share/misc/pci.ids'));
    expect(gpu(readInventory(f.root), '0000:0a:00.0').name).toBe('NVIDIA GPU [10de:2484]');
  });

  it('an empty root gives an empty inventory', () => {
    const f = sysroot({ ...scenarioByName('desktop-single')!, pci: [], modules: [] });
    expect(readInventory(f.root)).toEqual({ gpus: [], thunderbolt: [], modules: [], problems: [] });
  });
});
