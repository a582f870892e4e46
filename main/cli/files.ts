// Files named on the command line (--udev-log, --journal-file, --kernel-log …): absolute host
// paths that must exist, checked up front so the user gets one clear line instead of a source
// that silently never delivers.

import * as nodePath from 'node:path';
import { hostFileState } from '../platform/system-root.js';
import { UsageError } from './args.js';

export function requireFile(flag: string, path: string): string {
  const abs = nodePath.resolve(path);
  const state = hostFileState(abs);
  if (state === 'missing') throw new UsageError(`--${flag} ${path}: no such file`);
  if (state === 'directory') throw new UsageError(`--${flag} ${path}: is a directory`);
  if (state === 'unreadable') throw new UsageError(`--${flag} ${path}: permission denied`);
  return abs;
}
