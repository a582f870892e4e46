import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../../common/actions-model.js';
import { createEjectIntents } from '../../core/eject-intent.js';
import { readInventory } from '../../inventory/inventory.js';
import { systemClock } from '../../platform/clock.js';
import { createNodeCommandRunner } from '../../platform/command-runner.js';
import { createPrivilegedRunner } from '../../platform/privileged.js';
import { processAlive } from '../../platform/processes.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot } from '../../sim/sysroot-fixture.js';
import { startSim, type SimFixture } from '../../sim/test/sim-fixture.js';
import { createEjectService } from '../eject/eject-service.js';
import { planRecover } from './recover-planner.js';
import { createRecoverService } from './recover-service.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function services(sim: SimFixture) {
  const root = createSystemRoot({ root: sim.dir });
  const privileged = createPrivilegedRunner({
    runner: createNodeCommandRunner(),
    testRoot: sim.dir,
    stepTimeoutMs: 8000,
  });
  const known = path.join(sim.dir, 'var/lib/egpu-guard/known-gpus.json');
  return {
    root,
    known,
    eject: createEjectService({
      root,
      clock: systemClock,
      privileged,
      intents: createEjectIntents(
        path.join(sim.dir, 'run/egpu-guard/ejecting'),
        () => Date.now(),
        processAlive,
      ),
      uid: 0,
      stepTimeoutMs: 8000,
    }),
    recover: createRecoverService({
      root,
      clock: systemClock,
      privileged,
      dbus: null,
      knownGpusPath: known,
      stepTimeoutMs: 8000,
    }),
  };
}

describe('recover planner', () => {
  it('a healthy attached eGPU needs only verification', () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const p = planRecover({
      bdf: '0000:0a:00.0',
      inventory: readInventory(f.root),
      known: [],
      boltAvailable: false,
    });
    expect(p).toMatchObject({ result: 'ready', name: 'NVIDIA GeForce RTX 3070' });
    expect(p.steps.map((s) => s.step)).toEqual(['verify']);
  });

  it('nothing connected and nothing remembered is blocked in plain words', () => {
    const f = makeSysroot({
      ...scenarioByName('tb3-nvidia')!,
      pci: scenarioByName('tb3-nvidia')!.pci.filter((p) => !p.enclosure),
    });
    cleanups.push(() => f.cleanup());
    const p = planRecover({
      bdf: null,
      inventory: readInventory(f.root),
      known: [],
      boltAvailable: false,
    });
    expect(p.result).toBe('blocked');
    expect(p.blockers[0]?.reason).toMatch(/no eGPU is known or connected — plug the enclosure in/);
  });

  it('a Thunderbolt domain that allows no PCIe tunnels blocks, with the reason', () => {
    const base = scenarioByName('tb3-nvidia')!;
    const f = makeSysroot({
      ...base,
      pci: base.pci.filter((p) => !p.enclosure),
      thunderbolt: {
        domains: base.thunderbolt.domains.map((d) => ({ ...d, security: 'dponly' })),
        routers: base.thunderbolt.routers.map((r) =>
          r.id === '0-1' ? { ...r, authorized: 0 as const } : r,
        ),
      },
    });
    cleanups.push(() => f.cleanup());
    const p = planRecover({
      bdf: null,
      inventory: readInventory(f.root),
      known: [],
      boltAvailable: true,
    });
    expect(p.blockers[0]?.reason).toMatch(/"dponly" .* allows no PCIe tunnels/);
  });

  it('an NVIDIA GPU without its card node gets nvidia_drm loaded — or reloaded only when no other GPU uses it', () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const inv = readInventory(f.root);
    const noCard = {
      ...inv,
      gpus: inv.gpus.map((g) =>
        g.bdf === '0000:0a:00.0' ? { ...g, drm: { card: null, render: null } } : g,
      ),
    };
    const reload = planRecover({
      bdf: '0000:0a:00.0',
      inventory: noCard,
      known: [],
      boltAvailable: false,
    });
    expect(
      reload.steps.filter((s) => s.step === 'reload-modules').map((s) => s.helper?.join(' ')),
    ).toEqual(['module-unload nvidia_drm nvidia_modeset', 'module-load nvidia_drm']);
    const unloaded = {
      ...noCard,
      modules: noCard.modules.filter((m) => !m.name.startsWith('nvidia_drm')),
    };
    expect(
      planRecover({
        bdf: '0000:0a:00.0',
        inventory: unloaded,
        known: [],
        boltAvailable: false,
      }).steps.find((s) => s.step === 'reload-modules')?.helper,
    ).toEqual(['module-load', 'nvidia_drm']);
  });

  it('bolt, when it runs, authorizes (polkit asks the user); otherwise the helper does', () => {
    const base = scenarioByName('tb3-nvidia')!;
    const f = makeSysroot({
      ...base,
      pci: base.pci.filter((p) => !p.enclosure),
      thunderbolt: {
        ...base.thunderbolt,
        routers: base.thunderbolt.routers.map((r) =>
          r.id === '0-1' ? { ...r, authorized: 0 as const } : r,
        ),
      },
    });
    cleanups.push(() => f.cleanup());
    const inventory = readInventory(f.root);
    const viaBolt = planRecover({ bdf: null, inventory, known: [], boltAvailable: true });
    expect(viaBolt.steps[0]).toMatchObject({
      step: 'authorize',
      privileged: false,
      uid: 'dc010000-0000-8508-a22d-32ca6421cb16',
    });
    const viaHelper = planRecover({ bdf: null, inventory, known: [], boltAvailable: false });
    expect(viaHelper.steps[0]).toMatchObject({
      step: 'authorize',
      privileged: true,
      helper: ['tb-authorize', '0-1'],
    });
    expect(viaHelper.steps.map((s) => s.step)).toEqual(['authorize', 'rescan', 'verify']);
  });
});

