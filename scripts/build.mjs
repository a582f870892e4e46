// `npm run build` (also run by `npm ci` through `prepare`): compile the Node core and the
// Electron shell with tsc, bundle the privileged helper and the session service (`egpu service`)
// into the single files packages ship, then bundle the renderer and the sandboxed preload with
// Vite when those layers exist. Output goes to dist/.
//
// `node scripts/build.mjs --if-stale` (what `npm start` runs) builds only the parts whose sources
// changed since the last build, and says which ("building the core …"); with nothing changed it
// prints nothing and takes a few milliseconds instead of ~10 s of tsc (scripts/build-stamp.mjs
// decides; dist/.build-stamp.json records what each part was built from).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fingerprint, readStamp, sources, staleness } from './build-stamp.mjs';
import { pruneDist } from './prune-dist.mjs';

const STAMP = 'dist/.build-stamp.json';
const ifStale = process.argv.includes('--if-stale');

function run(label, args) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${label} failed`);
    process.exit(r.status ?? 1);
  }
}

const vite = (config) => [
  'node_modules/vite/bin/vite.js',
  'build',
  '--config',
  config,
  '--logLevel',
  'warn',
];

/** Tests and their fixtures never reach dist/ (tsconfig.build.json excludes them). */
const notTest = (file) => !/\.test\.ts$/.test(file) && !file.split(path.sep).includes('test');

const PARTS = [
  {
    name: 'core',
    label: 'the core and the Electron shell (tsc)',
    inputs: ['main', 'electron', 'tsconfig.build.json', 'tsconfig.base.json'],
    filter: (f) => notTest(f) && !f.startsWith(path.join('electron', 'preload')),
    output: 'dist/main/cli/main.js',
    args: ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
    // tsc never deletes: drop what a moved or deleted source left behind (scripts/prune-dist.mjs).
    after: pruneDist,
  },
  {
    name: 'helper',
    label: 'the privileged helper',
    inputs: ['main', 'scripts/build-helper.mjs', 'scripts/packaging/helper-entry.ts'],
    filter: notTest,
    output: 'dist/helper/egpu-guard-helper.cjs',
    args: ['scripts/build-helper.mjs'],
  },
  {
    name: 'service',
    label: 'the session service (egpu service, one file)',
    inputs: ['main', 'scripts/build-service.mjs', 'scripts/packaging/service-entry.ts'],
    filter: notTest,
    output: 'dist/service/egpu-guard-service.cjs',
    args: ['scripts/build-service.mjs'],
  },
  {
    name: 'native',
    label: 'the native /proc scanner of egpu clients (optional, cc)',
    inputs: ['native', 'scripts/build-native.mjs'],
    filter: () => true,
    output: 'dist/native/.built',
    args: ['scripts/build-native.mjs'],
  },
  {
    name: 'renderer',
    label: 'the status window (Vite)',
    when: 'renderer/vite.config.ts',
    inputs: ['renderer', 'main/common', 'main/core'],
    filter: notTest,
    output: 'dist/renderer/index.html',
    args: vite('renderer/vite.config.ts'),
  },
  {
    name: 'preload',
    label: 'the preload script (Vite)',
    when: 'electron/preload/vite.config.ts',
    inputs: ['electron/preload', 'main/common'],
    filter: notTest,
    output: 'dist/electron/preload.cjs',
    args: vite('electron/preload/vite.config.ts'),
  },
];

const parts = PARTS.filter((p) => p.when === undefined || existsSync(p.when));
const stamp = ifStale ? readStamp(STAMP) : {};
const next = { ...stamp };
const started = Date.now();
let built = 0;
for (const part of parts) {
  const now = fingerprint(sources(part));
  if (ifStale) {
    const why = staleness(part, now, stamp[part.name]);
    if (why === null) continue;
    console.log(`eGPU Guard: building ${part.label} (${why}) …`);
  }
  run(part.label, part.args);
  part.after?.();
  next[part.name] = now;
  built++;
}
mkdirSync('dist', { recursive: true });
writeFileSync(STAMP, JSON.stringify(next, null, 2) + '\n');
if (ifStale && built > 0) {
  console.log(`eGPU Guard: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
