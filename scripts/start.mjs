// `npm start` (`npm start -- --demo` for the simulated machine): builds what changed in dist/
// (scripts/build.mjs --if-stale: nothing, in milliseconds, when dist/ is fresh), then runs the tray
// app when the Electron binary is installed (node_modules/electron/dist, fetched by postinstall
// on desktops). Without it — CI and build machines, which reach npm only — it says so in one line
// and starts browser mode, the same window served on 127.0.0.1 (`egpu ui --open`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const args = process.argv.slice(2);

/** The Electron executable, or null: require('electron') outside Electron returns its path. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // "Electron failed to install correctly, please delete node_modules/electron …"
  }
}

const built = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

/** Runs the face in the foreground; a SIGINT or SIGTERM to `npm start` reaches it too. */
function runFace(command, argv) {
  const child = spawn(command, argv, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) =>
    process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
  );
}

const electron = electronBinary();
if (electron !== null) {
  runFace(electron, ['.', ...args]);
} else if (existsSync('dist/main/cli/commands/ui.js')) {
  console.log(
    'eGPU Guard: the Electron binary is not installed (node_modules/electron/dist is missing), so this starts browser mode: egpu ui --open',
  );
  runFace(process.execPath, ['bin/egpu.js', 'ui', '--open', ...args]);
} else {
  console.log(
    'eGPU Guard: neither the Electron binary nor browser mode is available; showing egpu status',
  );
  runFace(process.execPath, ['bin/egpu.js', 'status', ...args]);
}
