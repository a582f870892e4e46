// Builds dist/native/egpu-proc-scan from native/proc-scan.c with the system's C compiler, for a
// one-shot `egpu clients` (main/platform/native-scan.ts). Optional: without a compiler the
// command scans in TypeScript, a little slower (README, "Figures"), and this says so once.
// dist/native/.built records that this step ran, compiler or not (scripts/build.mjs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const OUT = 'dist/native/egpu-proc-scan';
mkdirSync('dist/native', { recursive: true });
const cc = process.env.CC ?? 'cc';
const staging = `${OUT}.new`;
const r = spawnSync(
  cc,
  ['-O2', '-std=c11', '-Wall', '-Wextra', '-pthread', '-o', staging, 'native/proc-scan.c'],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
if (r.error !== undefined || r.status !== 0) {
  rmSync(staging, { force: true });
  rmSync(OUT, { force: true });
  console.log(
    `build: no native /proc scanner (${r.error !== undefined ? `${cc} not found` : `${cc} failed`}); egpu clients scans in TypeScript`,
  );
} else {
  renameSync(staging, OUT);
}
writeFileSync('dist/native/.built', '');
