// User hooks with real executables and real processes (docs/hooks.md): order, argv and
// environment, the time limit with the process group, failures in the log and as notices, the
// pre-eject refusal, ignored files with their reasons, root, and the transition queue.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Emitter } from '../../common/disposable.js';
import type { GpuEntry, Transition } from '../../common/snapshot.js';
import { appendBoundedLog } from '../../platform/bounded-log.js';
import type { HookFacts } from './hook-events.js';
import {
  createHookRunner,
  listHooks,
  type HookFailure,
  type HookRunnerOptions,
} from './hook-runner.js';
import { bindTransitionHooks } from './transition-hooks.js';
import {
  AS_ROOT,
  HOOK_UID,
  appender,
  makeHookFolder,
  notRunning,
  type HookFolder,
} from './test/hook-folder.js';

const folders: HookFolder[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) f.cleanup();
});
const folder = (): HookFolder => {
  const f = makeHookFolder();
  folders.push(f);
  return f;
};

const BDF = '0000:0a:00.0';
const facts = (event: HookFacts['event'], over: Partial<HookFacts> = {}): HookFacts => ({
  event,
  bdf: BDF,
  name: 'NVIDIA GeForce RTX 3070',
  state: 'attached',
  from: 'connected',
  enclosure: 'Razer Core X',
  ...over,
});

const runnerFor = (f: HookFolder, over: Partial<HookRunnerOptions> = {}) =>
  createHookRunner({
    dir: f.dir,
    uid: HOOK_UID,
    env: { HOME: f.out, PATH: '/usr/bin:/bin', USER: 'alice', SECRET_TOKEN: 'leak', LANG: 'C' },
    logPath: f.log,
    ...over,
  });

