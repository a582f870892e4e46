// Two small file-system doors that SystemRoot does not offer: what a system file is (kind, owner,
// permission bits, symlink or not — `egpu doctor` checks the helper and pkexec the way pkexec
// itself would), and writing a new file the user named (`egpu doctor --report FILE`) without
// ever overwriting one unless asked.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import { fileKindOf, type FileKind, type SystemRoot } from './system-root.js';

export type FileProbe = {
  readonly exists: boolean;
  /** What the path itself is (a symlink is 'symlink'), null when missing. */
  readonly kind: FileKind | null;
  /** Of the final target: permission bits with setuid/setgid/sticky (st_mode & 0o7777). */
  readonly mode: number | null;
  readonly uid: number | null;
  /** The canonical target path (inside the root), or null when it cannot be resolved. */
  readonly realPath: string | null;
};

export function probeFile(root: SystemRoot, targetPath: string): FileProbe {
  const host = root.hostPath(targetPath);
  let link: fs.Stats;
  try {
    link = fs.lstatSync(host);
  } catch {
    return { exists: false, kind: null, mode: null, uid: null, realPath: null };
  }
  let target: fs.Stats = link;
  try {
    if (link.isSymbolicLink()) target = fs.statSync(host);
  } catch {
    // A dangling link: report the link itself.
  }
  const real = root.realPath(targetPath);
  return {
    exists: true,
    kind: fileKindOf(link),
    mode: target.mode & 0o7777,
    uid: target.uid,
    realPath: real.ok ? real.value : null,
  };
}

export type NewFileState = 'free' | 'exists' | 'directory' | 'no-parent' | 'parent-not-dir';

/** Whether a host path can take a new file: nothing there yet, and its folder exists. */
export function newFileState(path: string): NewFileState {
  const abs = nodePath.resolve(path);
  try {
    return fs.statSync(abs).isDirectory() ? 'directory' : 'exists';
  } catch {
    // Nothing there (or a dangling link, which `wx` below refuses as existing).
  }
  try {
    return fs.statSync(nodePath.dirname(abs)).isDirectory() ? 'free' : 'parent-not-dir';
  } catch {
    return 'no-parent';
  }
}

/**
 * Writes `text` to a host path the user named. Without `overwrite` the file must not exist
 * (O_EXCL, so a file created in the meantime is not clobbered either). Failures are one sentence.
 */
export function writeUserFile(
  path: string,
  text: string,
  options: { overwrite: boolean },
): Result<string> {
  const abs = nodePath.resolve(path);
  try {
    fs.writeFileSync(abs, text, { flag: options.overwrite ? 'w' : 'wx', mode: 0o644 });
    return ok(abs);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'EIO';
    const detail = { errno: code, path };
    switch (code) {
      case 'EEXIST':
        return err(appError('blocked', `${path} exists; use --force to overwrite it`, detail));
      case 'EISDIR':
        return err(appError('invalid-input', `${path} is a directory`, detail));
      case 'ENOENT':
      case 'ENOTDIR':
        return err(appError('not-found', `${path}: no such directory`, detail));
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return err(appError('permission-denied', `${path}: cannot write here (${code})`, detail));
      default:
        return err(appError('io', `${path}: cannot be written (${code})`, detail));
    }
  }
}
