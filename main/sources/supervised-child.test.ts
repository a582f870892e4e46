// Backoff arithmetic with a manual clock and a scripted runner (the real-process restarts are
// proven in udev-monitor.test.ts and journal-follower.test.ts).
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../platform/clock.js';
import type { CommandRunner, StreamExit } from '../platform/command-runner.js';
import { createSupervisedChild, describeExit, nextBackoff } from './supervised-child.js';

type Started = { at: number; exit: (e: StreamExit) => void };

function scriptedRunner(clock: ManualClock): { runner: CommandRunner; starts: Started[] } {
  const starts: Started[] = [];
  const runner: CommandRunner = {
    run: () => Promise.reject(new Error('not used')),
    stream() {
      let exit!: (e: StreamExit) => void;
      const exited = new Promise<StreamExit>((r) => (exit = r));
      starts.push({ at: clock.monotonic(), exit });
      return { pid: 1000 + starts.length, exited, stop: () => undefined };
    },
  };
  return { runner, starts };
}

const died: StreamExit = { exitCode: 1, signal: null, stderr: 'boom\n' };
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('supervised child', () => {
  it('restarts after 0.5 s doubling to a 30 s cap, and resets after a stable minute', async () => {
    const clock = new ManualClock();
    const { runner, starts } = scriptedRunner(clock);
    const delays: (number | null)[] = [];
    const child = createSupervisedChild({
      runner,
      clock,
      spec: () => ({ file: 'x', args: [] }),
      onLine: () => undefined,
      onExit: (i) => delays.push(i.restartInMs),
    });
    child.start();
    for (let i = 0; i < 9; i++) {
      starts.at(-1)?.exit(died);
      await flush();
      clock.advance(delays.at(-1) ?? 0);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(starts).toHaveLength(10);
    // Ran for a minute: the next failure restarts quickly again.
    clock.advance(60_000);
    starts.at(-1)?.exit(died);
    await flush();
    expect(delays.at(-1)).toBe(500);
    expect(child.restarts).toBe(9);
    child.dispose();
    clock.advance(1000);
    expect(starts).toHaveLength(10);
  });

  it('never restarts a program that is not installed, nor when told not to', async () => {
    const clock = new ManualClock();
    const { runner, starts } = scriptedRunner(clock);
    const delays: (number | null)[] = [];
    const child = createSupervisedChild({
      runner,
      clock,
      spec: () => ({ file: 'x', args: [] }),
      onLine: () => undefined,
      onExit: (i) => delays.push(i.restartInMs),
    });
    child.start();
    starts[0]?.exit({ exitCode: null, signal: null, stderr: '', spawnError: 'ENOENT' });
    await flush();
    clock.advance(60_000);
    expect(delays).toEqual([null]);
    expect(starts).toHaveLength(1);

    const c2 = createSupervisedChild({
      runner,
      clock,
      spec: () => ({ file: 'x', args: [] }),
      onLine: () => undefined,
      shouldRestart: (e) => e.exitCode !== 0,
    });
    c2.start();
    starts.at(-1)?.exit({ exitCode: 0, signal: null, stderr: '' });
    await flush();
    clock.advance(60_000);
    expect(starts).toHaveLength(2);
  });

  it('describes exits in one line', () => {
    expect(describeExit(died)).toBe('exited with code 1: boom');
    expect(describeExit({ exitCode: null, signal: 'SIGKILL', stderr: '' })).toBe(
      'killed by SIGKILL',
    );
    expect(
      nextBackoff(30_000, 61_000, { initialMs: 500, maxMs: 30_000, stableMs: 60_000 }),
    ).toEqual([500, 1000]);
  });
});
