// One core per session, from the attaching side: a face started while `egpu service` runs gets
// the service's core over the bus (RemoteCore) — the same GPUs, an eject run by the service
// with its progress, and a clear end when the service goes away. With no service it gets null
// and runs its own.

import { afterEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../common/actions-model.js';
import { startCli, type CliChild } from '../cli/test/cli-child.js';
import { runCliProcess } from '../cli/test/run-cli.js';
import { createDbusPort } from '../platform/dbus.js';
import { startTestBus, type TestBus } from '../sources/test/dbus-daemon.js';
import { busAndSim, startServiceProcess } from './test/service-process.js';
import { createShellCore } from '../../electron/core-factory.js';
import { startUiProcess } from '../server/test/ui-process.js';
import { attachSessionCore } from './remote-core.js';

const GPU = '0000:0a:00.0';
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const startService = (bus: TestBus, dir: string, extra: string[] = []): Promise<CliChild> =>
  startServiceProcess(bus, dir, (stop) => cleanups.push(stop), extra);

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
    const { bus, sim } = await busAndSim(cleanups);
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
    await service.waitFor((l) => l.includes('[safe to unplug]'));
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
    const { bus, sim } = await busAndSim(cleanups);
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

  it('egpu watch with no machine named follows the service: its lines, not a second core', async () => {
    const { bus, sim } = await busAndSim(cleanups);
    const service = await startService(bus, sim.dir);
    const watch = startCli(['watch', '--json'], { DBUS_SESSION_BUS_ADDRESS: bus.address });
    cleanups.push(() => watch.stop('SIGKILL'));
    await watch.waitFor(
      (l) => l.includes('"gpu":"0000:0a:00.0"') && l.includes('"case":"attached"'),
    );
    const core = await attachSessionCore(
      createDbusPort({ env: { DBUS_SESSION_BUS_ADDRESS: bus.address } }),
    );
    if (!core.ok || core.value === null) throw new Error('not attached');
    cleanups.push(() => core.value?.stop());
    await core.value.start();
    await core.value.runEject(GPU, { closePids: [], force: false }, () => undefined).done;
    await watch.waitFor((l) => l.includes('"case":"safe-to-unplug"'));
    // One core: the watch runs none of its own.
    expect(watch.stderr()).toContain('egpu watch: following the session core');
    await service.stop('SIGTERM');
    expect(await watch.stop('SIGCONT')).toBe(1);
    expect(watch.stderr()).toContain(
      'egpu watch: the session core stopped (it left the session bus).',
    );
  });

  it("egpu ui shows the service's core: its GPUs over the window's API, and a clear end", async () => {
    const { bus, sim } = await busAndSim(cleanups);
    const service = await startService(bus, sim.dir);
    const ui = await startUiProcess([], { env: { DBUS_SESSION_BUS_ADDRESS: bus.address } });
    cleanups.push(() => ui.stop('SIGKILL'));
    const api = async (channel: string, body: unknown): Promise<unknown> =>
      (
        await fetch(`${ui.origin}/api/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-egpu-token': ui.token },
          body: JSON.stringify(body),
        })
      ).json();
    const snap = (await api('snapshot:get', null)) as {
      ok: boolean;
      value: { gpus: { bdf: string; state: string }[] };
    };
    expect(snap.value.gpus.find((g) => g.bdf === GPU)?.state).toBe('attached');
    // An eject from this window runs in the service: it prints the story, this process not.
    const run = (await api('eject:run', { bdf: GPU, closePids: [], force: false })) as {
      ok: boolean;
    };
    expect(run.ok).toBe(true);
    await service.waitFor((l) => l.includes('[safe to unplug]'));
    expect(ui.stderr()).toContain('egpu ui: showing the session core (io.github.EgpuGuard1).');
    await service.stop('SIGTERM');
    expect((await ui.stop('SIGCONT', 10_000)).code).toBe(1);
    expect(ui.stderr()).toContain('egpu ui: the session core stopped (it left the session bus)');
  });

  it('egpu eject and recover with no machine named run in the service: one story', async () => {
    const { bus, sim } = await busAndSim(cleanups);
    const service = await startService(bus, sim.dir);
    const env = { env: { DBUS_SESSION_BUS_ADDRESS: bus.address } };
    const dry = await runCliProcess(['eject', GPU, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("egpu eject: using the session's core (io.github.EgpuGuard1)");
    const yes = await runCliProcess(['eject', GPU, '--yes'], env);
    expect(yes.stdout).toContain('SAFE TO UNPLUG');
    expect(yes.code).toBe(0);
    // The service ran it: its own lines say so.
    await service.waitFor((l) => l.includes('[safe to unplug]'));
    const again = await runCliProcess(['recover', GPU, '--yes'], env);
    expect(again.stderr).toContain("egpu recover: using the session's core");
    expect(again.code).toBe(0);
    await service.waitFor((l) => l.includes('[attached'), 15_000, 3);
  });
});
