// Test support: `egpu ui` as a real child process (bin/egpu.js → dist/), started the way a user
// starts it, with the address read from the one line it prints. Reusable by any end-to-end test
// (the fake core now, the real demo later).

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EGPU_BIN } from '../../cli/test/run-cli.js';

export type UiProcess = {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Sends the signal and waits for the exit (SIGKILL after `graceMs`). */
  stop(
    signal?: NodeJS.Signals,
    graceMs?: number,
  ): Promise<{ code: number | null; signal: string | null }>;
};

/** The one line `egpu ui` prints: the token only in the fragment, which no request carries. */
export const URL_LINE = /^(http:\/\/127\.0\.0\.1:(\d+))\/#token=([0-9a-f]{32})$/m;

export function startUiProcess(
  args: readonly string[] = [],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<UiProcess> {
  const child = spawn(process.execPath, [EGPU_BIN, 'ui', ...args], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/root',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const stop: UiProcess['stop'] = async (signal = 'SIGTERM', graceMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`egpu ui printed no address in time\nstdout: ${out}\nstderr: ${err}`));
    }, options.timeoutMs ?? 15_000);
    const onData = (): void => {
      const m = URL_LINE.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        url: m[0],
        origin: m[1]!,
        port: Number(m[2]),
        token: m[3]!,
        child,
        stdout: () => out,
        stderr: () => err,
        stop,
      });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`egpu ui exited (${code}) before printing an address\nstderr: ${err}`));
    });
  });
}
