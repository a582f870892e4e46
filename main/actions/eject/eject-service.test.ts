import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../../common/actions-model.js';
import { ProcessPool } from '../../inventory/test/processes.js';
import { processAlive } from '../../platform/processes.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { startSim, type SimFixture } from '../../sim/test/sim-fixture.js';
import type { EjectService } from './eject-service.js';
import { simEjectService } from './test/sim-eject-service.js';

const EGPU = '0000:0a:00.0';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(
  scenario = 'tb3-nvidia',
  stepTimeoutMs = 10_000,
): { sim: SimFixture; service: EjectService; pool: ProcessPool } {
  const sim = startSim(scenarioByName(scenario)!);
  const pool = new ProcessPool();
  cleanups.push(
    () => sim.cleanup(),
    () => pool.dispose(),
  );
  const root = createSystemRoot({ root: sim.dir });
  const service = simEjectService(sim.dir, root, (stop) => cleanups.push(stop), { stepTimeoutMs });
  return { sim, service, pool };
}

const run = async (service: EjectService, closePids: number[] = [], cancelAfter?: string) => {
  const progress: StepProgress[] = [];
  let cancel = false;
  const final = await service.run(
    EGPU,
    { closePids, force: false },
    (p) => {
      progress.push(p);
      if (p.step === cancelAfter && p.status === 'done') cancel = true;
    },
    () => cancel,
  );
  return { final, progress };
};

describe('eject against the simulated kernel', () => {
  it('ends safe-to-unplug: the enclosure is gone from sysfs and udev saw it go, in kernel order', async () => {
    const { sim, service } = setup();
    const from = sim.events.length;
    const { final, progress } = await run(service);
    expect(final.result).toBe('safe-to-unplug');
    expect(progress.filter((p) => p.status === 'done').map((p) => p.step)).toEqual([
      'unbind',
      'remove',
      'unload-modules',
      'drop-tunnel',
      'confirm-removal',
      'safe-to-unplug',
    ]);
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(false);
    expect(sim.exists('/sys/bus/pci/devices/0000:08:00.0')).toBe(false);
    const udev = sim.udevSince(from);
    expect(udev.indexOf('remove card1')).toBeLessThan(udev.indexOf('remove 0000:0a:00.0'));
    expect(udev.indexOf('remove 0000:0a:00.0')).toBeLessThan(udev.indexOf('remove 0000:08:00.0'));
    // The intent file is gone afterwards.
    expect(fs.existsSync(path.join(sim.dir, 'run/egpu-guard/ejecting', EGPU))).toBe(false);
  });

  it('an app on the GPU blocks until the user agrees to close it; then SIGTERM and success', async () => {
    const { sim, service, pool } = setup();
    const app = pool.hold('ollama', [path.join(sim.dir, 'dev/nvidia0')]);
    const blocked = await run(service);
    expect(blocked.final.result).toBe('blocked');
    expect(blocked.final.detail).toMatch(
      new RegExp(`ollama \\(pid ${app.pid}\\) holds /dev/nvidia0`),
    );
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(true);
    const ok = await run(service, [app.pid]);
    expect(ok.final.result).toBe('safe-to-unplug');
    expect(ok.progress.find((p) => p.step === 'close-app' && p.status === 'done')?.detail).toMatch(
      /ollama .* quit/,
    );
    expect(processAlive(app.pid) && fs.existsSync(`/proc/${app.pid}/fd`)).toBe(false);
  });

  it('cancel between steps reports what was done and points at recover', async () => {
    const { service } = setup();
    const { final, progress } = await run(service, [], 'unbind');
    expect(final.result).toBe('cancelled');
    expect(final.detail).toMatch(
      /Cancelled after: Unbind 0000:0a:00\.0 from nvidia\. Run `egpu recover 0000:0a:00\.0`/,
    );
    expect(progress.map((p) => p.step)).not.toContain('remove');
  });

  it('cancel after closing an app, before any kernel write: the GPU is untouched, no recover', async () => {
    const { sim, service, pool } = setup();
    const app = pool.hold('ollama', [path.join(sim.dir, 'dev/nvidia0')]);
    const { final } = await run(service, [app.pid], 'close-app');
    expect(final.result).toBe('cancelled');
    expect(final.detail).toBe(
      'Cancelled after: closed ollama. The GPU itself was not touched: it is still attached.',
    );
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(true);
  });

  it('a hung unbind ends "stuck" within the step timeout + 2 s, and the caller stays responsive', async () => {
    const { sim, service } = setup('tb3-nvidia', 1500);
    // The unbind file becomes a FIFO nobody reads: the helper's open() blocks like a stuck driver.
    const unbind = path.join(sim.dir, 'sys/bus/pci/drivers/nvidia/unbind');
    fs.rmSync(unbind);
    execFileSync('mkfifo', [unbind]);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 100);
    const t0 = Date.now();
    const { final } = await run(service);
    const elapsed = Date.now() - t0;
    clearInterval(ticker);
    expect(final.result, final.detail).toBe('stuck');
    expect(final.detail).toMatch(/stuck inside the kernel/);
    expect(elapsed).toBeLessThan(1500 + 2000 + 3000); // planning and the helper's start are extra
    expect(ticks).toBeGreaterThan(5);
  });
});
