#!/usr/bin/env node
// Launcher for the `egpu` command. `npm ci` builds dist/ through the `prepare` script.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/cli/run.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('egpu: not built yet; run `npm run build` (npm ci does this for you)\n');
  process.exit(1);
}
if (process.argv[2] === 'clients') {
  // Most of `egpu clients` is reading /proc: the C scanner (dist/native) starts on it now, or
  // without it the worker thread that shares it boots (~30-40 ms), while the command loads
  // instead of after (README, "Figures": clients vs fuser).
  const native = new URL('../dist/main/platform/native-scan.js', import.meta.url);
  if (!(await import(native.href)).startEarlyNativeScan(process.argv.slice(3))) {
    const scan = new URL('../dist/main/platform/proc-scan.js', import.meta.url);
    (await import(scan.href)).startEarlyScanWorker();
  }
}
const { runCli } = await import(entry.href);
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
