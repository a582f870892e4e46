// The app's own bundled files (the built renderer in dist/renderer) as opposed to system paths,
// which go through SystemRoot. Browser mode loads the whole tree into memory once at start: the
// server can then serve only what was there, and no request path ever reaches the file system.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import { fsError } from './system-root.js';

export type FileTreeLimits = { readonly maxFiles: number; readonly maxBytes: number };

const DEFAULT_LIMITS: FileTreeLimits = { maxFiles: 512, maxBytes: 32 * 1024 * 1024 };

/**
 * Every regular file under `dir`, keyed by its '/'-separated path relative to `dir`. Symlinks and
 * special files are skipped (a bundle has none). Fails when `dir` is unreadable or over the limits.
 */
export function readFileTree(
  dir: string,
  limits: FileTreeLimits = DEFAULT_LIMITS,
): Result<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let total = 0;
  const walk = (rel: string): Result<void> => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(nodePath.join(dir, rel), { withFileTypes: true });
    } catch (e) {
      return err(fsError(e, nodePath.join(dir, rel)));
    }
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        const r = walk(child);
        if (!r.ok) return r;
      } else if (entry.isFile()) {
        if (files.size >= limits.maxFiles) {
          return err(appError('io', `${dir}: more than ${limits.maxFiles} files`));
        }
        try {
          const body = fs.readFileSync(nodePath.join(dir, child));
          total += body.length;
          if (total > limits.maxBytes) {
            return err(appError('io', `${dir}: more than ${limits.maxBytes} bytes`));
          }
          files.set(child, body);
        } catch (e) {
          return err(fsError(e, nodePath.join(dir, child)));
        }
      }
    }
    return ok(undefined);
  };
  const r = walk('');
  return r.ok ? ok(files) : r;
}
