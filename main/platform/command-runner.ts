// CommandRunner port: the only way the core starts programs. Always an argv array, never a shell;
// a small explicit environment (LC_ALL=C so output is parseable); a timeout on one-shot runs; and
// a non-zero exit is data (CommandOutcome), not an error. Failing to start is an error.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';

export type CommandSpec = {
  readonly file: string;
  readonly args: readonly string[];
  /** One-shot runs default to 30 s; streams have no timeout. */
  readonly timeoutMs?: number;
  /** Added to the minimal default environment (PATH, LC_ALL=C). */
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string | Buffer;
  readonly maxOutputBytes?: number;
  readonly cwd?: string;
  /** One-shot runs: aborting kills the child and resolves at once (outcome.aborted). */
  readonly signal?: AbortSignal;
  /** One-shot runs: each stdout chunk as it arrives (the whole output still comes at the end). */
  readonly onStdout?: (chunk: string) => void;
};

export type CommandOutcome = {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Set when spec.signal aborted the run. */
  readonly aborted?: boolean;
  /**
   * Set when the child did not die after SIGKILL: it is stuck in the kernel (uninterruptible
   * sleep, or a setuid child we may not signal). It was left behind, never awaited.
   */
  readonly abandoned?: boolean;
};

export type StreamExit = {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The tail of stderr, for diagnostics. */
  readonly stderr: string;
  /** Set when the program could not be started at all (e.g. ENOENT). */
  readonly spawnError?: string;
};

export type StreamHandle = {
  readonly pid: number | undefined;
  readonly exited: Promise<StreamExit>;
  /** Stops the child (SIGTERM, then SIGKILL after 2 s). Idempotent. */
  stop(): void;
};

