// CommandRunner.run with real children: a timed-out or aborted run resolves promptly even when the
// child cannot be reaped (here: a grandchild keeps the pipes open, as a child stuck in the kernel
// keeps its process alive), and stdout arrives chunk by chunk while it runs.

import { describe, expect, it } from 'vitest';
import { KILL_GRACE_MS, createNodeCommandRunner } from './command-runner.js';

const runner = createNodeCommandRunner();

/** Kills a leftover process by pid, if it is still there. */
const reap = (pidText: string): void => {
  const pid = parseInt(pidText.trim(), 10);
  if (Number.isInteger(pid) && pid > 1) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};

describe('createNodeCommandRunner().run', () => {
  it('resolves a timed-out run promptly although the child never closes', async () => {
    const started = performance.now();
    // SIGKILL ends sh, but the background sleep inherits stdout: 'close' would never come.
    const r = await runner.run({
      file: '/bin/sh',
      args: ['-c', 'sleep 30 & echo $!; wait'],
      timeoutMs: 300,
    });
    const elapsed = performance.now() - started;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    reap(r.value.stdout);
    expect(r.value.timedOut).toBe(true);
    expect(r.value.abandoned).toBe(true);
    expect(r.value.exitCode).toBeNull();
    expect(elapsed).toBeLessThan(300 + KILL_GRACE_MS + 2000);
  });

  it('reports a killable timed-out child with its signal, not as abandoned', async () => {
    const r = await runner.run({ file: '/bin/sleep', args: ['30'], timeoutMs: 200 });
    expect(r.ok && r.value.timedOut && r.value.signal === 'SIGKILL').toBe(true);
    expect(r.ok && r.value.abandoned).toBeFalsy();
  });

  it('aborts on the signal, streams stdout while running, and ignores an abort after the end', async () => {
    const abort = new AbortController();
    const chunks: string[] = [];
    const pending = runner.run({
      file: '/bin/sh',
      args: ['-c', 'echo first; exec sleep 30'],
      signal: abort.signal,
      onStdout: (c) => {
        chunks.push(c);
        abort.abort();
      },
    });
    const r = await pending;
    expect(chunks.join('')).toBe('first\n');
    expect(r.ok && r.value.aborted).toBe(true);
    expect(r.ok && r.value.timedOut).toBe(false);

    const done = new AbortController();
    const quick = await runner.run({ file: '/bin/echo', args: ['x'], signal: done.signal });
    done.abort();
    expect(quick.ok && quick.value.exitCode === 0 && quick.value.aborted === undefined).toBe(true);

    const already = await runner.run({ file: '/bin/echo', args: ['x'], signal: done.signal });
    expect(already.ok && already.value.aborted).toBe(true);
  });

  it('still reports a program that cannot start', async () => {
    const r = await runner.run({ file: '/nonexistent/program', args: [] });
    expect(r.ok ? 'ran' : r.error.code).toBe('not-found');
  });
});
