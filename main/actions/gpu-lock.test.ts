// The per-GPU lock with real files and real processes: racing takers (child processes on dist/),
// owners that crashed or whose pid was reused, and the ALL_GPUS lock of `egpu recover`.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/test/run-cli.js';
import { processStartTime } from '../platform/lock-files.js';
import { ALL_GPUS, createFileGpuLocks, formatLockOwner, liveOwner } from './gpu-lock.js';

const BDF = '0000:0a:00.0';
const DIST_LOCK = pathToFileURL(path.join(REPO_ROOT, 'dist/main/actions/gpu-lock.js')).href;

const dirs: string[] = [];
const children: { kill(s: NodeJS.Signals): boolean }[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const lockDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-lock-'));
  dirs.push(d);
  return path.join(d, 'locks');
};

/** A child that takes the lock, says so on stdout, holds it for `holdMs`, then releases it. */
function taker(dir: string, holdMs: number, key = BDF) {
  const script = `
    const { createFileGpuLocks } = await import(${JSON.stringify(DIST_LOCK)});
    const r = createFileGpuLocks(${JSON.stringify(dir)}).acquire(${JSON.stringify(key)}, 'eject');
    if (!r.ok) { console.log(JSON.stringify(r.error)); process.exit(1); }
    console.log(JSON.stringify({ code: 'got' }));
    const end = () => { r.value.release(); process.exit(0); };
    process.on('SIGTERM', end);
    setTimeout(end, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<{ pid: number; said: { code: string; message?: string } }>((resolve) =>
    child.on('close', () =>
      resolve({ pid: child.pid!, said: JSON.parse(out.trim() || '{"code":"none"}') as never }),
    ),
  );
  const said = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { child, done, said };
}

describe('GPU lock', () => {
  it('of six processes taking it at once, exactly one gets it; the others name its pid', async () => {
    const dir = lockDir();
    const takers = Array.from({ length: 6 }, () => taker(dir, 60_000));
    // Everyone has answered before the winner lets go (SIGTERM: it releases, then exits).
    await Promise.all(takers.map((t) => t.said));
    for (const t of takers) t.child.kill('SIGTERM');
    const runs = await Promise.all(takers.map((t) => t.done));
    const winners = runs.filter((r) => r.said.code === 'got');
    expect(winners).toHaveLength(1);
    for (const r of runs.filter((x) => x.said.code !== 'got')) {
      expect(r.said).toMatchObject({
        code: 'already-running',
        message: `an eject of this GPU is already running (pid ${winners[0]!.pid})`,
      });
    }
    expect(fs.readdirSync(dir)).toEqual([]); // released, and no temporary files left behind
  });

  it('a taker that was killed (SIGKILL, no cleanup) does not block the next one', async () => {
    const dir = lockDir();
    const first = taker(dir, 60_000);
    await first.said;
    const held = createFileGpuLocks(dir).acquire(BDF, 'eject');
    expect(held.ok ? null : held.error.message).toBe(
      `an eject of this GPU is already running (pid ${first.child.pid})`,
    );
    first.child.kill('SIGKILL');
    await first.done;
    expect(fs.existsSync(path.join(dir, `${BDF}.lock`))).toBe(true); // the crash left it there
    const next = createFileGpuLocks(dir).acquire(BDF, 'eject');
    expect(next.ok).toBe(true);
    if (next.ok) next.value.release();
  });

  it('a lock whose pid now belongs to another program (other start time) is stale', () => {
    const dir = lockDir();
    fs.mkdirSync(dir, { recursive: true });
    // This very process stands in for the program that got the pid: alive, but started later.
    const recycled = { pid: process.pid, start: '1', action: 'eject' as const };
    fs.writeFileSync(path.join(dir, `${BDF}.lock`), formatLockOwner(recycled));
    expect(liveOwner(formatLockOwner(recycled), processStartTime)).toBeNull();
    const r = createFileGpuLocks(dir).acquire(BDF, 'eject');
    expect(r.ok).toBe(true);
  });

  it('a lock of a live process with its own start time holds; garbage does not', () => {
    const dir = lockDir();
    fs.mkdirSync(dir, { recursive: true });
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sleeper);
    const start = processStartTime(sleeper.pid!);
    expect(start).toMatch(/^\d+$/);
    const owner = { pid: sleeper.pid!, start: start!, action: 'recover' as const };
    fs.writeFileSync(path.join(dir, `${ALL_GPUS}.lock`), formatLockOwner(owner));
    fs.writeFileSync(path.join(dir, `${BDF}.lock`), '{"pid":');
    const locks = createFileGpuLocks(dir);
    expect(locks.holder(BDF)).toEqual({ owner, key: ALL_GPUS });
    const r = locks.acquire(BDF, 'eject');
    expect(r.ok ? null : r.error).toMatchObject({
      code: 'already-running',
      message: `a recovery of the external GPUs is already running (pid ${sleeper.pid})`,
    });
    // Refused by the other lock, it left no lock of its own behind.
    expect(fs.existsSync(path.join(dir, `${BDF}.lock`))).toBe(false);
  });

  it('recovering every GPU waits for any eject, and an eject for recovering every GPU', async () => {
    const dir = lockDir();
    const eject = taker(dir, 60_000);
    await eject.said;
    const all = createFileGpuLocks(dir).acquire(ALL_GPUS, 'recover');
    expect(all.ok ? null : all.error.message).toBe(
      `an eject of ${BDF} is already running (pid ${eject.child.pid})`,
    );
    eject.child.kill('SIGKILL');
    await eject.done;
    const again = createFileGpuLocks(dir).acquire(ALL_GPUS, 'recover');
    expect(again.ok).toBe(true);
    const other = taker(dir, 0, '0000:66:00.0');
    expect((await other.done).said).toMatchObject({
      message: `a recovery of the external GPUs is already running (pid ${process.pid})`,
    });
    if (again.ok) again.value.release();
    // Only the killed eject's stale lock is left; the next eject of that GPU takes it over.
    expect(spawnSync('ls', ['-A', dir]).stdout.toString()).toBe(`${BDF}.lock\n`);
  });
});
