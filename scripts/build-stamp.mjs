// Which parts of dist/ are stale, for `node scripts/build.mjs --if-stale` (what `npm start` runs).
// A part is stale when its output is missing, a source file is newer than the newest one the
// last build saw, or a source file was added or removed (a digest of the names is kept).
// The record lives in dist/.build-stamp.json; no record means every part is built.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Compilers and their versions: a changed lockfile may bring a new tsc or Vite. */
const TOOLCHAIN = ['package.json', 'package-lock.json'];

/** Every source file of a part: [relative path, mtime in ms]. */
export function sources(part) {
  const out = [];
  for (const input of [...part.inputs, ...(part.toolchain ?? TOOLCHAIN)]) {
    if (!existsSync(input)) continue;
    if (!statSync(input).isDirectory()) {
      out.push([input, statSync(input).mtimeMs]);
      continue;
    }
    for (const e of readdirSync(input, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      const file = path.join(e.parentPath ?? e.path, e.name);
      if (part.filter(file)) out.push([file, statSync(file).mtimeMs]);
    }
  }
  return out;
}

/** What the stamp keeps of a part's sources: the newest mtime and a digest of the names. */
export function fingerprint(files) {
  const names = files.map(([f]) => f).sort();
  return {
    newest: Math.max(0, ...files.map(([, m]) => m)),
    names: createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16),
    count: names.length,
  };
}

export function readStamp(file) {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8'));
    return typeof s === 'object' && s !== null ? s : {};
  } catch {
    return {};
  }
}

/** Why a part must be built, or null when its output is up to date. */
export function staleness(part, now, before) {
  if (!existsSync(part.output)) return `${part.output} is missing`;
  if (before === undefined) return 'no record of the last build';
  if (now.names !== before.names) {
    const d = now.count - before.count;
    return d > 0 ? `${d} new file${d === 1 ? '' : 's'}` : d < 0 ? 'files removed' : 'files renamed';
  }
  if (now.newest > before.newest) return 'sources changed';
  return null;
}
