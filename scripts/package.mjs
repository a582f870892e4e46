// `npm run package` / `npm run package:dir`: the Linux packages of the tray app.
//
//   node scripts/package.mjs          AppImage, deb and rpm (a desktop: fpm and appimagetool
//                                     are downloaded by electron-builder)
//   node scripts/package.mjs --dir    dist-packages/linux-unpacked only; without the Electron
//                                     binary (CI) a stub Electron folder stands in, so the asar
//                                     and resources can still be checked (scripts/check-package.mjs)
//
// Before electron-builder runs: dist/ is built when a part is missing (`--build` rebuilds it
// always), and the privileged helper is bundled into one file, dist/helper/egpu-guard-helper.cjs,
// with a `#!/usr/bin/node` line: pkexec runs it with a clean environment and PATH, so it must not
// depend on node_modules or on how the user installed Node (see docs in electron-builder.yml).
// The session service (`egpu service`, run by systemd's user manager) is bundled the same way, into
// dist/service/egpu-guard-service.cjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHelper } from './build-helper.mjs';
import { buildService } from './build-service.mjs';

/** @electron/fuses' marker in Electron binaries, and Electron 41's default wire ('1' on, '0' off). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ELECTRON_41_FUSES = '10110001';

const args = process.argv.slice(2);
const dirOnly = args.includes('--dir');
const rebuild = args.includes('--build');
const node = process.execPath;

/** Runs a Node script; returns its exit status (0 on success). */
function run(label, argv, options = {}) {
  const r = spawnSync(node, argv, { stdio: 'inherit', ...options });
  if (r.status === 0) return 0;
  console.error(`package: ${label} failed`);
  return r.status ?? 1;
}

const needed = ['dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/main/core/api.js'];
if (existsSync('renderer/vite.config.ts')) needed.push('dist/renderer/index.html');
if (rebuild || needed.some((f) => !existsSync(f))) {
  const status = run('build', ['scripts/build.mjs']);
  if (status !== 0) process.exit(status);
}

// The helper: one CommonJS file, every import inlined (scripts/build-helper.mjs; `npm run build`
// makes it too, but a packaging run must never ship a stale one).
try {
  await buildHelper();
} catch (e) {
  console.error(`package: helper bundle failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

// The session service, the same way (scripts/build-service.mjs): installed as
// /usr/libexec/egpu-guard/egpu-guard-service for assets/systemd/egpu-guard.service.
try {
  await buildService();
} catch (e) {
  console.error(`package: service bundle failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

const builderArgs = [
  'node_modules/electron-builder/cli.js',
  '--linux',
  '--x64',
  '--publish',
  'never',
];
let stub = null;
if (dirOnly) {
  builderArgs.push('--dir');
  if (!electronBinaryPresent()) {
    stub = stubElectronDist();
    builderArgs.push(`-c.electronDist=${stub}`);
  }
}
const status = run('electron-builder', builderArgs, {
  env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
});
if (stub !== null) rmSync(stub, { recursive: true, force: true });
process.exitCode = status;

/** Whether `npm install` could download the Electron binary on this machine. */
function electronBinaryPresent() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path);
  } catch {
    return false; // "Electron failed to install correctly"
  }
}

/** A folder shaped like an unpacked Electron, good for checking what goes into the package. */
function stubElectronDist() {
  const dir = mkdtempSync(join(tmpdir(), 'egpu-electron-stub-'));
  mkdirSync(join(dir, 'resources'), { recursive: true });
  // A shell script that refuses to run, followed by a fuse wire like a real Electron binary's
  // (@electron/fuses: sentinel, version 1, length, one byte per fuse), so electron-builder can
  // flip the fuses of electron-builder.yml and check-package.mjs can read them back.
  const wire = Buffer.concat([
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, ELECTRON_41_FUSES.length]),
    Buffer.from(ELECTRON_41_FUSES),
  ]);
  const script = '#!/bin/sh\necho "stub Electron: packaging check only" >&2\nexit 1\n';
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from(script), wire]), { mode: 0o755 });
  writeFileSync(join(dir, 'chrome-sandbox'), '', { mode: 0o755 });
  writeFileSync(join(dir, 'LICENSE'), 'stub\n');
  writeFileSync(join(dir, 'version'), readElectronVersion());
  return dir;
}

function readElectronVersion() {
  return JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;
}
