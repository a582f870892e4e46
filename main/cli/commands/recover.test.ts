import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot } from '../../sim/sysroot-fixture.js';
import { startSim } from '../../sim/test/sim-fixture.js';
import { runCliInProcess, runCliProcess } from '../test/run-cli.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const STILL_DEAD =
  'FAILED: NVIDIA GeForce RTX 3070 (0000:0a:00.0) is still not responding — reconnect the enclosure; if that fails, a reboot is needed.';
const CORE_X = 'dc010000-0000-8508-a22d-32ca6421cb16';

describe('egpu recover', () => {
  it('--help documents what "recovered" means and the exit codes', async () => {
    const r = await runCliInProcess(['recover', '--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Recovered means the GPU answers on the bus again');
    expect(text).toContain(
      '1 not recovered (blocked, or the GPU is still not responding — reconnect the enclosure; if that fails, a reboot is needed)',
    );
  });

  it('a fell-off-bus sysroot: the plan removes and rescans; the GPU stays UNREACHABLE, so the result says so and exits 1', async () => {
    const f = makeSysroot(scenarioByName('fell-off-bus')!);
    cleanups.push(() => f.cleanup());
    const status = await runCliProcess(['status', '--root', f.dir]);
    expect(status.stdout).toContain('UNREACHABLE');
    const argv = ['recover', '0000:0a:00.0', '--root', f.dir, '--step-timeout', '1'];
    const plan = await runCliProcess([...argv, '--dry-run']);
    expect(plan.stdout).toContain('$ egpu-guard-helper remove 0000:08:00.0');
    expect(plan.stdout).toContain('$ egpu-guard-helper bind 0000:0a:00.0 nvidia');
    expect(plan.stdout.trim().split('\n').at(-1)).toBe(
      `To recover it: egpu recover 0000:0a:00.0 --yes --root ${f.dir} --step-timeout 1`,
    );
    // --gpu BDF names the GPU as the argument does (as `egpu clients --gpu`).
    const viaFlag = await runCliProcess([
      'recover',
      '--gpu',
      '0a:00.0',
      ...argv.slice(2),
      '--dry-run',
    ]);
    expect(viaFlag).toEqual(plan);
    const r = await runCliProcess([...argv, '--yes']);
    // Each step once, as it runs, without the plan's ids or helper commands.
    expect(r.stdout).toContain(
      "\n   1. Remove 0000:0a:00.0, which does not respond, with everything below 0000:08:00.0 (the enclosure's bridges), so the rescan enumerates it afresh … done\n   2. Rescan the PCI bus so the kernel finds the GPU again … FAILED: NVIDIA GeForce RTX 3070 (0000:0a:00.0) did not answer after the rescan\n",
    );
    expect(r.stdout).not.toMatch(/egpu-guard-helper|rescan:|Plan:/);
    expect(r.stdout).not.toMatch(/RECOVERED|is back/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(STILL_DEAD);
    expect(r.code).toBe(1);
  });

  it('a GPU that is working: nothing to do, and the run says so instead of "back"', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const argv = ['recover', '0000:0a:00.0', '--root', f.dir];
    const plan = await runCliProcess([...argv, '--dry-run']);
    expect(plan.stdout.split('\n')[0]).toBe(
      'Recover NVIDIA GeForce RTX 3070 (0000:0a:00.0): nothing to do, it is working',
    );
    expect(plan.stdout.trim().split('\n').at(-1)).toBe(
      `Nothing to recover (egpu recover 0000:0a:00.0 --yes --root ${f.dir} would only check it).`,
    );
    expect(plan.code).toBe(0);
    const r = await runCliProcess([...argv, '--yes']);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      'NOTHING TO DO: NVIDIA GeForce RTX 3070 is working, so nothing was changed.',
    );
    expect(r.stdout).not.toMatch(/RECOVERED|is back/);
    expect(r.code).toBe(0);
  });

  it('an address that is no GPU here: the GPUs there are, and a next step without it', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const r = await runCliProcess(['recover', '0000:99:00.0', '--dry-run', '--root', f.dir]);
    expect(r.stdout).toContain('✗ no GPU 0000:99:00.0 is present or remembered');
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual([
      'GPUs here: 0000:0a:00.0 NVIDIA GeForce RTX 3070 (external), 0000:00:02.0 Intel Iris Xe Graphics (internal).',
      `Plug the enclosure in (and power it), then: egpu recover --dry-run --root ${f.dir}`,
    ]);
    expect(r.code).toBe(1);
  });

  it('--proc: an app in that process table holding the dead GPU blocks its removal', async () => {
    const f = makeSysroot(scenarioByName('fell-off-bus')!);
    cleanups.push(() => f.cleanup());
    const proc = path.join(f.dir, 'fake-proc');
    fs.mkdirSync(path.join(proc, '4242/fd'), { recursive: true });
    fs.symlinkSync('/dev/nvidia0', path.join(proc, '4242/fd/3'));
    fs.writeFileSync(
      path.join(proc, '4242/status'),
      'Name:\tollama\nUid:\t1000\t1000\t1000\t1000\n',
    );
    fs.writeFileSync(path.join(proc, '4242/cmdline'), 'ollama\0serve\0');
    fs.writeFileSync(path.join(proc, '4242/maps'), '');
    const argv = ['recover', '0000:0a:00.0', '--root', f.dir, '--proc', proc, '--dry-run'];
    const r = await runCliProcess(argv);
    expect(r.stdout).toContain('✗ ollama (pid 4242) still holds NVIDIA GeForce RTX 3070');
    // The next command reads the same process table.
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      `Close it (egpu clients --gpu 0000:0a:00.0 --root ${f.dir} --proc ${proc} lists them), then: egpu recover 0000:0a:00.0 --yes --root ${f.dir} --proc ${proc}`,
    );
    expect(r.code).toBe(1);
    // Without it, the host's own processes: none of them holds the sysroot's node.
    const host = await runCliProcess(
      argv.filter((a, i) => a !== '--proc' && argv[i - 1] !== '--proc'),
    );
    expect(host.stdout).not.toContain('ollama');
  });

  it('against the simulated kernel: fall off the bus → still not responding (1); yank + plug → recovered (0)', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    // No tray app ran: the first `egpu recover` sees the dead GPU behind the Core X and remembers
    // the enclosure, so the second may authorize it after the re-plug.
    sim.kernel.fallOffBus();
    const argv = ['recover', '0000:0a:00.0', '--yes', '--root', sim.dir, '--step-timeout', '2'];
    const dead = await runCliProcess(argv);
    expect(dead.stdout.trim().split('\n').at(-1)).toBe(STILL_DEAD);
    expect(dead.code).toBe(1);
    expect(
      JSON.parse(
        fs.readFileSync(path.join(sim.dir, 'var/lib/egpu-guard/known-enclosures.json'), 'utf8'),
      ),
    ).toEqual([{ uniqueId: CORE_X, name: 'Razer Core X', gpus: ['0000:0a:00.0'] }]);
    sim.kernel.unplug();
    sim.kernel.plug();
    const back = await runCliProcess(argv);
    expect(back.stdout).toContain(`   1. Authorize Razer Core X (router 0-1, ${CORE_X}) … done\n`);
    // The result in words (`egpu status` has its address, driver and nodes).
    expect(back.stdout).toMatch(/RECOVERED: NVIDIA GeForce RTX 3070 is back\.\n/);
    expect(back.code).toBe(0);
  });

  it('a Thunderbolt device never seen carrying a GPU is not authorized: blocked, named with its unique_id', async () => {
    const base = scenarioByName('tb3-nvidia')!;
    const f = makeSysroot({
      ...base,
      pci: base.pci.filter((p) => !p.enclosure),
      thunderbolt: {
        ...base.thunderbolt,
        routers: base.thunderbolt.routers.map((r) =>
          r.id === '0-1'
            ? {
                ...r,
                authorized: 0 as const,
                vendorName: 'Unknown',
                deviceName: 'Never-seen device',
              }
            : r,
        ),
      },
    });
    cleanups.push(() => f.cleanup());
    const r = await runCliProcess(['recover', '--yes', '--root', f.dir]);
    expect(r.stdout).toContain(
      `Unknown Never-seen device (unique_id ${CORE_X}) is a new Thunderbolt device`,
    );
    expect(r.stdout).not.toContain('tb-authorize');
    expect(r.stdout).toContain('BLOCKED');
    // The answer ends with where to approve it.
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      'Approve it in the eGPU Guard window: egpu ui --open',
    );
    expect(r.code).toBe(1);
    expect(
      fs
        .readFileSync(path.join(f.dir, 'sys/bus/thunderbolt/devices/0-1/authorized'), 'utf8')
        .trim(),
    ).toBe('0');
  });

  it('--udev-log: recovered only once the transcript shows the GPU back, like eject', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const udevLog = path.join(sim.dir, 'run/egpu-sim/udev.log');
    const argv = ['recover', '0000:0a:00.0', '--yes', '--root', sim.dir, '--step-timeout', '1'];
    const ejectAndReplug = async (): Promise<void> => {
      const e = await runCliProcess(['eject', '0000:0a:00.0', '--yes', '--root', sim.dir]);
      expect(e.code).toBe(0);
      sim.kernel.unplug();
      sim.kernel.plug();
    };
    await ejectAndReplug();
    const first = await runCliProcess([...argv, '--udev-log', udevLog]);
    expect(first.stdout).toMatch(/RECOVERED: NVIDIA GeForce RTX 3070/);
    expect(first.code).toBe(0);
    // A transcript in which the GPU never came back: the run says so and exits 1.
    await ejectAndReplug();
    const quiet = path.join(sim.dir, 'quiet-udev.log');
    fs.writeFileSync(quiet, '');
    const silent = await runCliProcess([...argv, '--udev-log', quiet]);
    expect(silent.stdout.trim().split('\n').at(-1)).toBe(
      `FAILED: 0000:0a:00.0 answers on the bus, but udev did not report it within 1 s (${quiet}).`,
    );
    expect(silent.code).toBe(1);
    const missing = await runCliInProcess([...argv, '--udev-log', '/nonexistent/udev.log']);
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr: 'egpu recover: --udev-log /nonexistent/udev.log: no such file\n',
    });
  });
});
