// Test support: make sure dist/renderer is built from the current sources before a test serves
// it (the vitest global setup builds dist/main with tsc only). Rebuilds when any renderer or
// main/common source is newer than the built index.html; a lock folder keeps two test files from
// building at once.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../cli/test/run-cli.js';

export const RENDERER_DIST = path.join(REPO_ROOT, 'dist/renderer');
const SOURCES = ['renderer', 'main/common'].map((d) => path.join(REPO_ROOT, d));
const LOCK = path.join(REPO_ROOT, 'dist/.renderer-build.lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  const index = path.join(RENDERER_DIST, 'index.html');
  if (!fs.existsSync(index)) return false;
  const built = fs.statSync(index).mtimeMs;
  return SOURCES.every((dir) => newestMtime(dir) <= built);
}

export async function ensureRendererBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (isFresh()) return;
    try {
      fs.mkdirSync(path.dirname(LOCK), { recursive: true });
      fs.mkdirSync(LOCK);
    } catch {
      // Someone else is building (or a crashed build left its lock): wait, then look again.
      if (Date.now() > deadline) throw new Error(`renderer build lock ${LOCK} held too long`);
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (isFresh()) return;
      const vite = path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
      const config = path.join(REPO_ROOT, 'renderer/vite.config.ts');
      const r = spawnSync(
        process.execPath,
        [vite, 'build', '--config', config, '--logLevel', 'error'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      );
      if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stderr}${r.stdout}`);
      return;
    } finally {
      fs.rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
