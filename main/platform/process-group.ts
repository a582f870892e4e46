// Runs one program in a process group of its own, for programs that are not ours (the user's
// hooks, docs/hooks.md): an argv array (never a shell), exactly the environment and working folder
// given, stdin from /dev/null, a time limit after which the whole group is killed, and stdout and
// stderr kept bounded (their tails: the last line is what a person needs). A non-zero exit is
// data; so is a program that cannot be started (spawnError).
//
// The group: `detached` makes the child a session and process-group leader (setsid(2)), so a
// negative pid reaches it and everything it started (kill(2): "If pid is less than -1, then sig is
// sent to every process in the process group whose ID is -pid").

import { spawn, type ChildProcess } from 'node:child_process';

export type GroupRunSpec = {
  readonly file: string;
  readonly args: readonly string[];
  /** The child's whole environment: nothing is inherited or added. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Bytes of each stream kept (the tail); default 64 KiB. */
  readonly maxOutputBytes?: number;
  /** After the time limit: SIGTERM to the group, then SIGKILL this much later (default 1 s). */
  readonly killGraceMs?: number;
  /** Aborting kills the group like a timeout (outcome.aborted). */
  readonly signal?: AbortSignal;
};

export type GroupRunOutcome = {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Some output was dropped (only the tail of each stream is kept). */
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Why it could not be started (ENOENT, EACCES, ENOEXEC …); null when it ran. */
  readonly spawnError: string | null;
  readonly durationMs: number;
  /** The group did not die after SIGKILL (stuck in the kernel): it was left behind. */
  readonly abandoned?: boolean;
};

/** How long to wait for the pipes after the program exited: a background child may hold them. */
const DRAIN_MS = 200;

class Tail {
  #chunks: Buffer[] = [];
  #len = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.#chunks.push(b);
    this.#len += b.length;
    while (this.#len > this.max && this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      const over = this.#len - this.max;
      this.truncated = true;
      if (first.length <= over) {
        this.#chunks.shift();
        this.#len -= first.length;
      } else {
        this.#chunks[0] = first.subarray(over);
        this.#len -= over;
      }
    }
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

const killGroup = (child: ChildProcess, sig: NodeJS.Signals): void => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // ESRCH: the group is gone already. EPERM: nothing more we can do from here.
  }
};

export function runInProcessGroup(spec: GroupRunSpec): Promise<GroupRunOutcome> {
  const started = Date.now();
  const max = spec.maxOutputBytes ?? 64 * 1024;
  const grace = spec.killGraceMs ?? 1000;
  return new Promise((resolve) => {
    const out = new Tail(max);
    const errOut = new Tail(max);
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exit: { code: number | null; signal: string | null } | null = null;
    const timers: NodeJS.Timeout[] = [];
    let child: ChildProcess;

    const settle = (o: Partial<GroupRunOutcome>): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      // Its time was up: whatever of its group outlived it (a child that ignores SIGTERM) goes too.
      if (timedOut || aborted) killGroup(child, 'SIGKILL');
      spec.signal?.removeEventListener('abort', onAbort);
      // A background child of the program may keep the pipes open: stop reading them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: out.text(),
        stderr: errOut.text(),
        truncated: out.truncated || errOut.truncated,
        timedOut,
        aborted,
        spawnError: null,
        durationMs: Date.now() - started,
        ...o,
      });
    };

    const stop = (): void => {
      killGroup(child, 'SIGTERM');
      timers.push(
        setTimeout(() => {
          killGroup(child, 'SIGKILL');
          // Still not exited a while after SIGKILL: uninterruptible sleep; never wait for it.
          timers.push(
            setTimeout(() => {
              if (exit === null) settle({ abandoned: true });
            }, grace),
          );
        }, grace),
      );
    };
    const onAbort = (): void => {
      if (settled || aborted || timedOut || exit !== null) return;
      aborted = true;
      stop();
    };

    try {
      child = spawn(spec.file, [...spec.args], {
        env: { ...spec.env },
        cwd: spec.cwd,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const code =
        typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
          ? e.code
          : String(e);
      resolve({
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        truncated: false,
        timedOut: false,
        aborted: false,
        spawnError: code,
        durationMs: Date.now() - started,
      });
      return;
    }
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => errOut.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Only a failed start lands here (kills go through process.kill).
      if (child.pid === undefined) settle({ spawnError: e.code ?? e.message });
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Let the pipes deliver what is buffered; 'close' comes at once unless a child kept them.
      timers.push(setTimeout(() => settle({}), DRAIN_MS));
    });
    child.on('close', () => {
      if (exit !== null) settle({});
    });
    if (spec.signal?.aborted) onAbort();
    else spec.signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(
      setTimeout(() => {
        if (exit !== null || settled) return;
        timedOut = true;
        stop();
      }, spec.timeoutMs),
    );
  });
}
