// Small state files of the app itself (journal cursor, kmsg sequence): host paths, not system
// paths, so they do not go through SystemRoot. Writes are atomic — a temporary file in the same
// folder, fsync, rename(2) over the old one — so a crash leaves either the old or the new content,
// never a torn cursor that journalctl would reject.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { err, ok, type Result } from '../common/result.js';
import { fsError, type SystemRoot } from './system-root.js';

/** Longest state file we read back: these hold one cursor or number, not logs. */
const MAX_STATE_BYTES = 64 * 1024;

/**
 * `$XDG_STATE_HOME/egpu-guard/<name>`, else `~/.local/state/egpu-guard/<name>` (XDG Base
 * Directory spec: XDG_STATE_HOME must be absolute, otherwise ignored).
 */
export function defaultStatePath(
  name: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const xdg = env['XDG_STATE_HOME'];
  const base =
    xdg !== undefined && nodePath.isAbsolute(xdg)
      ? xdg
      : nodePath.join(env['HOME'] ?? os.homedir(), '.local', 'state');
  return nodePath.join(base, 'egpu-guard', name);
}

/**
 * A state file of the machine `root` stands for: the user's (defaultStatePath) for this machine,
 * `<root>/var/lib/egpu-guard/<name>` for a sysroot — its state stays inside it, out of the user's.
 */
export function machineStatePath(
  root: SystemRoot,
  name: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return root.root === '/'
    ? defaultStatePath(name, env)
    : root.hostPath(`/var/lib/egpu-guard/${name}`);
}

/**
 * `$XDG_CONFIG_HOME/egpu-guard/<name>`, else `~/.config/egpu-guard/<name>` (XDG Base Directory
 * spec: XDG_CONFIG_HOME must be absolute, otherwise ignored). What the user writes: their hooks.
 */
export function defaultConfigPath(
  name: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base =
    xdg !== undefined && nodePath.isAbsolute(xdg)
      ? xdg
      : nodePath.join(env['HOME'] ?? os.homedir(), '.config');
  return nodePath.join(base, 'egpu-guard', name);
}

/** The file's text, trimmed; 'not-found' when it does not exist yet. */
export function readStateFile(path: string): Result<string> {
  try {
    const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(MAX_STATE_BYTES);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return ok(buf.subarray(0, n).toString('utf8').trim());
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return err(fsError(e, path));
  }
}

export function writeStateFileAtomic(path: string, content: string): Result<void> {
  const dir = nodePath.dirname(path);
  const tmp = nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
    return ok(undefined);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do: the old file is intact.
    }
    return err(fsError(e, path));
  }
}

/** Removes a state file; a file that is already gone is fine. */
export function removeStateFile(path: string): Result<void> {
  try {
    fs.rmSync(path, { force: true });
    return ok(undefined);
  } catch (e) {
    return err(fsError(e, path));
  }
}

/** Names of the files in a state folder; a missing folder is an empty list. */
export function listStateFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
