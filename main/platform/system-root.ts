// The one door to the file system. Every path the core reads is written as the absolute path on
// the target machine ('/sys/bus/pci/devices', '/proc/1234/fd') and mapped here onto the folders
// that stand for '/' (--root) and for the process table (--proc). Tests and the demo point these
// at a sysroot folder; nothing else in main/ touches node:fs for system paths.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { appError, type AppError, type ErrorCode } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';

export type FileKind = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket' | 'other';

export type FileStat = {
  readonly kind: FileKind;
  readonly uid: number;
  /** Permission bits (st_mode & 07777). */
  readonly mode: number;
  readonly size: number;
  /** Device number of a char/block node (st_rdev), as BigInt because it can exceed 2^53. */
  readonly rdev: bigint;
};

export type SystemRoot = {
  /** Host folder that stands for '/' (already canonical). */
  readonly root: string;
  /** Host folder that stands for '/proc' when listing processes. */
  readonly procDir: string;
  /** Host path for a target path ('/sys/…' → '<root>/sys/…'). */
  hostPath(targetPath: string): string;
  /** Target path for a host path: the inverse of hostPath, for symlink targets and realpaths. */
  targetPath(hostPath: string): string;
  readText(path: string, maxBytes?: number): Result<string>;
  readBytes(path: string, maxBytes: number): Result<Buffer>;
  readLink(path: string): Result<string>;
  /** Canonical target path (symlinks resolved inside the root). */
  realPath(path: string): Result<string>;
  list(path: string): Result<string[]>;
  stat(path: string): Result<FileStat>;
  lstat(path: string): Result<FileStat>;
  exists(path: string): boolean;
};

export type SystemRootOptions = { root?: string; proc?: string };

const PROCESS_PATH = /^\/proc\/(?:\d+|self|thread-self)(?:\/|$)/;

const ERRNO_CODES: Readonly<Record<string, ErrorCode>> = {
  ENOENT: 'not-found',
  ENOTDIR: 'not-found',
  ENODEV: 'device-gone',
  ENXIO: 'device-gone',
  ESRCH: 'device-gone',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EINVAL: 'invalid-input',
  EAGAIN: 'busy',
  EBUSY: 'busy',
};

/** Turns a Node fs exception into an AppError; the errno survives in detail.errno. */
export function fsError(e: unknown, path: string): AppError {
  const errno =
    typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
      ? e.code
      : 'EIO';
  const code = ERRNO_CODES[errno] ?? 'io';
  return appError(code, `${path}: ${errno}`, { errno, path });
}

/** What a stat (or lstat) result describes. */
export const fileKindOf = (s: fs.BigIntStats | fs.Stats): FileKind =>
  s.isFile()
    ? 'file'
    : s.isDirectory()
      ? 'dir'
      : s.isSymbolicLink()
        ? 'symlink'
        : s.isCharacterDevice()
          ? 'char'
          : s.isBlockDevice()
            ? 'block'
            : s.isFIFO()
              ? 'fifo'
              : s.isSocket()
                ? 'socket'
                : 'other';

const toStat = (s: fs.BigIntStats): FileStat => ({
  kind: fileKindOf(s),
  uid: Number(s.uid),
  mode: Number(s.mode & 0o7777n),
  size: Number(s.size),
  rdev: s.rdev,
});

const canonical = (dir: string): string => {
  try {
    return fs.realpathSync(nodePath.resolve(dir));
  } catch {
    return nodePath.resolve(dir);
  }
};

export function createSystemRoot(options: SystemRootOptions = {}): SystemRoot {
  const root = canonical(options.root ?? '/');
  // The process table is independent of --root so tests can pair real processes with a fake sysfs.
  const procDir = canonical(options.proc ?? '/proc');
  const rootPrefix = root === '/' ? '' : root;

  const hostPath = (targetPath: string): string => {
    // The process table (/proc itself, /proc/<pid>, /proc/self) comes from --proc; the rest of
    // /proc describes the machine (/proc/driver/nvidia, /proc/sys, /proc/devices) and follows --root.
    if (targetPath === '/proc' || PROCESS_PATH.test(targetPath)) {
      return procDir + targetPath.slice(5);
    }
    return rootPrefix + targetPath;
  };

  const targetPath = (host: string): string => {
    if (rootPrefix === '') return host;
    if (host === rootPrefix) return '/';
    return host.startsWith(rootPrefix + '/') ? host.slice(rootPrefix.length) : host;
  };

  const readBytes = (path: string, maxBytes: number): Result<Buffer> => {
    let fd: number | undefined;
    try {
      // O_NONBLOCK: a FIFO or a wedged node must never hang a read. Regular sysfs files ignore it.
      fd = fs.openSync(hostPath(path), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      // /proc and sysfs report size 0, so grow the buffer as data arrives instead of trusting stat.
      let buf = Buffer.allocUnsafe(Math.min(maxBytes, 4096));
      let total = 0;
      while (total < maxBytes) {
        if (total === buf.length) {
          const bigger = Buffer.allocUnsafe(Math.min(maxBytes, buf.length * 4));
          buf.copy(bigger, 0, 0, total);
          buf = bigger;
        }
        const n = fs.readSync(fd, buf, total, buf.length - total, null);
        if (n === 0) break;
        total += n;
      }
      return ok(buf.subarray(0, total));
    } catch (e) {
      return err(fsError(e, path));
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };

  return {
    root,
    procDir,
    hostPath,
    targetPath,
    readBytes,
    readText(path, maxBytes = 64 * 1024) {
      const r = readBytes(path, maxBytes);
      return r.ok ? ok(r.value.toString('utf8')) : r;
    },
    readLink(path) {
      try {
        return ok(fs.readlinkSync(hostPath(path)));
      } catch (e) {
        return err(fsError(e, path));
      }
    },
    realPath(path) {
      try {
        return ok(targetPath(fs.realpathSync(hostPath(path))));
      } catch (e) {
        return err(fsError(e, path));
      }
    },
    list(path) {
      try {
        return ok(fs.readdirSync(hostPath(path)));
      } catch (e) {
        return err(fsError(e, path));
      }
    },
    stat(path) {
      try {
        return ok(toStat(fs.statSync(hostPath(path), { bigint: true })));
      } catch (e) {
        return err(fsError(e, path));
      }
    },
    lstat(path) {
      try {
        return ok(toStat(fs.lstatSync(hostPath(path), { bigint: true })));
      } catch (e) {
        return err(fsError(e, path));
      }
    },
    exists(path) {
      return fs.existsSync(hostPath(path));
    },
  };
}

/** Whether a host folder (a --root or --proc argument) exists and is a directory. */
export function hostDirectoryState(dir: string): 'directory' | 'missing' | 'not-a-directory' {
  try {
    return fs.statSync(dir).isDirectory() ? 'directory' : 'not-a-directory';
  } catch {
    return 'missing';
  }
}

/** Whether a host path given on the command line names a readable regular file (or a FIFO). */
export function hostFileState(path: string): 'file' | 'missing' | 'directory' | 'unreadable' {
  try {
    const st = fs.statSync(path);
    if (st.isDirectory()) return 'directory';
    fs.accessSync(path, fs.constants.R_OK);
    return 'file';
  } catch (e) {
    return fsError(e, path).code === 'permission-denied' ? 'unreadable' : 'missing';
  }
}
