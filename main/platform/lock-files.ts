// File I/O behind the per-GPU action lock (main/actions/gpu-lock.ts decides; this only touches
// files and /proc). Node has no flock(2), so a lock is a file created with its whole content in
// one atomic step: the content goes to a private temporary file first, then link(2) gives it the
// lock's name — link fails with EEXIST when the name exists (link(2), "EEXIST newpath already
// exists"), so two processes can never both create it, and nobody ever sees a half-written lock
// (an O_EXCL create followed by a write would leave that window).

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import { readStateFile } from './state-files.js';
import { fsError } from './system-root.js';

/** 'created': the file is ours; 'exists': someone else's (or a stale one) is there. */
export function createFileExclusive(
  path: string,
  content: string,
): Result<'created' | 'exists', AppError> {
  const dir = nodePath.dirname(path);
  const tmp = nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, content, { mode: 0o600, flag: 'w' });
    try {
      fs.linkSync(tmp, path);
      return ok('created');
    } catch (e) {
      if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'EEXIST')
        return ok('exists');
      throw e;
    }
  } catch (e) {
    return err(fsError(e, path));
  } finally {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // A leftover temporary file is harmless: its name is ours and never a lock's.
    }
  }
}

/** The lock file's text, or null when it is gone or unreadable. */
export function readLockText(path: string): string | null {
  const r = readStateFile(path);
  return r.ok ? r.value : null;
}

export function removeLockFile(path: string): void {
  try {
    fs.rmSync(path, { force: true });
  } catch {
    // Nothing to do: the next taker judges what is left by its owner.
  }
}

/** Names in the lock folder (a missing folder has none). */
export function listLockFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * When a live process started, in clock ticks after boot (field 22 of /proc/<pid>/stat, proc(5)),
 * or null when there is no such process or it has exited (zombie). A pid can be reused after its
 * process ends; the pair (pid, start time) cannot, so a lock names both. The host's own /proc,
 * never a sysroot's: lock owners are processes on this machine.
 */
export function processStartTime(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const r = readStateFile(`/proc/${pid}/stat`);
  if (!r.ok) return null;
  // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
  const rest = r.value.slice(r.value.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const start = rest[19];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) return null;
  return state === 'Z' || state === 'X' ? null : start;
}
