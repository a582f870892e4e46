// One folder of the user's own files (hooks.d, docs/hooks.md) as data for a pure decision: the
// folder's stat, and for each entry its stat after following symlinks (stat(2), not lstat) and
// the first bytes of a regular file. Whether an entry may run is decided elsewhere
// (main/actions/hooks/hook-rules.ts); this only reads.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { err, ok, type Result } from '../common/result.js';
import { fileKindOf, fsError, type FileStat } from './system-root.js';

export type FolderEntry = {
  readonly name: string;
  /** Follows symlinks: what would be executed. */
  readonly stat: Result<FileStat>;
  /** The first `headBytes` bytes of a regular file; null for anything else or when unreadable. */
  readonly head: Uint8Array | null;
};

export type FolderEntries = {
  readonly folder: FileStat;
  /** Sorted by name, byte order. */
  readonly entries: readonly FolderEntry[];
  /** More entries than `maxEntries`: the rest were not looked at. */
  readonly truncated: boolean;
};

const statOf = (path: string): Result<FileStat> => {
  try {
    const s = fs.statSync(path, { bigint: true });
    return ok({
      kind: fileKindOf(s),
      uid: Number(s.uid),
      mode: Number(s.mode & 0o7777n),
      size: Number(s.size),
      rdev: s.rdev,
    });
  } catch (e) {
    return err(fsError(e, path));
  }
};

const headOf = (path: string, n: number): Uint8Array | null => {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO swapped in after the stat must not hang the read.
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const buf = Buffer.alloc(n);
    const got = fs.readSync(fd, buf, 0, n, 0);
    return new Uint8Array(buf.subarray(0, got));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};

/** 'not-found' when the folder does not exist. */
export function readFolderEntries(
  dir: string,
  options: { readonly headBytes: number; readonly maxEntries: number },
): Result<FolderEntries> {
  const folder = statOf(dir);
  if (!folder.ok) return folder;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    return err(fsError(e, dir));
  }
  // Byte order, as run-parts(8) sorts (strcmp in the C locale), not the locale's collation.
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const entries = names.slice(0, options.maxEntries).map((name): FolderEntry => {
    const path = nodePath.join(dir, name);
    const stat = statOf(path);
    const head = stat.ok && stat.value.kind === 'file' ? headOf(path, options.headBytes) : null;
    return { name, stat, head };
  });
  return ok({ folder: folder.value, entries, truncated: names.length > options.maxEntries });
}
