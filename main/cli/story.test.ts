// The main stories through the terminal faces, as a person lives them: a real `egpu watch --json`
// follows the simulated kernel's udev and kernel logs while real `egpu eject` / `egpu recover`
// processes act on the same simulated machine through the real helper. What is asserted is what
// the person reads: the eject's words, and the states and incidents `watch` prints — at the end
// of the story, not one step at a time.

import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessPool } from '../inventory/test/processes.js';
import { scenarioByName } from '../sim/scenarios/index.js';
import { simMachineArgs, startSim, type SimFixture } from '../sim/test/sim-fixture.js';
import { startCli, type CliChild } from './test/cli-child.js';
import { runCliProcess } from './test/run-cli.js';

const EGPU = '0000:0a:00.0';
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Line = {
  type: string;
  affected?: { pid: number; comm: string }[];
  nextSteps?: string[];
  resolvedAt?: string;
  outcome?: string;
  gpu?: string;
  state?: string;
  case?: string;
  text?: string;
  incident?: string;
  title?: string;
};
const parse = (l: string): Line => JSON.parse(l) as Line;

/**
 * `egpu watch --json` on the simulated machine's sysroot, following its udev and kernel logs;
 * `text`: the lines a person reads instead.
 */
function startWatch(sim: SimFixture, { text = false } = {}): CliChild {
  return startCli([
    'watch',
    ...(text ? [] : ['--json']),
    '--no-dbus',
    '--no-notify',
    ...simMachineArgs(sim),
  ]);
}

function machine(
  scenario = 'tb3-nvidia',
  before?: (sim: SimFixture, pool: ProcessPool) => void,
): {
  sim: SimFixture;
  watch: CliChild;
  pool: ProcessPool;
} {
  const sim = startSim(scenarioByName(scenario)!);
  const pool = new ProcessPool();
  before?.(sim, pool);
  const watch = startWatch(sim);
  cleanups.push(
    () => sim.cleanup(),
    () => pool.dispose(),
    () => watch.stop('SIGKILL'),
  );
  return { sim, watch, pool };
}

/** `egpu eject EGPU --yes` on the simulated machine, confirmed by its udev transcript. */
const ejectYes = (sim: SimFixture): string[] => [
  'eject',
  EGPU,
  '--yes',
  '--root',
  sim.dir,
  '--udev-log',
  path.join(sim.dir, 'run/egpu-sim/udev.log'),
];

const statesOf = (w: CliChild, from: number): string[] =>
  w.lines
    .slice(from)
    .map(parse)
    .filter((l) => l.type === 'state' && l.gpu === EGPU)
    .map((l) => l.state ?? '');
