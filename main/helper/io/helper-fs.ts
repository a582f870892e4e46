// The helper's own file I/O (the helper must not pull in the core's SystemRoot and friends). All
// paths are host paths; the caller has already joined the root. Reads are small and bounded;
// nothing here throws: absent or unreadable files read as null.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OwnerStat } from '../../common/removable-config.js';

export type WriteOutcome = { readonly ok: true } | { readonly ok: false; readonly errno: string };

export type HelperFs = {
  /** Canonical path, or null when it (or a link on the way) does not resolve. */
  realPath(hostPath: string): string | null;
  /** True for anything at the path, dangling symlinks included. */
  lexists(hostPath: string): boolean;
  isDir(hostPath: string): boolean;
  /** Owner, permission bits and kind, without following a symlink; null when absent. */
  lstatOwner(hostPath: string): OwnerStat | null;
  /** The first 4 KiB as text, or null. */
  readText(hostPath: string): string | null;
  list(hostPath: string): readonly string[];
  /**
   * Writes `value + "\n"` to an existing attribute in one write(), as `echo value > attr` does.
   * Never creates the file and never follows a symlink in the last component. `append` is for a
   * test root, where the attributes are regular files the simulated kernel reads line by line.
   */
  writeAttribute(hostPath: string, value: string, append: boolean): WriteOutcome;
  /**
   * Appends one line (test-root command log only), creating the folders from `under` down and the
   * file; never follows a symlink on the way.
   */
  appendLine(hostPath: string, line: string, under: string): WriteOutcome;
  /** The uid this process runs as (the test root must be its own); null where unknown. */
  uid(): number | null;
};

const errnoOf = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'EIO';

export function createHelperFs(): HelperFs {
  return {
    realPath(hostPath) {
      try {
        return fs.realpathSync(hostPath);
      } catch {
        return null;
      }
    },
    lexists(hostPath) {
      try {
        fs.lstatSync(hostPath);
        return true;
      } catch {
        return false;
      }
    },
    isDir(hostPath) {
      try {
        return fs.statSync(hostPath).isDirectory();
      } catch {
        return false;
      }
    },
    lstatOwner(hostPath) {
      try {
        const st = fs.lstatSync(hostPath);
        const kind = st.isFile()
          ? 'file'
          : st.isDirectory()
            ? 'dir'
            : st.isSymbolicLink()
              ? 'symlink'
              : 'other';
        return { kind, uid: st.uid, mode: st.mode & 0o7777 };
      } catch {
        return null;
      }
    },
    readText(hostPath) {
      let fd: number | undefined;
      try {
        // O_NONBLOCK: a FIFO planted where an attribute should be must not hang a read.
        fd = fs.openSync(hostPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const buf = Buffer.alloc(4096);
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        return buf.subarray(0, n).toString('utf8');
      } catch {
        return null;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    },
    list(hostPath) {
      try {
        return fs.readdirSync(hostPath);
      } catch {
        return [];
      }
    },
    uid() {
      return process.getuid?.() ?? null;
    },
    writeAttribute(hostPath, value, append) {
      let fd: number | undefined;
      try {
        const flags =
          fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | (append ? fs.constants.O_APPEND : 0);
        // This open (or the write) is where a kernel write blocks; the caller's watchdog copes.
        fd = fs.openSync(hostPath, flags);
        fs.writeSync(fd, `${value}\n`);
        return { ok: true };
      } catch (e) {
        return { ok: false, errno: errnoOf(e) };
      } finally {
        if (fd !== undefined) {
          try {
            fs.closeSync(fd);
          } catch {
            // sysfs may report the write's error again on close; the write already said it.
          }
        }
      }
    },
    appendLine(hostPath, line, under) {
      let fd: number | undefined;
      try {
        // Each folder below `under` is made or checked one by one without following a link, and
        // the file is opened O_NOFOLLOW: a link planted anywhere on the way is refused (ELOOP /
        // ENOTDIR) instead of redirecting a root process's write.
        const rel = path.relative(under, path.dirname(hostPath));
        if (rel.startsWith('..') || path.isAbsolute(rel)) return { ok: false, errno: 'EXDEV' };
        let dir = under;
        for (const part of rel === '' ? [] : rel.split(path.sep)) {
          dir = path.join(dir, part);
          try {
            fs.mkdirSync(dir, { mode: 0o755 });
          } catch (e) {
            if (errnoOf(e) !== 'EEXIST') throw e;
          }
          const st = fs.lstatSync(dir);
          if (!st.isDirectory())
            return { ok: false, errno: st.isSymbolicLink() ? 'ELOOP' : 'ENOTDIR' };
        }
        const flags =
          fs.constants.O_WRONLY |
          fs.constants.O_APPEND |
          fs.constants.O_CREAT |
          fs.constants.O_NOFOLLOW |
          fs.constants.O_NONBLOCK;
        fd = fs.openSync(hostPath, flags, 0o644);
        if (!fs.fstatSync(fd).isFile()) return { ok: false, errno: 'EINVAL' };
        fs.writeSync(fd, `${line}\n`);
        return { ok: true };
      } catch (e) {
        return { ok: false, errno: errnoOf(e) };
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    },
  };
}
