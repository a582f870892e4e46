import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
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

  it('--yes --udev-log: not confirmed until the transcript shows the removal (exit 1)', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    // A transcript udev never writes to: sysfs says the GPU is gone, udev never said so.
    const quiet = path.join(sim.dir, 'quiet-udev.log');
    fs.writeFileSync(quiet, '');
    const r = await runCliProcess([
      'eject',
      '0000:0a:00.0',
      '--yes',
      '--json',
      '--root',
      sim.dir,
      '--udev-log',
      quiet,
      '--step-timeout',
      '1',
    ]);
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(false);
    const lines = r.stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-2)!)).toEqual({
      step: 'confirm-removal',
      status: 'failed',
      detail: '0000:0a:00.0, 0000:0a:00.1 are still present',
    });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ result: 'failed' });
    expect(r.code).toBe(1);
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
    // The blocked answer ends with the command that gets past it.
    expect(no.stdout.trim().split('\n').at(-1)).toBe(
      `To close it and eject: egpu eject 0000:66:00.0 --yes --close-apps --root ${sim.dir}`,
    );
    expect(no.stdout).not.toMatch(/Plan:|Ejecting/);
    const dry = await runCliProcess(['eject', '66:00.0', '--dry-run', '--root', sim.dir]);
    expect(dry.code).toBe(1);
    expect(dry.stdout.trim().split('\n').at(-1)).toBe(
      `To close it and eject: egpu eject 0000:66:00.0 --yes --close-apps --root ${sim.dir}`,
    );
    // The dry run with the flags of the run says what that run would do: a script's
    // `egpu eject … --dry-run --close-apps && egpu eject … --yes --close-apps` goes on.
    const agreed = await runCliProcess([
      'eject',
      '66:00.0',
      '--dry-run',
      '--close-apps',
      '--root',
      sim.dir,
    ]);
    expect(agreed.code).toBe(0);
    expect(agreed.stdout).toMatch(
      /: ready, closing the app that holds it first\n\nCloses \(SIGTERM\):\n {2}• blender \(pid \d+\) holds \/dev\/dri\/renderD129\n/,
    );
    expect(agreed.stdout).not.toMatch(/BLOCKED|Blockers:/);
    expect(agreed.stdout.trim().split('\n').at(-1)).toBe(
      `To close it and eject: egpu eject 0000:66:00.0 --yes --close-apps --root ${sim.dir}`,
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

  it('--force: an app that ignores SIGTERM is said to be force-quit, not to have quit; one number per step', async () => {
    const sim = startSim(scenarioByName('usb4-amd')!);
    const pool = new ProcessPool();
    const node = path.join(sim.dir, 'dev/dri/renderD129');
    const fd = fs.openSync(node, 'r');
    const stubborn = spawn(
      'python3',
      [
        '-c',
        'import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(600)',
      ],
      { stdio: ['ignore', 'pipe', 'ignore', fd] },
    );
    fs.closeSync(fd);
    cleanups.push(
      () => sim.cleanup(),
      () => pool.dispose(),
      () => void stubborn.kill('SIGKILL'),
    );
    await new Promise((r) => stubborn.stdout?.once('data', r));
    const polite = pool.hold('blender', [node]);
    const argv = ['eject', '0000:66:00.0', '--yes', '--root', sim.dir];
    const asked = await runCliProcess([...argv, '--close-apps']);
    expect(asked.stdout).toContain(
      `BLOCKED: python3 (pid ${stubborn.pid}) did not quit (it can be force-quit, losing its unsaved work)`,
    );
    expect(asked.stdout).not.toMatch(/pick force/);
    expect(asked.code).toBe(1);
    const forced = await runCliProcess([...argv, '--force']);
    const steps = forced.stdout.split('\n').filter((l) => /^ {2,3}\d+\. /.test(l));
    expect(steps.map((l) => l.trim().split('.')[0])).toEqual(steps.map((_, i) => String(i + 1)));
    expect(steps).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `Ask python3 \\(pid ${stubborn.pid}\\) to quit \\(SIGTERM\\).* … did not quit: force-quit \\(SIGKILL\\)$`,
        ),
      ),
    );
    expect(steps).toContainEqual(
      expect.stringMatching(new RegExp(`Ask blender \\(pid ${polite.pid}\\) to quit .* … done$`)),
    );
    expect(forced.stdout).toMatch(/SAFE TO UNPLUG/);
    expect(forced.code).toBe(0);
  }, 40_000);

  it('refuses internal GPUs (blocked) and bad input (exit 2)', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const internal = await runCliInProcess(['eject', '0000:00:02.0', '--dry-run', '--root', f.dir]);
    expect(internal.code).toBe(1);
    expect(internal.stdout).toMatch(/is an internal GPU; only external GPUs can be ejected/);
    expect(internal.stdout.trim().split('\n').slice(-2)).toEqual([
      'GPUs here: 0000:0a:00.0 NVIDIA GeForce RTX 3070 (external), 0000:00:02.0 Intel Iris Xe Graphics (internal).',
      `To eject the external one: egpu eject 0000:0a:00.0 --dry-run --root ${f.dir}`,
    ]);
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

describe('egpu eject: words a person reads', () => {
  it('--yes prints each step once, in words, as it runs; then the result (exit 0)', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const udevLog = path.join(sim.dir, 'run/egpu-sim/udev.log');
    const r = await runCliProcess([
      'eject',
      '0000:0a:00.0',
      '--yes',
      '--root',
      sim.dir,
      '--udev-log',
      udevLog,
    ]);
    expect(r.stdout).toBe(
      [
        'Ejecting NVIDIA GeForce RTX 3070 (0000:0a:00.0)',
        '   1. Unbind 0000:0a:00.0 from nvidia … done',
        "   2. Remove 0000:08:00.0 and everything below it (0000:0a:00.0, 0000:0a:00.1, the enclosure's bridges) … done",
        '   3. Unload nvidia_drm, nvidia_modeset, nvidia_uvm, nvidia (no other NVIDIA GPU uses them), so the next plug starts clean … done',
        '   4. Drop the Thunderbolt tunnel to Razer Core X (router 0-1) … done',
        '   5. Check that 0000:0a:00.0, 0000:0a:00.1 are gone from sysfs … done',
        '',
        'SAFE TO UNPLUG: NVIDIA GeForce RTX 3070 is safe to unplug. Unplug the Razer Core X now.',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--dry-run when ready ends with the command that runs it', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const r = await runCliInProcess(['eject', '0a:00.0', '--dry-run', '--root', f.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Eject NVIDIA GeForce RTX 3070 \(0000:0a:00\.0\): ready\n/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      `To eject it: egpu eject 0000:0a:00.0 --yes --root ${f.dir}`,
    );
  });

  it('without an address: the one external GPU, else the GPUs to name one of; --gpu is the address too', async () => {
    const one = makeSysroot(scenarioByName('tb3-nvidia')!);
    const two = makeSysroot(scenarioByName('lab')!);
    const none = makeSysroot(scenarioByName('desktop-single')!);
    cleanups.push(
      () => one.cleanup(),
      () => two.cleanup(),
      () => none.cleanup(),
    );
    const only = await runCliInProcess(['eject', '--dry-run', '--root', one.dir]);
    expect(only.code).toBe(0);
    expect(only.stdout).toMatch(/^Eject NVIDIA GeForce RTX 3070 \(0000:0a:00\.0\): ready\n/);
    const several = await runCliProcess(['eject', '--dry-run', '--root', two.dir]);
    expect(several).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'egpu eject: 2 external GPUs are here: name the one to eject (GPUs here: 0000:22:00.0 NVIDIA GeForce RTX 4090 (external), ' +
        '0000:49:00.0 AMD Radeon RX 6800/6800 XT / 6900 XT (external), 0000:01:00.0 AMD Radeon RX 6600/6600 XT/6600M (internal)); ' +
        `e.g. egpu eject 0000:22:00.0 --dry-run --root ${two.dir}\n`,
    });
    const internalOnly = await runCliInProcess(['eject', '--dry-run', '--root', none.dir]);
    expect(internalOnly).toMatchObject({ code: 2, stdout: '' });
    expect(internalOnly.stderr).toBe(
      'egpu eject: there is no external GPU here to eject (GPUs here: 0000:0b:00.0 AMD Radeon RX 6600/6600 XT/6600M (internal))\n',
    );
    const flag = await runCliInProcess([
      'eject',
      '--gpu',
      '22:00.0',
      '--dry-run',
      '--root',
      two.dir,
    ]);
    expect(flag.stdout).toMatch(/^Eject NVIDIA GeForce RTX 4090 \(0000:22:00\.0\)/);
    const same = await runCliInProcess([
      'eject',
      '0000:22:00.0',
      '--gpu',
      '22:00.0',
      '--dry-run',
      '--root',
      two.dir,
    ]);
    expect(same.stdout).toBe(flag.stdout);
    expect(
      await runCliInProcess([
        'eject',
        '22:00.0',
        '--gpu',
        '49:00.0',
        '--dry-run',
        '--root',
        two.dir,
      ]),
    ).toMatchObject({
      code: 2,
      stderr:
        "egpu eject: two GPUs named: '22:00.0' and --gpu '49:00.0'; one command handles one GPU\n",
    });
  });

  it('an unknown address names the GPUs there are', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const gpus =
      'GPUs here: 0000:0a:00.0 NVIDIA GeForce RTX 3070 (external), 0000:00:02.0 Intel Iris Xe Graphics (internal)';
    const unknown = await runCliInProcess(['eject', '0b:00.0', '--dry-run', '--root', f.dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe(
      [
        'Eject 0000:0b:00.0: BLOCKED',
        '',
        'Blockers:',
        '  ✗ there is no GPU at 0000:0b:00.0 now — nothing to eject',
        '',
        `${gpus}.`,
        `To eject the external one: egpu eject 0000:0a:00.0 --dry-run --root ${f.dir}`,
        '',
      ].join('\n'),
    );
  });

  it('usage errors: one line, exit 2, no stack; the step timeout states its real range', async () => {
    const cases: [string[], string][] = [
      [
        ['eject', '0a:00.0', '--dryrun'],
        "egpu eject: unknown option '--dryrun' (did you mean --dry-run?)\n",
      ],
      [
        ['eject', '0a:00.0', '--dry-run', '--step-timeout', '0'],
        'egpu eject: --step-timeout must be more than 0 and at most 3600 seconds, not 0 (the default is 20)\n',
      ],
      [
        ['eject', '0a:00.0', '--dry-run', '--yes'],
        'egpu eject: --dry-run and --yes together: choose one (--dry-run shows the plan, --yes runs it)\n',
      ],
      [
        ['eject', '0a:00.0', '--dry-run', '--step-timeout', '-5'],
        'egpu eject: --step-timeout must be more than 0 and at most 3600 seconds, not -5 (the default is 20)\n',
      ],
      [
        ['recover', '--dry-run', '--step-timeout', '7200'],
        'egpu recover: --step-timeout must be more than 0 and at most 3600 seconds, not 7200 (the default is 20)\n',
      ],
      [['eject', '0a:00.0', '-yes'], "egpu eject: unknown option '-yes' (did you mean --yes?)\n"],
      [['ejct'], "egpu: unknown command 'ejct' (did you mean 'egpu eject'?)\n"],
    ];
    for (const [argv, stderr] of cases) {
      expect(await runCliProcess(argv), argv.join(' ')).toEqual({ code: 2, stdout: '', stderr });
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