const incidentsOf = (w: CliChild, from: number): Line[] =>
  w.lines
    .slice(from)
    .map(parse)
    .filter((l) => l.type === 'incident');

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('stories through the CLI and egpu watch', () => {
  it('plug → use → eject (app closed with consent) → safe → unplug: no alarm anywhere', async () => {
    const { sim, watch, pool } = machine();
    await watch.waitFor((l) => parse(l).type === 'state' && parse(l).gpu === EGPU, 15_000);
    await watch.waitFor((l) => parse(l).type === 'source' && l.includes('text-log'), 15_000);
    const mark = watch.lines.length;

    const app = pool.hold('ollama', [
      path.join(sim.dir, 'dev/nvidia0'),
      path.join(sim.dir, 'dev/dri/renderD129'),
    ]);
    const args = ejectYes(sim);
    const blocked = await runCliProcess(args);
    expect(blocked.stdout).toMatch(new RegExp(`BLOCKED: ollama \\(pid ${app.pid}\\) holds`));
    expect(blocked.code).toBe(1);

    const ejected = await runCliProcess([...args, '--close-apps']);
    expect(ejected.stdout).toMatch(/SAFE TO UNPLUG/);
    expect(ejected.code).toBe(0);
    await watch.waitFor((l) => parse(l).state === 'safe-to-unplug', 10_000, mark);

    // The user pulls the cable, as told.
    sim.kernel.unplug();
    await watch.waitFor((l) => parse(l).state === 'unplugged', 10_000, mark);
    await settle(1500); // every piece of cable evidence has arrived by now
    // A separate watch learns of the CLI's eject from its intent file when the GPU leaves the bus
    // (its own client scan may first have seen ollama: in-use, attached).
    const states = statesOf(watch, mark).filter((s) => s !== 'in-use' && s !== 'attached');
    expect(states).toEqual(['safe-to-unplug', 'unplugged']);
    expect(incidentsOf(watch, mark)).toEqual([]);
    const last = watch.lines.map(parse).filter((l) => l.state === 'unplugged');
    expect(last.at(-1)).toMatchObject({
      case: 'unplugged-after-eject',
      text: 'Unplugged after a safe eject.',
    });
  }, 60_000);

  it('eject, then the watcher (or the tray app) restarts before the unplug: still no alarm', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    // A watcher that saw the GPU (it remembers it), gone before the eject — as a tray app that
    // quits, or a service being restarted.
    const first = startCli(['watch', '--json', '--no-dbus', '--no-notify', '--root', sim.dir]);
    cleanups.push(() => first.stop('SIGKILL'));
    await first.waitFor((l) => parse(l).type === 'state' && parse(l).gpu === EGPU, 15_000);
    await first.stop('SIGTERM');
    const ejected = await runCliProcess(ejectYes(sim));
    expect(ejected.code).toBe(0);

    // Started while the enclosure waits to be unplugged; it replays the eject's own kernel lines.
    const watch = startWatch(sim);
    cleanups.push(() => watch.stop('SIGKILL'));
    await watch.waitFor((l) => parse(l).type === 'source' && l.includes('text-log'), 15_000);
    await settle(500);
    expect(statesOf(watch, 0)).toEqual(['safe-to-unplug']);
    sim.kernel.unplug();
    await watch.waitFor((l) => parse(l).state === 'unplugged', 10_000);
    await settle(1500); // every piece of cable evidence has arrived by now
    expect(statesOf(watch, 0)).toEqual(['safe-to-unplug', 'unplugged']);
    expect(incidentsOf(watch, 0)).toEqual([]);
    expect(
      watch.lines
        .map(parse)
        .filter((l) => l.state === 'unplugged')
        .at(-1),
    ).toMatchObject({
      case: 'unplugged-after-eject',
      text: 'Unplugged after a safe eject.',
    });
  }, 60_000);

  it('CLI only (no watch, no tray): eject, unplug, re-plug → egpu recover authorizes its enclosure', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const ejected = await runCliProcess(ejectYes(sim));
    expect(ejected.code).toBe(0);
    // Between the eject and the unplug, status tells the same story (the eject's record).
    const status = await runCliProcess(['status', '--root', sim.dir]);
    expect(status.stdout).toContain(
      'Ejected safely: NVIDIA GeForce RTX 3070 (was 0000:0a:00.0) — safe to unplug the Razer Core X now',
    );
    expect(status.stdout).not.toMatch(/NOT authorized/);
    sim.kernel.unplug();
    sim.kernel.plug();
    // The eject remembered the Razer Core X as the GPU's enclosure, so Recover may authorize it;
    // nothing else ever saw it (no watch, no tray app to remember it).
    const recovered = await runCliProcess(['recover', EGPU, '--yes', '--root', sim.dir]);
    expect(recovered.stdout).not.toMatch(/new Thunderbolt device/);
    expect(recovered.stdout).toMatch(/RECOVERED/);
    // The eject unloaded the NVIDIA modules; the plan loads nvidia_drm, and when the GPU comes
    // back with its nodes anyway the run says the step was not needed rather than dropping it.
    expect(recovered.stdout).toMatch(
      /\n {3}\d\. Load nvidia_drm \(and nvidia_modeset\)[^\n]* … skipped \(not needed: [^\n]*\)\n/,
    );
    expect(recovered.code).toBe(0);
  }, 60_000);

  it('yank while in use: one incident naming who may have crashed, resolved once recovered', async () => {
    // ollama runs before watch starts, so watch's first client scan finds it (and only it: while
    // the test process hands the node to the child, it holds it too).
    let app = { pid: 0 };
    const { sim, watch } = machine('tb3-nvidia', (s, pool) => {
      app = pool.hold('ollama', [path.join(s.dir, 'dev/nvidia0')]);
    });
    await watch.waitFor((l) => parse(l).state === 'in-use', 15_000);
    await watch.waitFor((l) => parse(l).type === 'source' && l.includes('text-log'), 15_000);
    const mark = watch.lines.length;
    sim.kernel.unplug();
    await watch.waitFor((l) => parse(l).state === 'surprise-removed', 10_000, mark);
    await settle(1500);
    // pciehp, the Thunderbolt disconnect and udev removes merge into one incident, printed once.
    const [incident] = incidentsOf(watch, mark);
    expect(incidentsOf(watch, mark).map((i) => i.title)).toEqual([
      'NVIDIA GeForce RTX 3070 unplugged while in use',
    ]);
    expect(incident?.affected).toEqual([{ pid: app.pid, comm: 'ollama' }]);
    expect(incident?.nextSteps?.[0]).toBe(
      `ollama (pid ${app.pid}) was using it and may have crashed — restart it once the GPU is back.`,
    );
    // Plug it back in and recover: the incident ends, with its outcome.
    sim.kernel.plug();
    const r = await runCliProcess(['recover', EGPU, '--yes', '--root', sim.dir]);
    expect(r.code).toBe(0);
    const resolved = parse(
      await watch.waitFor((l) => parse(l).resolvedAt !== undefined, 10_000, mark),
    );
    expect(resolved).toMatchObject({
      type: 'incident',
      outcome: 'NVIDIA GeForce RTX 3070 is back on the bus',
    });
  }, 60_000);

  it('fall off the bus → recovery cannot bring it back → reconnect: no "unplugged" while the cable is in', async () => {
    // The words a person reads in a terminal (no --json): the window's badge and sentence.
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    const watch = startWatch(sim, { text: true });
    cleanups.push(() => watch.stop('SIGKILL'));
    await watch.waitFor((l) => l.includes('source text-log: running'), 15_000);
    sim.kernel.fallOffBus();
    await watch.waitFor((l) => l.includes(`${EGPU}  NVIDIA GeForce RTX 3070 [fell off the bus]`));
    // The simulated GPU stays dead: the recovery takes it off the bus and cannot bring it back
    // (it waits a step's time for the GPU to answer: 3 s, not the default 20).
    const r = await runCliProcess([
      'recover',
      EGPU,
      '--yes',
      '--root',
      sim.dir,
      '--step-timeout',
      '3',
    ]);
    expect(r.stdout).toMatch(/still not responding/);
    const reconnect = await watch.waitFor((l) => l.includes('[not responding — reconnect it]'));
    expect(reconnect).toContain('Reconnect the Razer Core X: unplug it, wait ten seconds');
    const mark = watch.lines.length;
    sim.kernel.unplug();
    // Same state, new facts: the cable is out now, and watch says what the window says.
    const gone = await watch.waitFor(
      (l) => l.includes('[unplugged after it stopped responding — plug it back in]'),
      10_000,
      mark,
    );
    expect(gone).toContain('The Razer Core X is unplugged now: wait ten seconds');
    // What it was called, line by line: never "unplugged" while the cable was in.
    const badges = watch.lines
      .filter((l) => l.includes(`${EGPU}  NVIDIA GeForce RTX 3070 [`))
      .map((l) => /\[([^\]]+)\]/.exec(l)?.[1]);
    expect(badges).toEqual([
      'attached',
      'fell off the bus',
      'not responding — reconnect it',
      'unplugged after it stopped responding — plug it back in',
    ]);
  }, 60_000);

  it('a drive in the same enclosure: the GPU is removed, nobody says "unplug now"', async () => {
    const { sim, watch } = machine('tb3-nvidia-nvme');
    await watch.waitFor((l) => parse(l).type === 'state' && parse(l).gpu === EGPU, 15_000);
    const mark = watch.lines.length;
    const r = await runCliProcess(ejectYes(sim));
    expect(r.stdout).toMatch(/GPU REMOVED, DRIVE STILL CONNECTED/);
    expect(r.stdout).toMatch(/eject it in your file manager first, then unplug/);
    expect(r.stdout).not.toMatch(/SAFE TO UNPLUG|Unplug the .* now/);
    const safe = parse(
      await watch.waitFor((l) => parse(l).state === 'safe-to-unplug', 10_000, mark),
    );
    expect(safe.case).toBe('safe-to-unplug-drive-connected');
    expect(safe.text).toMatch(/^The GPU is removed\. .*eject it in your file manager first/);
    // The drive is still there: the tunnel was left up.
    expect(sim.exists('/sys/block/nvme0n1')).toBe(true);
  }, 60_000);
});
