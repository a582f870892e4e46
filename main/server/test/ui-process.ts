// Test support: `egpu ui` as a real child process (bin/egpu.js → dist/), started the way a user
// starts it, with the address read from the one line it prints; or, for stories that need the
// same scripted machine every run, browser mode over the FakeCore from the test-only entry
// fake-ui.ts, bundled once per test process (docs/testing.md, "The scripted core").

import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EGPU_BIN, REPO_ROOT } from '../../cli/test/run-cli.js';
import { RENDERER_DIST } from './renderer-build.js';

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

type StartOptions = { env?: Record<string, string>; timeoutMs?: number };

export function startUiProcess(
  args: readonly string[] = [],
  options: StartOptions = {},
): Promise<UiProcess> {
  return startServing([EGPU_BIN, 'ui', ...args], 'egpu ui', options);
}

let fakeUiBundle: Promise<string> | null = null;

/** Bundles fake-ui.ts once per test process, into a temporary folder removed on exit. */
function buildFakeUi(): Promise<string> {
  fakeUiBundle ??= new Promise((resolve, reject) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-fake-ui-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts/build-fake-ui.mjs'), dir],
      { cwd: REPO_ROOT, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        if (error === null) resolve(path.join(dir, 'fake-ui.mjs'));
        else reject(new Error(`fake-ui bundle failed: ${error.message}\n${stderr}`));
      },
    );
  });
  return fakeUiBundle;
}

/**
 * Browser mode over the scripted FakeCore in a child process: the same server and window as
 * `egpu ui --demo`, and the same story on every run (ollama on the eGPU, a blocker, six eject
 * steps of `stepMs` each, 250 ms by default). The renderer must be built (ensureRendererBuilt).
 */
export async function startFakeUiProcess(
  options: StartOptions & { stepMs?: number } = {},
): Promise<UiProcess> {
  const bundle = await buildFakeUi();
  const step = options.stepMs === undefined ? [] : [String(options.stepMs)];
  return startServing([bundle, RENDERER_DIST, ...step], 'fake-ui', options);
}

function startServing(
  argv: readonly string[],
  what: string,
  options: StartOptions,
): Promise<UiProcess> {
  const child = spawn(process.execPath, argv, {
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
      reject(new Error(`${what} printed no address in time\nstdout: ${out}\nstderr: ${err}`));
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
      reject(new Error(`${what} exited (${code}) before printing an address\nstderr: ${err}`));
    });
  });
}
