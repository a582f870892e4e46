// `egpu ui --open` must not put the tokened address on a command line: xdg-open's argv, and then
// the browser's, can be read by every local user in /proc/<pid>/cmdline for as long as the browser
// runs, and the token is all it takes to drive eGPU Guard (close apps, eject) from another account
// through the loopback port. Like Jupyter's redirect file, the browser is given a private file
// instead — 0600 in a 0700 folder under $XDG_RUNTIME_DIR (or a fresh mkdtemp folder) — whose page
// forwards to the address. The file lives until the server stops.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';

export type RedirectFile = {
  /** file:// URL to hand to xdg-open: it names no secret. */
  readonly url: string;
  readonly path: string;
  /** Deletes the file (and the folder when it was made for it). Never throws. */
  remove(): void;
};

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page: a meta refresh (works with scripts off) and a link for browsers that wait. */
export function redirectPage(target: string): string {
  const href = escapeHtml(target);
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="refresh" content="0;url=${href}">` +
    '<meta name="referrer" content="no-referrer"><title>eGPU Guard</title></head>\n' +
    `<body><p><a href="${href}">Open eGPU Guard</a></p></body></html>\n`
  );
}

/** A private folder: $XDG_RUNTIME_DIR/egpu-guard when that is ours and 0700, else a new one. */
function privateFolder(env: Readonly<Record<string, string | undefined>>): {
  dir: string;
  own: boolean;
} {
  const runtime = env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && nodePath.isAbsolute(runtime)) {
    try {
      const st = fs.statSync(runtime);
      const mine = process.getuid === undefined || st.uid === process.getuid();
      if (st.isDirectory() && mine && (st.mode & 0o077) === 0) {
        const dir = nodePath.join(runtime, 'egpu-guard');
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const sub = fs.lstatSync(dir);
        if (sub.isDirectory() && (sub.mode & 0o077) === 0) return { dir, own: false };
      }
    } catch {
      // fall through to a fresh folder
    }
  }
  return { dir: fs.mkdtempSync(nodePath.join(os.tmpdir(), 'egpu-ui-')), own: true };
}

export function writeRedirectFile(
  target: string,
  env: Readonly<Record<string, string | undefined>>,
): Result<RedirectFile, AppError> {
  let folder: { dir: string; own: boolean };
  try {
    folder = privateFolder(env);
  } catch (e) {
    return err(appError('io', `cannot make a private folder: ${String(e)}`));
  }
  const path = nodePath.join(folder.dir, `open-${randomBytes(6).toString('hex')}.html`);
  try {
    // 'wx': never follow or reuse something already there.
    fs.writeFileSync(path, redirectPage(target), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if (folder.own) fs.rmSync(folder.dir, { recursive: true, force: true });
    return err(appError('io', `cannot write ${path}: ${String(e)}`));
  }
  return ok({
    url: pathToFileURL(path).href,
    path,
    remove() {
      try {
        if (folder.own) fs.rmSync(folder.dir, { recursive: true, force: true });
        else fs.rmSync(path, { force: true });
      } catch {
        // best effort: it is private to this user either way
      }
    },
  });
}