describe('recover against the simulated kernel', () => {
  it('after an eject (tunnel dropped, GPU removed), recover brings it back with new DRM nodes', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const s = services(sim);
    const ejected = await s.eject.run(
      '0000:0a:00.0',
      { closePids: [], force: false },
      () => undefined,
      () => false,
    );
    expect(ejected.result).toBe('safe-to-unplug');
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(false);
    const progress: StepProgress[] = [];
    const final = await s.recover.run(
      '0000:0a:00.0',
      (p) => progress.push(p),
      () => false,
    );
    expect(final.result, final.detail).toBe('recovered');
    // (The simulated NVIDIA driver creates its DRM nodes when it binds, so no nvidia_drm reload
    // is needed here; the planner test covers the reload.)
    expect(progress.filter((p) => p.status === 'done').map((p) => p.step)).toEqual([
      'authorize',
      'rescan',
      'verify',
    ]);
    const gpu = readInventory(s.root).gpus.find((g) => g.bdf === '0000:0a:00.0');
    expect(gpu?.driver).toBe('nvidia');
    expect(gpu?.drm.card).toBe('/dev/dri/card2'); // minors are not recycled
  });

  it('a rescan that finds nothing fails with advice, not a hang', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const s = services(sim);
    sim.kernel.unplug();
    await new Promise((r) => setTimeout(r, 300));
    fs.mkdirSync(path.dirname(s.known), { recursive: true });
    fs.writeFileSync(
      s.known,
      JSON.stringify([
        {
          bdf: '0000:0a:00.0',
          name: 'NVIDIA GeForce RTX 3070',
          vendorId: '0x10de',
          deviceId: '0x2484',
          enclosure: null,
        },
      ]),
    );
    const recover = createRecoverService({
      root: s.root,
      clock: systemClock,
      privileged: createPrivilegedRunner({
        runner: createNodeCommandRunner(),
        testRoot: sim.dir,
        stepTimeoutMs: 1500,
      }),
      dbus: null,
      knownGpusPath: s.known,
      stepTimeoutMs: 1500,
    });
    const final = await recover.run(
      '0000:0a:00.0',
      () => undefined,
      () => false,
    );
    expect(final.result).toBe('failed');
    expect(final.detail).toMatch(/The rescan found no GPU/);
  });
});
