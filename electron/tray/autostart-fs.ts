// The real AutostartFs: the user's own files, read and written with node:fs. Writes go to a
// temporary file renamed over the entry, so a crash never leaves half an entry that the session
// manager would refuse or, worse, run.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { appError } from '../../main/common/errors.js';
import { err, ok, type Result } from '../../main/common/result.js';
import type { AutostartFs } from './autostart.js';

/** An autostart entry is a few hundred bytes; anything larger is not ours to parse. */
const MAX_ENTRY_BYTES = 64 * 1024;

const errnoOf = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'EIO';

const ioError = (e: unknown, path: string): Result<never> => {
  const errno = errnoOf(e);
  const code = errno === 'EACCES' || errno === 'EPERM' ? 'permission-denied' : 'io';
  return err(appError(code, `${path}: ${errno}`, { path, errno }));
};

export function createNodeAutostartFs(): AutostartFs {
  return {
    readText(path) {
      try {
        const st = fs.statSync(path);
        if (!st.isFile() || st.size > MAX_ENTRY_BYTES) {
          return err(appError('invalid-input', `${path}: not an autostart entry`, { path }));
        }
        return ok(fs.readFileSync(path, 'utf8'));
      } catch (e) {
        return errnoOf(e) === 'ENOENT' ? ok(null) : ioError(e, path);
      }
    },
    writeText(path, text) {
      const tmp = nodePath.join(
        nodePath.dirname(path),
        `.${nodePath.basename(path)}.${process.pid}.tmp`,
      );
      try {
        fs.mkdirSync(nodePath.dirname(path), { recursive: true });
        fs.writeFileSync(tmp, text, { mode: 0o644 });
        fs.renameSync(tmp, path);
        return ok(undefined);
      } catch (e) {
        fs.rmSync(tmp, { force: true });
        return ioError(e, path);
      }
    },
    remove(path) {
      try {
        fs.rmSync(path, { force: true });
        return ok(undefined);
      } catch (e) {
        return ioError(e, path);
      }
    },
  };
}
