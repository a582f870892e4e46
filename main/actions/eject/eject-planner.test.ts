import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../common/clients-model.js';
import type { Inventory } from '../../common/inventory-model.js';
import { readInventory } from '../../inventory/inventory.js';
import { SCENARIOS } from '../../sim/scenarios/index.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { makeSysroot } from '../../sim/sysroot-fixture.js';
import { enclosureFacts, type EjectFacts } from './eject-facts.js';
import { planEject } from './eject-planner.js';
import { ejectFacts } from './test/facts-fixture.js';

const inventories = new Map<string, Inventory>();
/** What rides each scenario's eGPU tunnel, read from its sysroot (its own /proc/self/mountinfo). */
const enclosures = new Map<string, Pick<EjectFacts, 'otherDevicesUnderTop' | 'tunnelOthers'>>();
const cleanups: (() => void)[] = [];
beforeAll(() => {
  for (const s of SCENARIOS) {
    const f = makeSysroot(s);
    const inv = readInventory(f.root);
    inventories.set(s.name, inv);
    const withProc = createSystemRoot({ root: f.dir, proc: path.join(f.dir, 'proc') });
    const gpu = inv.gpus.find((g) => g.bdf === EGPU[s.name]) ?? null;
    enclosures.set(s.name, enclosureFacts(withProc, gpu, inv));
    cleanups.push(() => f.cleanup());
  }
});
afterAll(() => cleanups.forEach((c) => c()));

const client = (
  pid: number,
  comm: string,
  gpu: string,
  nodes: string[],
  role: ClientInfo['role'],
  uid = 1000,
): ClientInfo => ({
  pid,
  comm,
  cmdline: comm,
  uid,
  user: 'alice',
  gpu,
  nodes,
  via: ['fd'],
  role,
});

const facts = (scenario: string, bdf: string, over: Partial<EjectFacts> = {}): EjectFacts =>
  ejectFacts(inventories.get(scenario)!, bdf, {
    ...(bdf === EGPU[scenario] ? enclosures.get(scenario) : {}),
    ...over,
  });

/** The external GPU of each scenario (and a typical set of clients on it). */
const EGPU: Record<string, string> = {
  'tb3-nvidia': '0000:0a:00.0',
  'usb4-amd': '0000:66:00.0',
  'dgpu-nvidia-egpu': '0000:2e:00.0',
  'oculink-amd': '0000:03:00.0',
  'desktop-single': '0000:0b:00.0',
  'fell-off-bus': '0000:0a:00.0',
  suspended: '0000:66:00.0',
  lab: '0000:22:00.0',
  'tb3-nvidia-nvme': '0000:0a:00.0',
  'oculink-tb-dock': '0000:32:00.0',
  'oculink-direct': '0000:01:00.0',
};

function typicalClients(scenario: string, bdf: string): ClientInfo[] {
  const g = inventories.get(scenario)!.gpus.find((x) => x.bdf === bdf);
  const render = g?.drm.render ?? '/dev/dri/renderD129';
  const card = g?.drm.card ?? '/dev/dri/card1';
  const list = [
    client(1800, 'gnome-shell', bdf, [card], 'compositor'),
    client(
      2231,
      g?.nvidia ? 'ollama' : 'blender',
      bdf,
      g?.nvidia ? [g.nvidia.node, '/dev/nvidiactl', '/dev/nvidia-uvm'] : [render, '/dev/kfd'],
      'compute',
    ),
    client(3100, 'firefox', bdf, [render], 'browser'),
  ];
  if (g?.nvidia)
    list.push(
      client(900, 'nvidia-persistenced', bdf, [g.nvidia.node, '/dev/nvidiactl'], 'other', 0),
    );
  return list;
}

const GOLDEN = path.join(import.meta.dirname, '__golden__');

