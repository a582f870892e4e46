// One core per session, from the attaching side: a face started while `egpu service` runs gets
// the service's core over the bus (RemoteCore) — the same GPUs, an eject run by the service
// with its progress, and a clear end when the service goes away. With no service it gets null
// and runs its own.

import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../common/actions-model.js';
import { startCli, type CliChild } from '../cli/test/cli-child.js';
import { createDbusPort } from '../platform/dbus.js';
import { scenarioByName } from '../sim/scenarios/index.js';
import { startSim } from '../sim/test/sim-fixture.js';
import { startTestBus, type TestBus } from '../sources/test/dbus-daemon.js';
import { createShellCore } from '../../electron/core-factory.js';
import { attachSessionCore } from './remote-core.js';

const GPU = '0000:0a:00.0';
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startService(bus: TestBus, dir: string): Promise<CliChild> {
  const s = startCli(
    [
      'service',
      '--root',
      dir,
      '--udev-log',
      path.join(dir, 'run/egpu-sim/udev.log'),
      '--no-dbus',
      '--no-notify',
    ],
    { DBUS_SESSION_BUS_ADDRESS: bus.address, HOME: dir },
  );
  cleanups.push(() => s.stop('SIGKILL'));
  const end = Date.now() + 15_000;
  while (!s.stderr().includes('serving io.github.EgpuGuard1')) {
    if (Date.now() > end || s.child.exitCode !== null)
      throw new Error(`service did not start: ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return s;
}

describe('attaching to the session core', () => {
  it('finds none on an empty bus, and none without a session bus at all', async () => {
    const bus = await startTestBus('session');
    cleanups.push(() => bus.stop());
    const none = await attachSessionCore(
      createDbusPort({ env: { DBUS_SESSION_BUS_ADDRESS: bus.address } }),
    );
    expect(none).toEqual({ ok: true, value: null });
    const noBus = await attachSessionCore(createDbusPort({ env: {} }));
    expect(noBus).toEqual({ ok: true, value: null });
  });

  it("shows the service's GPUs, runs an eject through it, and says when it is gone", async () => {
    const bus = await startTestBus('session');
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(
      () => bus.stop(),
      () => sim.cleanup(),
    );
    const service = await startService(bus, sim.dir);
    const attached = await attachSessionCore(
      createDbusPort({ env: { DBUS_SESSION_BUS_ADDRESS: bus.address } }),
    );
    if (!attached.ok || attached.value === null) throw new Error('not attached');
    const core = attached.value;
    cleanups.push(() => core.stop());
    await core.start();
    expect(core.snapshot().gpus.find((g) => g.bdf === GPU)).toMatchObject({
      name: 'NVIDIA GeForce RTX 3070',
      state: 'attached',
    });
    const plan = await core.planEject(GPU);
    expect(plan.ok && plan.value.result).toBe('ready');

    const steps: StepProgress[] = [];
    const states: string[] = [];
    core.onTransition((t) => states.push(t.to));
    const run = core.runEject(GPU, { closePids: [], force: false }, (p) => steps.push(p));
    const final = await run.done;
    expect(final).toMatchObject({
      result: 'safe-to-unplug',
      detail: 'NVIDIA GeForce RTX 3070 is safe to unplug. Unplug the Razer Core X now.',
    });
    expect(steps.some((p) => p.status === 'done')).toBe(true);
    // The service printed the same story: the eject was its own, not a second core's.
    await service.waitFor((l) => l.includes('ejecting → safe-to-unplug'));
    const end = Date.now() + 5000;
    while (!states.includes('safe-to-unplug') && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(states).toContain('safe-to-unplug');
    expect(core.snapshot().gpus.find((g) => g.bdf === GPU)?.state).toBe('safe-to-unplug');

    const lost = new Promise<string>((resolve) => core.onLost(resolve));
    await service.stop('SIGTERM');
    expect(await lost).toBe('it left the session bus');
    const after = await core.planEject(GPU);
    expect(after.ok).toBe(false);
  });

  it('the tray app attaches when a service runs (and leaves notifying to it), else owns the core', async () => {
    const bus = await startTestBus('session');
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(
      () => bus.stop(),
      () => sim.cleanup(),
    );
    const env = { DBUS_SESSION_BUS_ADDRESS: bus.address };
    const alone = await createShellCore(['egpu-guard'], env, createDbusPort({ env }));
    expect(alone.role).toBe('owner');
    await startService(bus, sim.dir);
    const shell = await createShellCore(['egpu-guard'], env, createDbusPort({ env }));
    cleanups.push(() => shell.core.stop());
    expect(shell).toMatchObject({ role: 'attached', mode: 'electron', demo: null });
    await shell.core.start();
    expect(shell.core.snapshot().gpus.map((g) => g.bdf)).toContain(GPU);
    // The simulation never takes or joins the session's core.
    const demo = await createShellCore(['egpu-guard', '--demo'], env, createDbusPort({ env }));
    expect(demo.role).toBe('demo');
  });
});
