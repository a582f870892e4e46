// After tsc: removes compiled files under dist/main and dist/electron whose source is gone or is
// test code. tsc only ever writes and overwrites, so a source that moved (the scripted FakeCore
// went to main/core/test/, which tsconfig.build.json leaves out) or was deleted would otherwise
// keep its old .js in dist/ for good — and electron-builder packs dist/main/**/*.js whole
// (electron-builder.yml). scripts/build.mjs and the Vitest global setup run it after tsc.
//
//   node scripts/prune-dist.mjs      prints what it removed
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

/** The folders tsc writes (tsconfig.build.json: rootDir ".", outDir "dist"). */
const OUTPUTS = ['main', 'electron'];

/** What never ships, as scripts/build.mjs and tsconfig.build.json say. */
const isTest = (rel) => /\.test\.ts$/.test(rel) || rel.split('/').includes('test');

function walk(dir, rel, out) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) walk(path.join(dir, e.name), r, out);
    else if (e.isFile() && e.name.endsWith('.js')) out.push(r);
  }
}

/**
 * Compiled files in `root`/dist with no shipping source: `dist/x/y.js` is stale unless `x/y.ts`
 * exists, is not test code, and is not the preload (which Vite bundles, tsc never compiles).
 * @returns {string[]} paths relative to `root`, with `/`
 */
export function staleOutputs(root = process.cwd()) {
  const compiled = [];
  for (const top of OUTPUTS) walk(path.join(root, 'dist', top), top, compiled);
  return compiled
    .map((rel) => ({ rel, source: rel.replace(/\.js$/, '.ts') }))
    .filter(
      ({ source }) =>
        !existsSync(path.join(root, source)) ||
        isTest(source) ||
        source.startsWith('electron/preload/'),
    )
    .map(({ rel }) => `dist/${rel}`);
}

/** Removes the stale outputs and the folders they leave empty; returns what it removed. */
export function pruneDist(root = process.cwd()) {
  const stale = staleOutputs(root);
  for (const rel of stale) {
    rmSync(path.join(root, rel), { force: true });
    let dir = path.dirname(path.join(root, rel));
    const stop = path.join(root, 'dist');
    while (dir.startsWith(stop + path.sep) && readdirSync(dir).length === 0) {
      rmdirSync(dir);
      dir = path.dirname(dir);
    }
  }
  return stale;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const rel of pruneDist()) console.log(`removed ${rel}`);
}
