// Keeps one long-lived child process (udevadm monitor, journalctl -f, tail -F) running: restarts it
// with exponential backoff when it dies (0.5 s doubling to a 30 s cap; the delay resets once a
// child has stayed up for a stable minute), never restarts a program that is not installed, and
// ignores lines from a child that is no longer current. Pure logic over CommandRunner and Clock.

import type { Disposable } from '../common/disposable.js';
import type { Clock } from '../platform/clock.js';
import type {
  CommandRunner,
  CommandSpec,
  StreamExit,
  StreamHandle,
} from '../platform/command-runner.js';

export type BackoffOptions = {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A child that ran at least this long resets the delay to initialMs. */
  readonly stableMs: number;
};

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, stableMs: 60_000 };

export type ChildExitInfo = {
  readonly exit: StreamExit;
  readonly ranMs: number;
  /** Delay before the next start; null when the child will not be restarted. */
  readonly restartInMs: number | null;
};

export type SupervisedChildOptions = {
  readonly runner: CommandRunner;
  readonly clock: Clock;
  /** Called before every start, so arguments can follow state (e.g. --after-cursor). */
  readonly spec: () => CommandSpec;
  readonly onLine: (line: string) => void;
  /** A child started; `restart` is false only for the first one. */
  readonly onSpawn?: (info: { restart: boolean; pid: number | undefined }) => void;
  readonly onExit?: (info: ChildExitInfo) => void;
  /** Return false to stop supervising after this exit (e.g. the source is unavailable). */
  readonly shouldRestart?: (exit: StreamExit) => boolean;
  readonly backoff?: Partial<BackoffOptions>;
};

export type SupervisedChild = Disposable & {
  start(): void;
  /** The current child's pid (tests kill it to prove restarts). */
  pid(): number | undefined;
  readonly restarts: number;
};

/** What a program that cannot be started looks like (no restart: it will not appear by itself). */
export const isMissingProgram = (exit: StreamExit): boolean =>
  exit.spawnError === 'ENOENT' || exit.spawnError === 'EACCES';

export function nextBackoff(current: number, ranMs: number, b: BackoffOptions): [number, number] {
  // Returns [delay to use now, delay for the following failure].
  const delay = ranMs >= b.stableMs ? b.initialMs : current;
  return [delay, Math.min(delay * 2, b.maxMs)];
}

export function createSupervisedChild(options: SupervisedChildOptions): SupervisedChild {
  const b: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  let handle: StreamHandle | null = null;
  let generation = 0;
  let started = false;
  let disposed = false;
  let delay = b.initialMs;
  let timer: Disposable | null = null;
  let restarts = 0;

  const launch = (restart: boolean): void => {
    if (disposed) return;
    const gen = ++generation;
    const startedAt = options.clock.monotonic();
    let h: StreamHandle;
    try {
      h = options.runner.stream(options.spec(), (line) => {
        if (gen === generation && !disposed) options.onLine(line);
      });
    } catch (e) {
      // spawn() throws synchronously only for invalid arguments (e.g. a NUL byte in a path).
      const exit: StreamExit = { exitCode: null, signal: null, stderr: '', spawnError: String(e) };
      options.onExit?.({ exit, ranMs: 0, restartInMs: null });
      return;
    }
    handle = h;
    options.onSpawn?.({ restart, pid: h.pid });
    void h.exited.then((exit) => {
      if (gen !== generation || disposed) return;
      handle = null;
      const ranMs = options.clock.monotonic() - startedAt;
      const again = !isMissingProgram(exit) && (options.shouldRestart?.(exit) ?? true);
      if (!again) {
        options.onExit?.({ exit, ranMs, restartInMs: null });
        return;
      }
      const [now, next] = nextBackoff(delay, ranMs, b);
      delay = next;
      options.onExit?.({ exit, ranMs, restartInMs: now });
      timer = options.clock.setTimeout(() => {
        timer = null;
        restarts++;
        launch(true);
      }, now);
    });
  };

  return {
    start() {
      if (started || disposed) return;
      started = true;
      launch(false);
    },
    pid: () => handle?.pid,
    get restarts() {
      return restarts;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      timer?.dispose();
      timer = null;
      handle?.stop();
      handle = null;
    },
  };
}

/** One line describing how a child ended, for status details. */
export function describeExit(exit: StreamExit): string {
  if (exit.spawnError !== undefined) return `could not start (${exit.spawnError})`;
  const how =
    exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const lastErr = exit.stderr.trim().split('\n').pop()?.trim() ?? '';
  return lastErr === '' ? how : `${how}: ${lastErr.slice(0, 200)}`;
}