export type CommandRunner = {
  run(spec: CommandSpec): Promise<Result<CommandOutcome>>;
  /** Runs a long-lived program and hands every complete stdout line to onLine. */
  stream(spec: CommandSpec, onLine: (line: string) => void): StreamHandle;
};

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * After a timeout or an abort, how long to wait for the killed child to close before giving up on
 * it. A process in uninterruptible sleep (a sysfs write NVIDIA blocks) ignores SIGKILL, and a
 * setuid child (pkexec's) may not be signalled at all: the caller must not wait for either.
 */
export const KILL_GRACE_MS = 250;
/** Lines longer than this are cut: no parser should ever see an unbounded string. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export const baseEnv = (extra?: Readonly<Record<string, string>>): Record<string, string> => ({
  PATH: process.env['PATH'] ?? DEFAULT_PATH,
  LC_ALL: 'C',
  ...extra,
});

/** Splits a byte stream into lines; tolerates CRLF, partial chunks and over-long lines. */
export class LineSplitter {
  #pending = '';
  #overflow = false;
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const piece = chunk.slice(start, nl);
      this.#emit(this.#overflow ? '' : this.#pending + piece);
      this.#pending = '';
      this.#overflow = false;
      start = nl + 1;
    }
    if (!this.#overflow) {
      this.#pending += chunk.slice(start);
      if (this.#pending.length > MAX_LINE_BYTES) {
        this.#emit(this.#pending.slice(0, MAX_LINE_BYTES));
        this.#pending = '';
        this.#overflow = true;
      }
    }
  }

  /** Emits a final unterminated line, if any. */
  flush(): void {
    if (this.#pending !== '' && !this.#overflow) this.#emit(this.#pending);
    this.#pending = '';
    this.#overflow = false;
  }

  #emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

export function createNodeCommandRunner(): CommandRunner {
  return {
    run(spec) {
      return new Promise((resolve) => {
        const max = spec.maxOutputBytes ?? 16 * 1024 * 1024;
        if (spec.signal?.aborted) {
          resolve(
            ok({
              exitCode: null,
              signal: null,
              stdout: '',
              stderr: '',
              timedOut: false,
              aborted: true,
            }),
          );
          return;
        }
        let child: ChildProcessWithoutNullStreams;
        try {
          child = spawn(spec.file, [...spec.args], {
            env: baseEnv(spec.env),
            stdio: ['pipe', 'pipe', 'pipe'],
            cwd: spec.cwd,
          });
        } catch (e) {
          resolve(err(appError('command-failed', `${spec.file}: ${String(e)}`)));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let outLen = 0;
        let errLen = 0;
        let timedOut = false;
        let aborted = false;
        let settled = false;
        let graceTimer: NodeJS.Timeout | undefined;
        const outcome = (exitCode: number | null, signal: string | null): CommandOutcome => ({
          exitCode,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errOut).toString('utf8'),
          timedOut,
          ...(aborted ? { aborted } : {}),
        });
        const settle = (result: Result<CommandOutcome>): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (graceTimer) clearTimeout(graceTimer);
          spec.signal?.removeEventListener('abort', onAbort);
          resolve(result);
        };
        // Kill, and if the child still has not closed after a short grace, leave it to the
        // kernel: resolve now and let go of its handles so nothing here waits for it again.
        const killAndMaybeAbandon = (): void => {
          try {
            child.kill('SIGKILL');
          } catch {
            // EPERM and friends: handled below like a child that will not die.
          }
          graceTimer = setTimeout(() => {
            child.unref();
            for (const s of [child.stdin, child.stdout, child.stderr]) s.destroy();
            settle(ok({ ...outcome(null, null), abandoned: true }));
          }, KILL_GRACE_MS);
        };
        const timer = setTimeout(() => {
          timedOut = true;
          killAndMaybeAbandon();
        }, spec.timeoutMs ?? 30_000);
        const onAbort = (): void => {
          if (settled || aborted || timedOut) return;
          aborted = true;
          killAndMaybeAbandon();
        };
        spec.signal?.addEventListener('abort', onAbort, { once: true });
        child.stdout.on('data', (b: Buffer) => {
          if (outLen < max) out.push(b);
          outLen += b.length;
          spec.onStdout?.(b.toString('utf8'));
        });
        child.stderr.on('data', (b: Buffer) => {
          if (errLen < max) errOut.push(b);
          errLen += b.length;
        });
        child.on('error', (e: NodeJS.ErrnoException) => {
          // A failed kill (EPERM on a setuid child) also lands here; the grace timer covers it.
          if (timedOut || aborted) return;
          const code = e.code === 'ENOENT' ? 'not-found' : 'command-failed';
          settle(err(appError(code, `cannot run ${spec.file}: ${e.code ?? e.message}`)));
        });
        child.on('close', (exitCode, signal) => settle(ok(outcome(exitCode, signal))));
        child.stdin.on('error', () => undefined);
        child.stdin.end(spec.input ?? '');
      });
    },

    stream(spec, onLine) {
      const child = spawn(spec.file, [...spec.args], {
        env: baseEnv(spec.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: spec.cwd,
      });
      const splitter = new LineSplitter(onLine);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => splitter.push(chunk));
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-8192);
      });
      let killTimer: NodeJS.Timeout | undefined;
      const exited = new Promise<StreamExit>((resolve) => {
        let spawnError: string | undefined;
        child.on('error', (e: NodeJS.ErrnoException) => {
          spawnError = e.code ?? e.message;
          // 'close' may never come when spawn itself failed.
          if (child.pid === undefined)
            resolve({ exitCode: null, signal: null, stderr, spawnError });
        });
        child.on('close', (exitCode, signal) => {
          if (killTimer) clearTimeout(killTimer);
          splitter.flush();
          resolve(
            spawnError === undefined
              ? { exitCode, signal, stderr }
              : { exitCode, signal, stderr, spawnError },
          );
        });
      });
      let stopped = false;
      return {
        pid: child.pid,
        exited,
        stop() {
          if (stopped) return;
          stopped = true;
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
          killTimer.unref();
        },
      };
    },
  };
}
