// Test support: `egpu service` as a real child on a private session bus, over a simulated
// machine's sysroot and udev transcript, started the way systemd starts it.

import * as path from 'node:path';
import { startCli, type CliChild } from '../../cli/test/cli-child.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { startSim, type SimFixture } from '../../sim/test/sim-fixture.js';
import { startTestBus, type TestBus } from '../../sources/test/dbus-daemon.js';

/** A private session bus and the simulated tb3-nvidia machine, both undone by `cleanups`. */
export async function busAndSim(
  cleanups: (() => Promise<unknown> | void)[],
): Promise<{ bus: TestBus; sim: SimFixture }> {
  const bus = await startTestBus('session');
  const sim = startSim(scenarioByName('tb3-nvidia')!);
  cleanups.push(
    () => bus.stop(),
    () => sim.cleanup(),
  );
  return { bus, sim };
}

/** Polls the child's stderr until `text` appears; throws with what it said otherwise. */
export async function stderrSays(child: CliChild, text: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!child.stderr().includes(text)) {
    if (Date.now() > end || child.child.exitCode !== null)
      throw new Error(`never said "${text}": ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts the service and resolves once it serves io.github.EgpuGuard1. The caller stops it
 * (`stop`), which `cleanup` receives to run after the test.
 */
export async function startServiceProcess(
  bus: TestBus,
  dir: string,
  cleanup: (stop: () => Promise<unknown>) => void,
  extra: readonly string[] = [],
): Promise<CliChild> {
  const s = startCli(
    [
      'service',
      '--root',
      dir,
      '--udev-log',
      path.join(dir, 'run/egpu-sim/udev.log'),
      '--no-dbus',
      '--no-notify',
      ...extra,
    ],
    { DBUS_SESSION_BUS_ADDRESS: bus.address, HOME: dir },
  );
  cleanup(() => s.stop('SIGKILL'));
  await stderrSays(s, 'serving io.github.EgpuGuard1');
  return s;
}
