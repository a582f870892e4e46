import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessPool } from '../../inventory/test/processes.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot } from '../../sim/sysroot-fixture.js';
import { startSim } from '../../sim/test/sim-fixture.js';
import { runCliInProcess, runCliProcess } from '../test/run-cli.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('egpu eject', () => {
  it('--dry-run --json has the documented shape; ready exits 0, blocked exits 1', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    const pool = new ProcessPool();
    cleanups.push(
      () => f.cleanup(),
      () => pool.dispose(),
    );
    const ready = await runCliProcess([
      'eject',
      '0000:0a:00.0',
      '--dry-run',
      '--json',
      '--root',
      f.dir,
    ]);
    expect(ready.code).toBe(0);
    const plan = JSON.parse(ready.stdout) as {
      gpu: string;
      result: string;
      blockers: unknown[];
      steps: Record<string, unknown>[];
    };
    expect(plan).toMatchObject({ gpu: '0000:0a:00.0', result: 'ready', blockers: [] });
    for (const s of plan.steps)
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['step', 'detail', 'privileged']));
    const app = pool.hold('ollama', [path.join(f.dir, 'dev/nvidia0')]);
    const blocked = await runCliProcess([
      'eject',
      '0a:00.0',
      '--dry-run',
      '--json',
      '--root',
      f.dir,
    ]);
    expect(blocked.code).toBe(1);
    expect(JSON.parse(blocked.stdout)).toMatchObject({
      result: 'blocked',
      blockers: [
        { pid: app.pid, comm: 'ollama', reason: `ollama (pid ${app.pid}) holds /dev/nvidia0` },
      ],
    });
  });

  it('--yes --json against the simulated kernel: progress lines, then safe-to-unplug, exit 0', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const r = await runCliProcess([
      'eject',
      '0000:0a:00.0',
      '--yes',
      '--json',
      '--root',
      sim.dir,
      '--udev-log',
      path.join(sim.dir, 'run/egpu-sim/udev.log'),
    ]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(
      lines
        .slice(0, -1)
        .every((l) => ['running', 'done', 'failed', 'skipped'].includes(l['status'] ?? '')),
    ).toBe(true);
    expect(lines[lines.length - 1]).toEqual({
      result: 'safe-to-unplug',
      detail: 'NVIDIA GeForce RTX 3070 is safe to unplug. Unplug the Razer Core X now.',
    });
    expect(r.code).toBe(0);
  });

  it('--yes with an app on the GPU: blocked (exit 1) unless --close-apps', async () => {
    const sim = startSim(scenarioByName('usb4-amd')!);
    const pool = new ProcessPool();
    cleanups.push(
      () => sim.cleanup(),
      () => pool.dispose(),
    );
    const app = pool.hold('blender', [path.join(sim.dir, 'dev/dri/renderD129')]);
    const no = await runCliProcess(['eject', '0000:66:00.0', '--yes', '--root', sim.dir]);
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(
      new RegExp(`BLOCKED: blender \\(pid ${app.pid}\\) holds /dev/dri/renderD129`),
    );
    const yes = await runCliProcess([
      'eject',
      '0000:66:00.0',
      '--yes',
      '--close-apps',
      '--root',
      sim.dir,
    ]);
    expect(yes.stdout).toMatch(/SAFE TO UNPLUG/);
    expect(yes.code).toBe(0);
  });

  it('refuses internal GPUs (blocked) and bad input (exit 2)', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const internal = await runCliInProcess(['eject', '0000:00:02.0', '--dry-run', '--root', f.dir]);
    expect(internal.code).toBe(1);
    expect(internal.stdout).toMatch(/is an internal GPU; only external GPUs can be ejected/);
    for (const argv of [
      ['eject', '0000:0a:00.0', '--root', f.dir],
      ['eject', '0000:0a:00.0', '--dry-run', '--yes'],
      ['eject', 'gpu0', '--dry-run'],
      ['eject', '0000:0a:00.0', '--dry-run', '--step-timeout', '0'],
      ['eject'],
    ]) {
      const r = await runCliInProcess(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });
});

describe('egpu recover', () => {
  it('--dry-run --json on a healthy machine is ready; without --yes/--dry-run it refuses', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const r = await runCliInProcess([
      'recover',
      '0000:0a:00.0',
      '--dry-run',
      '--json',
      '--root',
      f.dir,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      action: 'recover',
      result: 'ready',
      steps: [{ step: 'verify' }],
    });
    expect((await runCliInProcess(['recover', '--root', f.dir])).code).toBe(2);
  });
});