describe('planEject golden plans', () => {
  for (const s of SCENARIOS) {
    it(`${s.name}: no clients`, async () => {
      await expect(
        JSON.stringify(planEject(facts(s.name, EGPU[s.name]!)), null, 2) + '\n',
      ).toMatchFileSnapshot(path.join(GOLDEN, `${s.name}.json`));
    });
    it(`${s.name}: with clients (secondary compositor, compute job, browser, service)`, async () => {
      const bdf = EGPU[s.name]!;
      const shell = inventories.get(s.name)!.gpus.find((g) => g.bootVga)?.bdf ?? null;
      const plan = planEject(
        facts(s.name, bdf, {
          clients: typicalClients(s.name, bdf),
          primaryOf: new Map([[1800, shell]]),
        }),
      );
      await expect(JSON.stringify(plan, null, 2) + '\n').toMatchFileSnapshot(
        path.join(GOLDEN, `${s.name}-clients.json`),
      );
    });
  }
});

describe('planEject rules', () => {
  it('NVIDIA over TB3: unbind, remove the enclosure top, unload modules, drop the tunnel', () => {
    const p = planEject(facts('tb3-nvidia', '0000:0a:00.0'));
    expect(p.result).toBe('ready');
    expect(p.steps.map((s) => [s.step, ...(s.helper ?? [])].join(' '))).toEqual([
      'unbind unbind 0000:0a:00.0',
      'remove remove 0000:08:00.0',
      'unload-modules module-unload nvidia_drm nvidia_modeset nvidia_uvm nvidia',
      'drop-tunnel tb-deauthorize 0-1',
      'confirm-removal',
      'safe-to-unplug',
    ]);
  });

  it('blockers in plain words: a compute job (closable) and a compositor on its primary GPU (not)', () => {
    const bdf = '0000:0a:00.0';
    const p = planEject(
      facts('tb3-nvidia', bdf, {
        clients: [
          client(2231, 'ollama', bdf, ['/dev/nvidia0'], 'compute'),
          client(1700, 'kwin_wayland', bdf, ['/dev/dri/card1'], 'compositor'),
        ],
        primaryOf: new Map([[1700, bdf]]),
      }),
    );
    expect(p.result).toBe('blocked');
    expect(p.blockers.map((b) => [b.reason, b.closable])).toEqual([
      ['ollama (pid 2231) holds /dev/nvidia0', true],
      [
        'kwin_wayland uses this GPU as its primary GPU — log out first; `egpu restart-compositor` shows how to keep it off the eGPU next time',
        false,
      ],
    ]);
    expect(p.steps[0]).toMatchObject({ step: 'close-app', pid: 2231, privileged: false });
  });

  it('a second NVIDIA GPU keeps the NVIDIA modules loaded', () => {
    const p = planEject(facts('dgpu-nvidia-egpu', '0000:2e:00.0'));
    expect(p.steps.map((s) => s.step)).not.toContain('unload-modules');
  });

  it('amdgpu is never unloaded, and needs Linux 5.14 to hot-unplug', () => {
    const p = planEject(facts('usb4-amd', '0000:66:00.0'));
    expect(p.steps.map((s) => s.step)).not.toContain('unload-modules');
    const old = planEject(facts('usb4-amd', '0000:66:00.0', { kernel: [5, 10] }));
    expect(old.blockers[0]?.reason).toMatch(/only since Linux 5\.14; this is 5\.10/);
  });

  it('an internal GPU, a missing GPU and a GPU without removable ancestors are refused', () => {
    expect(planEject(facts('tb3-nvidia', '0000:00:02.0')).blockers[0]?.kind).toBe('internal');
    expect(planEject(facts('tb3-nvidia', '0000:42:00.0')).blockers[0]?.kind).toBe('not-present');
    const inv = inventories.get('tb3-nvidia')!;
    const g = { ...inv.gpus.find((x) => x.bdf === '0000:0a:00.0')!, enclosureTop: null };
    expect(planEject(facts('tb3-nvidia', g.bdf, { gpu: g })).blockers.map((b) => b.kind)).toEqual([
      'unsupported',
    ]);
  });

  it('a dock sharing the enclosure: only the GPU functions are removed', () => {
    const p = planEject(
      facts('tb3-nvidia', '0000:0a:00.0', { otherDevicesUnderTop: ['0000:0b:00.0'] }),
    );
    expect(p.steps.filter((s) => s.step === 'remove').map((s) => s.helper?.[1])).toEqual([
      '0000:0a:00.1',
      '0000:0a:00.0',
    ]);
    expect(p.warnings.join(' ')).toMatch(/also holds 0000:0b:00\.0/);
  });

  it("another user's process cannot be closed by us", () => {
    const bdf = '0000:0a:00.0';
    const p = planEject(
      facts('tb3-nvidia', bdf, {
        clients: [client(4000, 'steam', bdf, ['/dev/nvidia0'], 'other', 1001)],
      }),
    );
    expect(p.blockers[0]).toMatchObject({
      closable: false,
      reason: expect.stringMatching(/only that user or root can close it/),
    });
  });

  it('the OCuLink eGPU has no tunnel to drop and says nothing about one', () => {
    const p = planEject(facts('oculink-amd', '0000:03:00.0'));
    expect(p.steps.map((s) => s.step)).toEqual([
      'unbind',
      'remove',
      'confirm-removal',
      'safe-to-unplug',
    ]);
    expect(p.warnings).toEqual([]);
  });
});