describe('running hooks', () => {
  it('runs every valid hook in byte order, with the event as argv[1] and the facts in a clean environment', async () => {
    const f = folder();
    // Byte order puts digits, then upper case, then lower case (run-parts(8)); a locale would not.
    for (const name of ['a', 'B', '2-b', '10-a'])
      f.put(name, appender(f, 'order', '$1 $EGPU_EVENT'));
    f.put(
      '20-env',
      `#!/bin/sh\nenv | sort > '${path.join(f.out, 'env')}'\npwd > '${path.join(f.out, 'pwd')}'\n`,
    );
    const report = await runnerFor(f).run(facts('attached'));
    expect(report.refusal).toBeNull();
    expect(report.runs.map((r) => r.hook)).toEqual(['10-a', '2-b', '20-env', 'B', 'a']);
    expect(f.read('order')?.trim().split('\n')).toEqual([
      '10-a attached attached',
      '2-b attached attached',
      'B attached attached',
      'a attached attached',
    ]);
    const env = Object.fromEntries(
      (f.read('env') ?? '')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      EGPU_EVENT: 'attached',
      EGPU_BDF: BDF,
      EGPU_NAME: 'NVIDIA GeForce RTX 3070',
      EGPU_STATE: 'attached',
      EGPU_FROM: 'connected',
      EGPU_ENCLOSURE: 'Razer Core X',
      HOME: f.out,
      PATH: '/usr/bin:/bin',
      USER: 'alice',
    });
    // Nothing else of ours leaks through (the shell adds PWD itself).
    expect(
      Object.keys(env)
        .filter((k) => !k.startsWith('EGPU_') && k !== 'PWD')
        .sort(),
    ).toEqual(['HOME', 'PATH', 'USER']);
    expect(f.read('pwd')?.trim()).toBe(f.out); // started in the home folder
  });

  it('stops a hook that runs out of time, with everything it started, and says so', async () => {
    const f = folder();
    // Ignores SIGTERM, and leaves a child behind in its group: both must go.
    f.put(
      '10-slow',
      `#!/bin/sh\ntrap '' TERM\nsleep 30 &\necho $! > '${path.join(f.out, 'child')}'\necho "still working" >&2\nsleep 30\n`,
    );
    f.put('20-next', appender(f, 'next', '$1'));
    const failures: HookFailure[] = [];
    const t0 = Date.now();
    const report = await runnerFor(f, {
      timeoutMs: 400,
      killGraceMs: 200,
      onFailure: (x) => failures.push(x),
    }).run(facts('surprise-removed'));
    expect(Date.now() - t0).toBeLessThan(5000);
    const slow = report.runs[0]!;
    expect(slow.outcome.timedOut).toBe(true);
    expect(slow.outcome.signal).toBe('SIGKILL');
    const child = Number(f.read('child'));
    expect(child).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(notRunning(child)).toBe(true);
    // A transition's hooks go on after one failed.
    expect(f.read('next')?.trim()).toBe('20-next surprise-removed');
    expect(failures.map((x) => x.text)).toEqual([
      'Hook "10-slow" (surprise-removed) did not finish within 0.4 s and was stopped: still working.',
    ]);
    expect(fs.readFileSync(f.log, 'utf8')).toMatch(
      /Z surprise-removed 0000:0a:00\.0 "10-slow": did not finish within 0\.4 s and was stopped after \d+(\.\d)? s\n {2}! still working\n/,
    );
  });

  it('stops the children of a hook that ran out of time even when they ignore SIGTERM', async () => {
    const f = folder();
    f.put(
      '10-slow',
      `#!/bin/sh\n(trap '' TERM; sleep 30; :) &\necho $! > '${path.join(f.out, 'child')}'\nsleep 30\n`,
    );
    const report = await runnerFor(f, { timeoutMs: 300, killGraceMs: 2000 }).run(facts('attached'));
    expect(report.runs[0]!.outcome.timedOut).toBe(true);
    const child = Number(f.read('child'));
    expect(child).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(notRunning(child)).toBe(true);
  });

  it('logs each run with its exit status and the tail of its output; a failure is reported with its last line', async () => {
    const f = folder();
    f.put('10-ok', '#!/bin/sh\necho restarted ollama\n');
    f.put(
      '20-fails',
      '#!/bin/sh\necho trying\necho "Unit ollama.service not found." >&2\nexit 5\n',
    );
    const failures: HookFailure[] = [];
    const report = await runnerFor(f, { onFailure: (x) => failures.push(x) }).run(
      facts('recovered'),
    );
    expect(report.runs.map((r) => r.outcome.exitCode)).toEqual([0, 5]);
    const log = fs.readFileSync(f.log, 'utf8');
    expect(log).toMatch(
      / recovered 0000:0a:00\.0 "10-ok": exited with status 0 after .*\n {2}\| restarted ollama\n/,
    );
    expect(log).toMatch(
      / recovered 0000:0a:00\.0 "20-fails": exited with status 5 after .*\n {2}\| trying\n {2}! Unit ollama\.service not found\.\n/,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      hook: '20-fails',
      facts: { event: 'recovered', bdf: BDF },
      text: 'Hook "20-fails" (recovered) exited with status 5: Unit ollama.service not found..',
    });
  });

  it('pre-eject: the first hook that says no ends the run, with its last line as the reason', async () => {
    const f = folder();
    f.put('10-save', appender(f, 'ran', '$1'));
    f.put(
      '20-stop-render',
      '#!/bin/sh\necho "checking" \necho "render job 4411 is still writing frames" >&2\nexit 1\n',
    );
    f.put('30-after', appender(f, 'ran', '$1'));
    const report = await runnerFor(f).run(facts('pre-eject'));
    expect(report.refusal).toBe(
      'Pre-eject hook "20-stop-render" refused: render job 4411 is still writing frames. Nothing was changed.',
    );
    expect(f.read('ran')?.trim().split('\n')).toEqual(['10-save pre-eject']);
  });

  it('pre-eject: a hook that runs out of time refuses too', async () => {
    const f = folder();
    f.put('10-hangs', '#!/bin/sh\nsleep 30\n');
    const report = await runnerFor(f, { timeoutMs: 300, killGraceMs: 100 }).run(facts('pre-eject'));
    expect(report.refusal).toBe(
      'Pre-eject hook "10-hangs" did not finish within 0.3 s and was stopped. Nothing was changed.',
    );
  });

  it('runs nothing as root, and the log says why (once)', async () => {
    const f = folder();
    f.put('10-hook', appender(f, 'ran', '$1'));
    const runner = runnerFor(f, { uid: 0 });
    expect((await runner.run(facts('attached'))).runs).toEqual([]);
    await runner.run(facts('unplugged'));
    expect(f.read('ran')).toBeNull();
    const log = fs.readFileSync(f.log, 'utf8');
    expect(
      log.match(/hooks not run: eGPU Guard runs as root, and hooks never run as root/g),
    ).toHaveLength(1);
  });
});

