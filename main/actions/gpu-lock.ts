// One eject or recovery per GPU at a time, across processes: `egpu eject`, `egpu recover`, the
// tray app and browser mode all take this lock before their first kernel write, so two of them
// cannot both unbind, remove and `modprobe -r` the same card. A lock is a file per GPU in the
// user's runtime folder (main/platform/lock-files.ts creates it atomically with link(2)) naming
// its owner by pid *and* start time; a lock whose owner is gone — crashed, killed, or its pid
// since reused by another program — is stale and taken over, so a crash never blocks the next
// eject for good. Why not the `flock` command: it would need a helper child per lock, kept alive
// exactly as long as this process, and still a file for the pid the refusal names.
//
// Taking over a stale lock goes through a short "breaker" lock: only its holder may delete the
// stale file, and only after reading it again, so two takers cannot delete each other's fresh
// lock. A breaker is held for a few file operations; one whose owner died in between is removed.

import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import {
  createFileExclusive,
  listLockFiles,
  processStartTime,
  readLockText,
  removeLockFile,
} from '../platform/lock-files.js';
import type { SystemRoot } from '../platform/system-root.js';
import { egpuRuntimeDir } from './eject-intent.js';

export type LockAction = 'eject' | 'recover';

export type LockOwner = {
  readonly pid: number;
  /** When the process started (clock ticks after boot, /proc/<pid>/stat). */
  readonly start: string;
  readonly action: LockAction;
};

/** The lock `egpu recover` without a BDF takes: it may bring back any external GPU. */
export const ALL_GPUS = 'all';

export type HeldLock = { release(): void };

export type GpuLocks = {
  /** Takes the lock of `key` (a BDF, or ALL_GPUS); 'already-running' names the owner's pid. */
  acquire(key: string, action: LockAction): Result<HeldLock, AppError>;
  /** Who holds `key` now, or a lock that conflicts with it (`key`: that lock's), taking nothing. */
  holder(key: string): { readonly owner: LockOwner; readonly key: string } | null;
};

export type LockIo = {
  readonly create: (path: string, content: string) => Result<'created' | 'exists', AppError>;
  readonly read: (path: string) => string | null;
  readonly remove: (path: string) => void;
  readonly list: (dir: string) => readonly string[];
  /** The start time of a live process, null when none runs under that pid. */
  readonly startOf: (pid: number) => string | null;
};

// ---- pure decisions -------------------------------------------------------------------------

export function parseLockOwner(text: string | null): LockOwner | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<Record<keyof LockOwner, unknown>>;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0) return null;
    if (typeof v.start !== 'string' || (v.action !== 'eject' && v.action !== 'recover'))
      return null;
    return { pid: v.pid, start: v.start, action: v.action };
  } catch {
    return null;
  }
}

export const formatLockOwner = (o: LockOwner): string =>
  JSON.stringify({ pid: o.pid, start: o.start, action: o.action }) + '\n';

/**
 * A lock is held while its owner runs: same pid and the same start time. Unreadable content
 * cannot come from a live taker (locks appear with their whole content), so it is stale too.
 */
export function liveOwner(
  text: string | null,
  startOf: (pid: number) => string | null,
): LockOwner | null {
  const owner = parseLockOwner(text);
  if (owner === null) return null;
  return startOf(owner.pid) === owner.start ? owner : null;
}

/**
 * The sentence a refused caller shows: "an eject of this GPU is already running (pid 4242)".
 * `held` is the lock that refused, `asked` the one wanted (they differ when ALL_GPUS clashes).
 */
export function alreadyRunning(owner: LockOwner, held: string, asked: string = held): AppError {
  const what = owner.action === 'eject' ? 'an eject' : 'a recovery';
  const of =
    held === ALL_GPUS ? 'of the external GPUs' : held === asked ? 'of this GPU' : `of ${held}`;
  return appError('already-running', `${what} ${of} is already running (pid ${owner.pid})`, {
    pid: owner.pid,
    action: owner.action,
  });
}

// ---- the lock folder ------------------------------------------------------------------------

