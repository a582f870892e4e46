#!/usr/bin/env node
// Launcher for the privileged helper (main/helper). Packaging installs the helper at
// /usr/libexec/egpu-guard/egpu-guard-helper, the path the polkit policy names; tests and the demo
// run this file with `--test-root DIR`. No shell, no environment is trusted (see main/helper).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/helper/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('egpu-guard-helper: not built yet; run `npm run build`\n');
  process.exit(1);
}
const { helperMain } = await import(entry.href);
helperMain();