describe('which files run', () => {
  it('ignores every file that is not a valid hook, each with its reason; the rest run', async () => {
    const f = folder();
    const ok = appender(f, 'ran', '$1');
    f.put('10-ok.sh', ok);
    f.put('.hidden', ok);
    f.put('notes~', ok);
    f.put('20-x.dpkg-old', ok);
    f.put('30-y.rpmnew', ok);
    f.put('40-off', ok, 0o644);
    f.put('50-group-writable', ok, 0o775);
    f.put('60-world-writable', ok, 0o757);
    f.put('70-no-shebang', `echo "$(basename "$0")" >> '${path.join(f.out, 'ran')}'\n`);
    fs.mkdirSync(path.join(f.dir, '80-dir'));
    fs.symlinkSync(path.join(f.out, 'nowhere'), path.join(f.dir, '90-dangling'));
    // A symlink is judged by what it points to (a valid script elsewhere, owned by the user).
    const target = path.join(f.out, 'real-hook');
    fs.writeFileSync(target, ok, { mode: 0o755 });
    fs.chmodSync(target, 0o755);
    if (AS_ROOT) fs.chownSync(target, HOOK_UID, HOOK_UID);
    fs.symlinkSync(target, path.join(f.dir, '95-link'));
    // A binary runs as it is.
    fs.copyFileSync('/bin/true', path.join(f.dir, '97-elf'));
    fs.chmodSync(path.join(f.dir, '97-elf'), 0o755);
    if (AS_ROOT) fs.chownSync(path.join(f.dir, '97-elf'), HOOK_UID, HOOK_UID);
    const listing = listHooks(f.dir, HOOK_UID);
    expect(listing.hooks).toEqual(['10-ok.sh', '95-link', '97-elf']);
    expect(Object.fromEntries(listing.ignored.map((i) => [i.name, i.code]))).toEqual({
      '.hidden': 'name',
      '20-x.dpkg-old': 'name',
      '30-y.rpmnew': 'name',
      '40-off': 'not-executable',
      '50-group-writable': 'writable',
      '60-world-writable': 'writable',
      '70-no-shebang': 'not-a-program',
      '80-dir': 'not-regular',
      '90-dangling': 'unreadable',
      'notes~': 'name',
    });
    expect(listing.ignored.find((i) => i.name === '90-dangling')?.reason).toMatch(
      /dangling symlink/,
    );
    expect(listing.ignored.find((i) => i.name === '70-no-shebang')?.reason).toMatch(/#!/);
    await runnerFor(f).run(facts('attached'));
    // Only the valid ones ran: the no-shebang one was not handed to a shell either.
    expect(f.read('ran')?.trim().split('\n')).toEqual(['10-ok.sh attached', '95-link attached']);
    // Each ignored file is logged once, with why.
    expect(fs.readFileSync(f.log, 'utf8')).toMatch(/ignored "40-off": not executable/);
  });

  it.skipIf(!AS_ROOT)("ignores another user's file", () => {
    const f = folder();
    const p = f.put('10-theirs', '#!/bin/sh\n');
    fs.chownSync(p, HOOK_UID + 1, HOOK_UID + 1);
    expect(listHooks(f.dir, HOOK_UID).ignored).toEqual([
      {
        name: '10-theirs',
        code: 'not-owner',
        reason: `owned by uid ${HOOK_UID + 1}, not by you (uid ${HOOK_UID})`,
      },
    ]);
  });

  it('runs nothing from a hooks folder that others may write to', async () => {
    const f = folder();
    f.put('10-ok', appender(f, 'ran', '$1'));
    fs.chmodSync(f.dir, 0o777);
    const listing = listHooks(f.dir, HOOK_UID);
    expect(listing.hooks).toEqual([]);
    expect(listing.ignored.map((i) => i.code)).toEqual(['folder-writable']);
    await runnerFor(f).run(facts('attached'));
    expect(f.read('ran')).toBeNull();
  });

  it('a missing folder is no hooks and nothing wrong', () => {
    const f = folder();
    fs.rmSync(f.dir, { recursive: true });
    expect(listHooks(f.dir, HOOK_UID)).toEqual({
      dir: f.dir,
      folder: 'absent',
      hooks: [],
      ignored: [],
      notRun: null,
    });
  });
});

describe('the hooks log', () => {
  it('stays bounded: past its limit the old one becomes <name>.1', () => {
    const f = folder();
    const log = path.join(f.out, 'bounded.log');
    for (let i = 0; i < 50; i++) appendBoundedLog(log, `${'x'.repeat(99)}\n`, 1000);
    expect(fs.statSync(log).size).toBeLessThanOrEqual(1000);
    expect(fs.statSync(`${log}.1`).size).toBeLessThanOrEqual(1000);
    expect(fs.statSync(`${log}.1`).size).toBeGreaterThan(800);
  });
});

describe('transition hooks', () => {
  const entry = (over: Partial<GpuEntry> = {}): GpuEntry => ({
    bdf: BDF,
    name: 'NVIDIA GeForce RTX 3070',
    vendorId: '10de',
    deviceId: '2484',
    external: true,
    enclosure: { name: 'Razer Core X', router: '0-1', uniqueId: 'u' },
    state: 'attached',
    since: 0,
    present: true,
    info: null,
    clients: [],
    clientsAt: 1,
    incident: null,
    departure: null,
    ...over,
  });
  const tr = (from: Transition['from'], to: Transition['to']): Transition => ({
    at: 1,
    gpu: BDF,
    name: 'NVIDIA GeForce RTX 3070',
    from,
    to,
    evidence: [],
  });

  it('run in the background, one event after another in order, from arm() on', async () => {
    const f = folder();
    // Slow on purpose: firing transitions must not wait for it.
    f.put('10-log', appender(f, 'events', '$1 from=$EGPU_FROM state=$EGPU_STATE', 'sleep 0.3\n'));
    const transitions = new Emitter<Transition>();
    let current = entry();
    const hooks = bindTransitionHooks({
      runner: runnerFor(f),
      onTransition: transitions.event,
      entry: () => current,
    });
    transitions.fire(tr(null, 'attached')); // the core's first picture: no event
    hooks.arm();
    const t0 = Date.now();
    current = entry({ state: 'in-use' });
    transitions.fire(tr('attached', 'in-use')); // usage changes are no event
    current = entry({ state: 'surprise-removed', present: false, departure: 'surprise' });
    transitions.fire(tr('in-use', 'surprise-removed'));
    current = entry({ state: 'connected', present: false, departure: 'surprise' });
    transitions.fire(tr('surprise-removed', 'connected'));
    current = entry({ state: 'attached' });
    transitions.fire(tr('connected', 'attached'));
    expect(Date.now() - t0).toBeLessThan(200);
    expect(f.read('events')).toBeNull();
    await hooks.idle();
    expect(f.read('events')?.trim().split('\n')).toEqual([
      '10-log surprise-removed from=in-use state=surprise-removed-idle',
      '10-log recovered from=connected state=attached',
    ]);
    await hooks.dispose();
  });

  it('dispose stops the running hook and drops what waits', async () => {
    const f = folder();
    // Written aside and renamed: the shell creates the file before it writes the pid, and a
    // poll between the two would read an empty file.
    const pidFile = path.join(f.out, 'pid');
    f.put(
      '10-hangs',
      `#!/bin/sh\necho $$ > '${pidFile}.new'\nmv '${pidFile}.new' '${pidFile}'\nexec sleep 30\n`,
    );
    const transitions = new Emitter<Transition>();
    const hooks = bindTransitionHooks({
      runner: runnerFor(f, { killGraceMs: 200 }),
      onTransition: transitions.event,
      entry: () => entry({ state: 'safe-to-unplug', present: false, departure: 'safe-eject' }),
    });
    hooks.arm();
    transitions.fire(tr('ejecting', 'safe-to-unplug'));
    transitions.fire(tr('safe-to-unplug', 'unplugged'));
    for (let i = 0; i < 50 && f.read('pid') === null; i++)
      await new Promise((r) => setTimeout(r, 50));
    const pid = Number(f.read('pid'));
    expect(pid).toBeGreaterThan(0);
    const t0 = Date.now();
    await hooks.dispose();
    expect(Date.now() - t0).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 100));
    expect(notRunning(pid)).toBe(true);
    expect(fs.readFileSync(f.log, 'utf8')).toMatch(
      /"10-hangs": was stopped because eGPU Guard is exiting/,
    );
    expect(fs.readFileSync(f.log, 'utf8')).not.toMatch(/unplugged 0000/);
  });
});