describe('planEject: nothing but the GPU', () => {
  it('a drive on the same tunnel: named with model, disk and mount; the tunnel stays up', () => {
    const p = planEject(facts('tb3-nvidia-nvme', '0000:0a:00.0'));
    expect(p.result).toBe('ready');
    expect(p.steps.map((s) => [s.step, ...(s.helper ?? [])].join(' '))).toEqual([
      'unbind unbind 0000:0a:00.0',
      'remove remove 0000:0a:00.1',
      'remove remove 0000:0a:00.0',
      'unload-modules module-unload nvidia_drm nvidia_modeset nvidia_uvm nvidia',
      'confirm-removal',
      'safe-to-unplug',
    ]);
    const said =
      'Sonnet Echo III also carries NVMe drive Samsung SSD 980 PRO 1TB (/dev/nvme0n1, mounted at /run/media/alice/Projects) on the same Thunderbolt tunnel. The tunnel stays up, so the drive stays connected: eject it in your file manager first, then unplug.';
    expect(p.warnings).toContain(said);
    expect(p.unplugWarnings).toEqual([said]);
  });

  it('an OCuLink eGPU beside a Thunderbolt dock: the dock is not touched or mentioned', () => {
    const p = planEject(facts('oculink-tb-dock', '0000:32:00.0'));
    expect(p.steps.map((s) => [s.step, ...(s.helper ?? [])].join(' '))).toEqual([
      'unbind unbind 0000:32:00.0',
      'remove remove 0000:30:00.0',
      'confirm-removal',
      'safe-to-unplug',
    ]);
    expect(p.warnings).toEqual([]);
    expect(JSON.stringify(p)).not.toMatch(/CalDigit|0-1|tb-deauthorize/);
  });

  it('a GPU directly behind the external port: every function goes, and every one is checked', () => {
    const p = planEject(facts('oculink-direct', '0000:01:00.0'));
    expect(p.steps.map((s) => [s.step, ...(s.helper ?? [])].join(' '))).toEqual([
      'unbind unbind 0000:01:00.0',
      'remove remove 0000:01:00.1',
      'remove remove 0000:01:00.0',
      'unload-modules module-unload nvidia_drm nvidia_modeset nvidia',
      'confirm-removal',
      'safe-to-unplug',
    ]);
    expect(p.steps.find((s) => s.step === 'confirm-removal')?.targets).toEqual([
      '0000:01:00.0',
      '0000:01:00.1',
    ]);
    expect(p.warnings).toEqual([]);
  });
});
