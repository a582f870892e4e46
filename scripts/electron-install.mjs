// postinstall: fetch the Electron binary when this machine can (desktops), and only warn when it
// cannot (CI and build machines reach the npm registry only). package.json "allowScripts" keeps
// npm 11 from running Electron's own postinstall, which would fail the whole `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const installer = 'node_modules/electron/install.js';
if (!existsSync(installer)) process.exit(0);
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0);

const r = spawnSync(process.execPath, [installer], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
});
if (r.status !== 0) {
  const lines = (r.stderr?.toString() ?? '').split('\n').map((l) => l.trim());
  const why = lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? 'download failed';
  console.warn(`eGPU Guard: the Electron binary could not be downloaded (${why.slice(0, 160)}).`);
  console.warn(
    'eGPU Guard: `npm start` will use browser mode; the CLI and tests do not need Electron.',
  );
}
