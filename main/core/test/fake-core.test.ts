import { describe, expect, it } from 'vitest';
import type { ActionFinal, StepProgress } from '../../common/actions-model.js';
import type { Snapshot } from '../../common/snapshot.js';
import { ManualClock } from '../../platform/clock.js';
import { EGPU_BDF, IGPU_BDF } from './fake-core-data.js';
import { createFakeCore } from './fake-core.js';

const setup = (failAt?: StepProgress['step']) => {
  const clock = new ManualClock();
  const core = createFakeCore({ clock, stepMs: 100, ...(failAt ? { failAt } : {}) });
  const egpu = (): Snapshot['gpus'][number] =>
    core.snapshot().gpus.find((g) => g.bdf === EGPU_BDF)!;
  return { clock, core, egpu };
};

/** Advances the clock step by step until the run settles. */
async function settle(clock: ManualClock, done: Promise<ActionFinal>): Promise<ActionFinal> {
  let final: ActionFinal | undefined;
  void done.then((f) => (final = f));
  for (let i = 0; i < 100 && final === undefined; i++) {
    clock.advance(100);
    await Promise.resolve();
  }
  return final!;
}

describe('FakeCore', () => {
  it('starts with the eGPU in use by ollama and the iGPU driving the desktop', () => {
    const { core, egpu } = setup();
    expect(egpu()).toMatchObject({ state: 'in-use', external: true, present: true });
    expect(egpu().clients?.map((c) => [c.comm, c.role])).toEqual([['ollama', 'compute']]);
    expect(core.snapshot().gpus.find((g) => g.bdf === IGPU_BDF)?.external).toBe(false);
    expect(core.snapshot().sources.map((s) => s.via)).toContain('journal');
  });

  it('plans an eject with ollama as a closable blocker and every step listed', async () => {
    const { core } = setup();
    const plan = await core.planEject(EGPU_BDF);
    expect(plan.ok && plan.value.result).toBe('blocked');
    if (!plan.ok) return;
    expect(plan.value.blockers).toEqual([
      expect.objectContaining({ kind: 'client', pid: 4242, closable: true }),
    ]);
    expect(plan.value.steps.map((s) => s.step)).toEqual([
      'close-app',
      'unbind',
      'remove',
      'drop-tunnel',
      'confirm-removal',
      'safe-to-unplug',
    ]);
    const internal = await core.planEject(IGPU_BDF);
    expect(internal.ok && internal.value.blockers[0]?.kind).toBe('internal');
    expect((await core.planEject('0000:99:00.0')).ok).toBe(false);
  });

  it('refuses to run while the user has not agreed to close a blocker', async () => {
    const { core } = setup();
    const final = await core.runEject(EGPU_BDF, { closePids: [], force: false }, () => {}).done;
    expect(final.result).toBe('blocked');
    expect(final.detail).toMatch(/ollama/);
  });

  it('runs an eject step by step to safe-to-unplug', async () => {
    const { clock, core, egpu } = setup();
    const progress: StepProgress[] = [];
    const states: string[] = [];
    core.onSnapshot((s) => states.push(s.gpus.find((g) => g.bdf === EGPU_BDF)!.state));
    const run = core.runEject(EGPU_BDF, { closePids: [4242], force: false }, (p) =>
      progress.push(p),
    );
    const final = await settle(clock, run.done);
    expect(final).toEqual({
      result: 'safe-to-unplug',
      detail: 'You can unplug the Razer Core X now.',
    });
    expect(progress.filter((p) => p.status === 'done').map((p) => p.step)).toHaveLength(6);
    expect(progress[0]).toMatchObject({ step: 'close-app', status: 'running' });
    expect(states[0]).toBe('ejecting');
    expect(egpu()).toMatchObject({ state: 'safe-to-unplug', present: false, clients: [] });
  });

  it('stops between steps on cancel and skips the rest', async () => {
    const { clock, core, egpu } = setup();
    const progress: StepProgress[] = [];
    const run = core.runEject(EGPU_BDF, { closePids: [4242], force: false }, (p) =>
      progress.push(p),
    );
    clock.advance(0);
    clock.advance(100); // close-app done, unbind running
    run.cancel();
    const final = await settle(clock, run.done);
    expect(final.result).toBe('cancelled');
    expect(progress.filter((p) => p.status === 'skipped').map((p) => p.step)).toEqual([
      'remove',
      'drop-tunnel',
      'confirm-removal',
      'safe-to-unplug',
    ]);
    expect(egpu()).toMatchObject({ state: 'attached', present: true });
  });

  it('reports a failing step and restores the state', async () => {
    const { clock, core, egpu } = setup('remove');
    const run = core.runEject(EGPU_BDF, { closePids: [4242], force: false }, () => {});
    const final = await settle(clock, run.done);
    expect(final.result).toBe('failed');
    expect(egpu().state).toBe('attached');
  });

  it('yanking the cable while in use opens an incident; re-plug and recover bring it back', async () => {
    const { clock, core, egpu } = setup();
    expect((await core.act('unplug')).ok).toBe(true);
    expect(egpu()).toMatchObject({ state: 'surprise-removed', present: false });
    const incident = core.snapshot().incidents[0]!;
    expect(incident.title).toBe('NVIDIA GeForce RTX 3070 unplugged while in use');
    expect(incident.evidence.map((e) => e.source)).toContain('kernel');
    expect(incident.meaning.length).toBeGreaterThan(0);
    expect(incident.nextSteps.join(' ')).toMatch(/Recover/);
    const blocked = await core.planRecover(EGPU_BDF);
    expect(blocked.ok && blocked.value.blockers[0]?.kind).toBe('not-present');
    await core.act('plug');
    expect(egpu().state).toBe('connected');
    const plan = await core.planRecover(null);
    expect(plan.ok && plan.value.steps.map((s) => s.step)).toEqual([
      'authorize',
      'rescan',
      'bind',
      'verify',
    ]);
    const final = await settle(clock, core.runRecover(null, () => {}).done);
    expect(final.result).toBe('recovered');
    expect(egpu()).toMatchObject({ state: 'attached', present: true, incident: null });
  });

  it('demo actions: start an app, fall off the bus, reset', async () => {
    const { core, egpu } = setup();
    await core.act('start-app');
    expect(egpu().clients?.map((c) => c.comm)).toEqual(['ollama', 'blender']);
    await core.act('fall-off-bus');
    expect(egpu()).toMatchObject({ state: 'fell-off-bus' });
    expect(egpu().info?.health).toBe('unreachable');
    expect(core.snapshot().incidents.map((i) => i.kind)).toEqual(['fell-off-bus']);
    const start = await core.act('start-app');
    expect(start.ok ? null : start.error.code).toBe('device-gone');
    await core.act('reset');
    expect(egpu()).toMatchObject({ state: 'in-use', present: true });
    expect(core.snapshot().incidents).toEqual([]);
  });

  it('closes a client by pid and says when there is none', async () => {
    const { core, egpu } = setup();
    expect((await core.closeClient(4242, false)).ok).toBe(true);
    expect(egpu().state).toBe('attached');
    const again = await core.closeClient(4242, false);
    expect(again.ok ? null : again.error.code).toBe('not-found');
  });
});
