// Test support: a long-running `egpu` child (watch, ui) whose stdout lines can be awaited.

import { spawn, type ChildProcess } from 'node:child_process';
import { EGPU_BIN } from './run-cli.js';

export type CliChild = {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves with the first line (from `from` on) matching; rejects after timeoutMs. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number, from?: number): Promise<string>;
  /** SIGINT, then the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export function startCli(argv: readonly string[], env: Record<string, string> = {}): CliChild {
  const child = spawn(process.execPath, [EGPU_BIN, ...argv], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let pending = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  return {
    child,
    lines,
    stderr: () => err,
    waitFor(match, timeoutMs = 10_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = lines.slice(from).find(match);
          if (hit !== undefined) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; lines so far:\n${lines.join('\n')}\nstderr:\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