const ATTEMPTS = 50;

export function createGpuLocks(dir: string, io: LockIo, pid: number = process.pid): GpuLocks {
  const fileOf = (key: string): string => `${dir}/${key}.lock`;
  const isLockName = (name: string): boolean => name.endsWith('.lock') && !name.startsWith('.');

  const me = (action: LockAction): Result<LockOwner, AppError> => {
    const start = io.startOf(pid);
    return start === null
      ? err(appError('internal', `cannot read the start time of this process (pid ${pid})`))
      : ok({ pid, start, action });
  };

  const holderOf = (key: string): LockOwner | null => liveOwner(io.read(fileOf(key)), io.startOf);

  /** A lock that conflicts with `key` other than its own file: ALL_GPUS against any GPU. */
  const conflicting = (key: string): { owner: LockOwner; key: string } | null => {
    if (key !== ALL_GPUS) {
      const all = holderOf(ALL_GPUS);
      return all === null ? null : { owner: all, key: ALL_GPUS };
    }
    for (const name of io.list(dir)) {
      if (!isLockName(name) || name === `${ALL_GPUS}.lock`) continue;
      const other = holderOf(name.slice(0, -'.lock'.length));
      if (other !== null) return { owner: other, key: name.slice(0, -'.lock'.length) };
    }
    return null;
  };

  /** Removes `path` only if it still says `text` (ours, or the stale one we judged). */
  const removeIf = (path: string, text: string): void => {
    if (io.read(path) === text) io.remove(path);
  };

  /** Deletes the stale lock `seen` under the breaker (a busy breaker: the caller tries again). */
  const breakStale = (path: string, seen: string | null, mine: string): Result<void, AppError> => {
    const breaker = `${path}.break`;
    const b = io.create(breaker, mine + '\n');
    if (!b.ok) return b;
    if (b.value === 'exists') {
      const text = io.read(breaker);
      // Its owner died between two file operations: nobody else will ever remove it.
      if (text !== null && liveOwner(text, io.startOf) === null) removeIf(breaker, text);
      return ok(undefined);
    }
    try {
      const now = io.read(path);
      if (now === seen && liveOwner(now, io.startOf) === null) io.remove(path);
    } finally {
      removeIf(breaker, mine);
    }
    return ok(undefined);
  };

  return {
    holder(key) {
      const own = holderOf(key);
      return own !== null ? { owner: own, key } : conflicting(key);
    },
    acquire(key, action) {
      const owner = me(action);
      if (!owner.ok) return owner;
      const mine = formatLockOwner(owner.value).trim();
      const path = fileOf(key);
      for (let i = 0; i < ATTEMPTS; i++) {
        const created = io.create(path, mine + '\n');
        if (!created.ok) return created;
        if (created.value === 'created') {
          // Created first, checked second: of two conflicting takers at least one sees the other.
          const clash = conflicting(key);
          if (clash !== null) {
            removeIf(path, mine);
            return err(alreadyRunning(clash.owner, clash.key, key));
          }
          let released = false;
          return ok({
            release() {
              if (released) return;
              released = true;
              removeIf(path, mine);
            },
          });
        }
        const text = io.read(path);
        const live = liveOwner(text, io.startOf);
        if (live !== null) return err(alreadyRunning(live, key));
        const broken = breakStale(path, text, mine);
        if (!broken.ok) return broken;
      }
      return err(
        appError('already-running', `another eGPU Guard process keeps the lock of ${key} busy`),
      );
    },
  };
}

/** Folder of the locks (host path): $XDG_RUNTIME_DIR/egpu-guard/locks, or the sysroot's. */
export const gpuLockDir = (
  root: SystemRoot,
  env: Readonly<Record<string, string | undefined>>,
): string => `${egpuRuntimeDir(root, env)}/locks`;

export const createFileGpuLocks = (dir: string): GpuLocks =>
  createGpuLocks(dir, {
    create: createFileExclusive,
    read: readLockText,
    remove: removeLockFile,
    list: listLockFiles,
    startOf: processStartTime,
  });
