import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OLLAMA } from '../../core/test/fake-core-data.js';
import type { StepProgress } from '../../common/actions-model.js';
import { createEjectIntents } from '../eject-intent.js';
import {
  knownEnclosuresPathFor,
  loadKnownEnclosures,
  mergeKnownEnclosures,
  saveKnownEnclosures,
  type EnclosureTrust,
} from '../known-enclosures.js';
import { createFileGpuLocks } from '../gpu-lock.js';
import { readInventory } from '../../inventory/inventory.js';
import { systemClock } from '../../platform/clock.js';
import { createNodeCommandRunner } from '../../platform/command-runner.js';
import { createPrivilegedRunner } from '../../platform/privileged.js';
import { processAlive } from '../../platform/processes.js';
import { createDbusPort } from '../../platform/dbus.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { dbusDaemonAvailable, startTestBus } from '../../sources/test/dbus-daemon.js';
import { startFakeBolt } from '../../sources/test/fake-bolt-service.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot } from '../../sim/sysroot-fixture.js';
import { startSim, type SimFixture } from '../../sim/test/sim-fixture.js';
import { createEjectService } from '../eject/eject-service.js';
import { coreConfirm } from '../eject/test/core-confirm.js';
import { planRecover, type RecoverFacts } from './recover-planner.js';
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
  const intents = createEjectIntents(
    path.join(sim.dir, 'run/egpu-guard/ejecting'),
    () => Date.now(),
    processAlive,
  );
  // No udev transcript: the core confirms an eject's removal from its re-reads of sysfs.
  const core = coreConfirm(root, intents, null);
  cleanups.push(() => core.stop());
  return {
    root,
    known,
    /** What the live core does when a GPU attaches: remember the enclosure that carries it. */
    rememberEnclosures() {
      const file = knownEnclosuresPathFor(known);
      const merged = mergeKnownEnclosures(loadKnownEnclosures(file), readInventory(root));
      if (merged !== null) saveKnownEnclosures(file, merged);
    },
    eject: createEjectService({
      root,
      clock: systemClock,
      privileged,
      intents,
      locks: createFileGpuLocks(path.join(sim.dir, 'run/egpu-guard/locks')),
      confirmGone: core.confirmGone,
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

const NO_TRUST: EnclosureTrust = { enclosures: [], knownGpus: [], boltStored: new Set() };
const CORE_X = 'dc010000-0000-8508-a22d-32ca6421cb16';
const SEEN_CORE_X: EnclosureTrust = {
  ...NO_TRUST,
  enclosures: [{ uniqueId: CORE_X, name: 'Razer Core X', gpus: ['0000:0a:00.0'] }],
};

/** The planner with nothing trusted and nothing approved unless a test says so. */
const plan = (f: Omit<RecoverFacts, 'trust' | 'approve'> & Partial<RecoverFacts>) =>
  planRecover({ trust: NO_TRUST, approve: null, ...f });

describe('recover planner', () => {
  it('a healthy attached eGPU needs only verification', () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const p = plan({
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
    const p = plan({
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
    const p = plan({
      bdf: null,
      inventory: readInventory(f.root),
      known: [],
      boltAvailable: true,
      trust: SEEN_CORE_X,
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
    const reload = plan({
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
      plan({
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
    const trust = SEEN_CORE_X;
    const viaBolt = plan({ bdf: null, inventory, known: [], boltAvailable: true, trust });
    expect(viaBolt.steps[0]).toMatchObject({
      step: 'authorize',
      privileged: false,
      uid: CORE_X,
    });
    const viaHelper = plan({ bdf: null, inventory, known: [], boltAvailable: false, trust });
    expect(viaHelper.steps[0]).toMatchObject({
      step: 'authorize',
      privileged: true,
      helper: ['tb-authorize', '0-1'],
    });
    expect(viaHelper.steps.map((s) => s.step)).toEqual(['authorize', 'rescan', 'verify']);
  });
});

/** tb3-nvidia with the Core X plugged but waiting, and a stranger waiting beside it. */
function waitingWithStranger(extra: { enclosurePresent?: boolean } = {}) {
  const base = scenarioByName('tb3-nvidia')!;
  return makeSysroot({
    ...base,
    pci: extra.enclosurePresent ? base.pci : base.pci.filter((p) => !p.enclosure),
    thunderbolt: {
      ...base.thunderbolt,
      routers: [
        ...base.thunderbolt.routers.map((r) =>
          r.id === '0-1' ? { ...r, authorized: 0 as const } : r,
        ),
        STRANGER,
      ],
    },
  });
}

const STRANGER_UID = '7e57c0de-0000-4242-8000-00000000beef';
const STRANGER = {
  id: '0-3',
  domain: 'domain0',
  parent: '0-0',
  vendor: 0x1234,
  vendorName: 'Unknown',
  device: 0x5678,
  deviceName: 'Never-seen device',
  authorized: 0 as const,
  uniqueId: STRANGER_UID,
  generation: 3,
};

const REMEMBERED_3070 = {
  bdf: '0000:0a:00.0',
  name: 'NVIDIA GeForce RTX 3070',
  vendorId: '0x10de',
  deviceId: '0x2484',
  enclosure: { name: 'Razer Core X', router: '0-1', uniqueId: CORE_X },
};

describe('recover planner: which Thunderbolt devices it may authorize', () => {
  it('authorizes the enclosure it has seen carry the GPU, and only lists a new device with its unique_id', () => {
    const f = waitingWithStranger();
    cleanups.push(() => f.cleanup());
    const p = plan({
      bdf: null,
      inventory: readInventory(f.root),
      known: [REMEMBERED_3070],
      boltAvailable: false,
      trust: SEEN_CORE_X,
    });
    expect(p.result).toBe('ready');
    expect(p.steps.filter((s) => s.step === 'authorize').map((s) => s.helper)).toEqual([
      ['tb-authorize', '0-1'],
    ]);
    expect(JSON.stringify(p.steps)).not.toContain('0-3');
    expect(p.warnings.join('\n')).toContain(
      `Unknown Never-seen device (unique_id ${STRANGER_UID}) is a new Thunderbolt device: eGPU Guard has never seen a GPU behind it, so Recover does not authorize it. If you trust it, approve it in the eGPU Guard window with "Authorize this device".`,
    );
  });

  it('a known GPU counts its recorded enclosure (known-gpus.json) as seen', () => {
    const f = waitingWithStranger();
    cleanups.push(() => f.cleanup());
    const p = plan({
      bdf: '0000:0a:00.0',
      inventory: readInventory(f.root),
      known: [REMEMBERED_3070],
      boltAvailable: true,
      trust: { ...NO_TRUST, knownGpus: [REMEMBERED_3070] },
    });
    expect(p.steps.map((s) => s.step)).toEqual(['authorize', 'rescan', 'verify']);
    expect(p.steps[0]).toMatchObject({ uid: CORE_X });
  });

  it('nothing seen before: the new devices block, each named with its unique_id; no step authorizes', () => {
    const f = waitingWithStranger();
    cleanups.push(() => f.cleanup());
    const p = plan({ bdf: null, inventory: readInventory(f.root), known: [], boltAvailable: true });
    expect(p.result).toBe('blocked');
    expect(p.blockers.map((b) => b.kind)).toEqual(['new-device', 'new-device']);
    expect(p.blockers.map((b) => b.reason).join('\n')).toContain(`unique_id ${STRANGER_UID}`);
    expect(p.steps.some((s) => s.step === 'authorize')).toBe(false);
  });

  it("bolt's stored devices count as approved; a device the user approved in the window is authorized alone", () => {
    const f = waitingWithStranger();
    cleanups.push(() => f.cleanup());
    const inventory = readInventory(f.root);
    const stored = plan({
      bdf: null,
      inventory,
      known: [],
      boltAvailable: true,
      trust: { ...NO_TRUST, boltStored: new Set([STRANGER_UID]) },
    });
    expect(stored.steps.filter((s) => s.step === 'authorize').map((s) => s.uid)).toEqual([
      STRANGER_UID,
    ]);
    const approved = plan({
      bdf: null,
      inventory,
      known: [],
      boltAvailable: false,
      approve: STRANGER_UID,
    });
    expect(approved.result).toBe('ready');
    expect(approved.steps.filter((s) => s.step === 'authorize').map((s) => s.helper)).toEqual([
      ['tb-authorize', '0-3'],
    ]);
    expect(
      plan({ bdf: null, inventory, known: [], boltAvailable: false, approve: 'not-waiting' })
        .blockers[0]?.reason,
    ).toBe('no Thunderbolt device not-waiting is waiting for authorization');
  });

  it("recover <BDF> authorizes only an enclosure that carried that GPU; another GPU's is left alone, not called new", () => {
    const f = waitingWithStranger();
    cleanups.push(() => f.cleanup());
    const other = { ...REMEMBERED_3070, bdf: '0000:0b:00.0', deviceId: '0x9999', enclosure: null };
    const p = plan({
      bdf: '0000:0b:00.0',
      inventory: readInventory(f.root),
      known: [other],
      boltAvailable: false,
      trust: SEEN_CORE_X,
    });
    expect(p.steps.some((s) => s.step === 'authorize')).toBe(false);
    expect(p.warnings.join(' ')).not.toContain(CORE_X);
    expect(p.warnings.join(' ')).toContain(`unique_id ${STRANGER_UID}`);
  });

  it('recover <BDF> of a GPU that is present authorizes nothing, even a known enclosure', () => {
    const f = waitingWithStranger({ enclosurePresent: true });
    cleanups.push(() => f.cleanup());
    const p = plan({
      bdf: '0000:0a:00.0',
      inventory: readInventory(f.root),
      known: [REMEMBERED_3070],
      boltAvailable: false,
      trust: { ...SEEN_CORE_X, boltStored: new Set([CORE_X, STRANGER_UID]) },
    });
    expect(p.steps.some((s) => s.step === 'authorize')).toBe(false);
  });
});

describe("recover service: bolt's stored devices", () => {
  it.skipIf(!dbusDaemonAvailable())(
    'a waiting device bolt has stored is authorized through bolt; one it has not is only named',
    async () => {
      const bus = await startTestBus('system');
      cleanups.push(() => void bus.stop());
      const bolt = await startFakeBolt(bus.address, [
        {
          uid: STRANGER_UID,
          name: 'Never-seen device',
          vendor: 'Unknown',
          status: 'connected',
          stored: true,
        },
        { uid: CORE_X, name: 'Core X', vendor: 'Razer', status: 'connected' },
      ]);
      cleanups.push(() => void bolt.stop());
      const f = waitingWithStranger();
      cleanups.push(() => f.cleanup());
      const service = createRecoverService({
        root: f.root,
        clock: systemClock,
        privileged: createPrivilegedRunner({
          runner: createNodeCommandRunner(),
          stepTimeoutMs: 1000,
        }),
        dbus: createDbusPort({ env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } }),
        knownGpusPath: null,
        stepTimeoutMs: 1000,
      });
      const p = await service.plan(null);
      expect(p.steps.filter((s) => s.step === 'authorize')).toEqual([
        expect.objectContaining({ uid: STRANGER_UID, privileged: false }),
      ]);
      expect(p.warnings.join(' ')).toContain(
        `Razer Core X (unique_id ${CORE_X}) is a new Thunderbolt device`,
      );
    },
  );
});

describe('recover planner: a GPU that fell off the bus', () => {
  it('gets remove (its enclosure bridges with it), rescan, bind and verify — and is told what happens if it stays dead', () => {
    const f = makeSysroot(scenarioByName('fell-off-bus')!);
    cleanups.push(() => f.cleanup());
    const p = plan({
      bdf: '0000:0a:00.0',
      inventory: readInventory(f.root),
      known: [],
      boltAvailable: false,
    });
    expect(p.result).toBe('ready');
    expect(p.steps.map((s) => [s.step, s.helper?.join(' ') ?? null])).toEqual([
      ['remove', 'remove 0000:08:00.0'],
      ['rescan', 'rescan'],
      ['bind', 'bind 0000:0a:00.0 nvidia'],
      ['verify', null],
    ]);
    expect(p.warnings).toContain(
      'NVIDIA GeForce RTX 3070 (0000:0a:00.0) does not respond on the bus. If it still does not respond after this recovery, reconnect the enclosure; if that fails, a reboot is needed.',
    );
  });

  it('an app still holding the dead NVIDIA GPU blocks the remove (it would hang); another driver only warns', () => {
    const f = makeSysroot(scenarioByName('fell-off-bus')!);
    cleanups.push(() => f.cleanup());
    const inventory = readInventory(f.root);
    const ollama = OLLAMA; // holds the GPU at 0000:0a:00.0
    const deadHolders = new Map([
      ['0000:0a:00.0', [ollama, { ...ollama, nodes: ['/dev/nvidia-uvm'] }]],
    ]);
    const p = plan({
      bdf: '0000:0a:00.0',
      inventory,
      known: [],
      boltAvailable: false,
      deadHolders,
    });
    expect(p.result).toBe('blocked');
    expect(p.blockers).toEqual([
      {
        kind: 'client',
        closable: false,
        pid: 4242,
        comm: 'ollama',
        reason:
          'ollama (pid 4242) still holds NVIDIA GeForce RTX 3070, which does not respond: the NVIDIA driver cannot let go of the GPU while an app holds it, and removing it now would hang — close ollama first (if it does not quit, it is stuck on the dead GPU and only a reboot frees it)',
      },
    ]);
    // The same GPU under a driver that survives open files: the app is named, nothing blocks.
    const amd = {
      ...inventory,
      gpus: inventory.gpus.map((g) => (g.bdf === '0000:0a:00.0' ? { ...g, driver: 'amdgpu' } : g)),
    };
    const q = plan({
      bdf: '0000:0a:00.0',
      inventory: amd,
      known: [],
      boltAvailable: false,
      deadHolders,
    });
    expect(q.result).toBe('ready');
    expect(q.warnings).toContain(
      'ollama (pid 4242) still holds NVIDIA GeForce RTX 3070: it loses the GPU in the recovery',
    );
  });

  it("with other devices in the enclosure, removes only the GPU's own functions", () => {
    const f = makeSysroot(scenarioByName('fell-off-bus')!);
    cleanups.push(() => f.cleanup());
    const p = plan({
      bdf: null,
      inventory: readInventory(f.root),
      known: [],
      boltAvailable: false,
      othersUnderTop: () => ['0000:0b:00.0'],
    });
    expect(p.steps.filter((s) => s.step === 'remove').map((s) => s.helper?.join(' '))).toEqual([
      'remove 0000:0a:00.1',
      'remove 0000:0a:00.0',
    ]);
  });
});

describe('recover against the simulated kernel', () => {
  it('after an eject (tunnel dropped, GPU removed), recover brings it back with new DRM nodes', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const s = services(sim);
    s.rememberEnclosures();
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

  /** A recover service with a short step timeout (a dead GPU is waited for that long). */
  const quick = (sim: SimFixture, known: string) =>
    createRecoverService({
      root: createSystemRoot({ root: sim.dir }),
      clock: systemClock,
      privileged: createPrivilegedRunner({
        runner: createNodeCommandRunner(),
        testRoot: sim.dir,
        stepTimeoutMs: 4000,
      }),
      dbus: null,
      knownGpusPath: known,
      stepTimeoutMs: 1500,
    });

  it('fell off the bus: remove + rescan leave it dead, so the result says so honestly; after a re-plug it is recovered', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const s = services(sim);
    s.rememberEnclosures();
    expect(sim.kernel.fallOffBus()).toEqual(['0000:0a:00.0', '0000:0a:00.1']);
    const recover = quick(sim, s.known);
    const progress: StepProgress[] = [];
    const dead = await recover.run(
      '0000:0a:00.0',
      (p) => progress.push(p),
      () => false,
    );
    expect(dead).toEqual({
      result: 'failed',
      detail:
        'NVIDIA GeForce RTX 3070 (0000:0a:00.0) is still not responding — reconnect the enclosure; if that fails, a reboot is needed.',
    });
    // The rescan ran, but what it was for — the GPU answering — did not happen: that step failed.
    expect(progress.filter((p) => p.status !== 'running').map((p) => [p.step, p.status])).toEqual([
      ['remove', 'done'],
      ['rescan', 'failed'],
    ]);
    expect(sim.kernelSince(0)).toContain(
      'pci 0000:0a:00.0: unknown header type 7f, ignoring device',
    );
    // The enclosure's bridges came back with the rescan; the GPU did not.
    expect(sim.exists('/sys/bus/pci/devices/0000:08:00.0')).toBe(true);
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(false);

    // Yank the cable and plug it in again: the Core X waits for authorization (security "user").
    expect(sim.kernel.unplug()).toBe(true);
    expect(sim.kernel.plug()).toBe(true);
    const back = await recover.run(
      '0000:0a:00.0',
      () => undefined,
      () => false,
    );
    expect(back.result, back.detail).toBe('recovered');
    expect(back.detail).toMatch(/^NVIDIA GeForce RTX 3070 is back\.$/);
    expect(readInventory(s.root).gpus.find((g) => g.bdf === '0000:0a:00.0')?.health).toBe('ok');
  });

  it('a GPU that still reads all ones is never "recovered", whatever its driver link says', async () => {
    const sim = startSim(scenarioByName('fell-off-bus')!);
    cleanups.push(() => sim.cleanup());
    const s = services(sim);
    const final = await quick(sim, s.known).run(
      null,
      () => undefined,
      () => false,
    );
    expect(final.result).toBe('failed');
    expect(final.detail).toContain('is still not responding — reconnect the enclosure');
  });

  it('a new Thunderbolt device stays unauthorized: recover only names it', async () => {
    const base = scenarioByName('tb3-nvidia')!;
    const sim = startSim({
      ...base,
      thunderbolt: { ...base.thunderbolt, routers: [...base.thunderbolt.routers, STRANGER] },
    });
    cleanups.push(() => sim.cleanup());
    const s = services(sim);
    s.rememberEnclosures();
    const plan = await s.recover.plan(null);
    expect(plan.warnings.join(' ')).toContain(`unique_id ${STRANGER_UID}`);
    const all = await s.recover.run(
      null,
      () => undefined,
      () => false,
    );
    expect(all.result, all.detail).toBe('recovered');
    const one = await s.recover.run(
      '0000:0a:00.0',
      () => undefined,
      () => false,
    );
    expect(one.result, one.detail).toBe('recovered');
    expect(sim.read('/sys/bus/thunderbolt/devices/0-3/authorized').trim()).toBe('0');
    // Approved in the window, it is authorized.
    const approved = await s.recover.run(
      null,
      () => undefined,
      () => false,
      { approve: STRANGER_UID },
    );
    expect(approved.result, approved.detail).toBe('recovered');
    expect(sim.read('/sys/bus/thunderbolt/devices/0-3/authorized').trim()).toBe('1');
  });
});
