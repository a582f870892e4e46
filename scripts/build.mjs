// `npm run build` (also run by `npm ci` through `prepare`): compile the Node core and the
// Electron shell with tsc, bundle the privileged helper into the one file packages ship, then
// bundle the renderer and the sandboxed preload with Vite when those layers exist. Output goes to
// dist/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(label, args) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${label} failed`);
    process.exit(r.status ?? 1);
  }
}

run('tsc', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
run('helper', ['scripts/build-helper.mjs']);
if (existsSync('renderer/vite.config.ts')) {
  run('renderer', [
    'node_modules/vite/bin/vite.js',
    'build',
    '--config',
    'renderer/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
}
if (existsSync('electron/preload/vite.config.ts')) {
  run('preload', [
    'node_modules/vite/bin/vite.js',
    'build',
    '--config',
    'electron/preload/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
}
