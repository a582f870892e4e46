// A log file of the app's own that cannot grow without bound (the hooks log, docs/hooks.md): text
// is appended, and when the file would pass its limit it is first renamed to `<name>.1` (replacing
// the older one), as logrotate's `size` with `rotate 1` would — at most twice the limit on disk.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { err, ok, type Result } from '../common/result.js';
import { fsError } from './system-root.js';

export function appendBoundedLog(path: string, text: string, maxBytes: number): Result<void> {
  try {
    fs.mkdirSync(nodePath.dirname(path), { recursive: true, mode: 0o700 });
    let size = 0;
    try {
      size = fs.statSync(path).size;
    } catch {
      // Not there yet: a new file.
    }
    if (size > 0 && size + Buffer.byteLength(text) > maxBytes) fs.renameSync(path, `${path}.1`);
    fs.appendFileSync(path, text, { mode: 0o600 });
    return ok(undefined);
  } catch (e) {
    return err(fsError(e, path));
  }
}
