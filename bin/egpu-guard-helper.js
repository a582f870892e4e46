#!/usr/bin/env node
// Launcher for the privileged helper (main/helper). Packaging installs the single-file bundle
// dist/helper/egpu-guard-helper.cjs at /usr/libexec/egpu-guard/egpu-guard-helper, the path the
// polkit policy names; tests, the demo and `--root` run this file with `--test-root DIR`, and it
// runs that same bundle, so what is tested is what ships. Inside a packaged app (no bundle in the
// asar) it falls back to the compiled modules. No shell, no environment is trusted (see
// main/helper).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/helper/egpu-guard-helper.cjs', import.meta.url);
const entry = new URL('../dist/main/helper/main.js', import.meta.url);
if (existsSync(bundle)) {
  // The bundle starts the helper itself when loaded.
  createRequire(import.meta.url)(fileURLToPath(bundle));
} else if (existsSync(entry)) {
  const { helperMain } = await import(entry.href);
  helperMain();
} else {
  process.stderr.write('egpu-guard-helper: not built yet; run `npm run build`\n');
  process.exit(1);
}
