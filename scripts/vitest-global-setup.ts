// Builds dist/ once before the tests, so tests that run `bin/egpu.js` or the helper as a real
// child process exercise the code under test and never a stale build: tsc for dist/main, and the
// helper's single-file bundle (scripts/build-helper.mjs), which bin/egpu-guard-helper.js and the
// privileged runner prefer. tsc never deletes, so what a moved or deleted source left in dist/ is
// pruned after it (scripts/prune-dist.mjs): the tests see what a fresh build would ship.
//
// Type errors do not stop the build here: `npm test` runs `tsc --strict` through `npm run check`
// before Vitest, and tsc still emits when it reports errors (exit status 2, "diagnostics present,
// outputs generated" in TypeScript's ExitStatus), so a test run while one file is mid-edit still
// tests everything else. Any other failure (exit 1: nothing emitted) stops the run.
import { execFileSync } from 'node:child_process';
import { pruneDist } from './prune-dist.mjs';

export default function setup(): void {
  // `npm run test:unit` runs only pure and in-process tests, which import the sources: no build.
  if (process.env['EGPU_SKIP_DIST_BUILD'] === '1') return;
  try {
    execFileSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'],
      { stdio: 'inherit' },
    );
  } catch (e) {
    if ((e as { status?: unknown }).status !== 2) throw e;
    console.warn('vitest global setup: tsc reported type errors (dist/ was still built)');
  }
  pruneDist();
  execFileSync(process.execPath, ['scripts/build-helper.mjs'], { stdio: 'inherit' });
  // The C scanner `egpu clients` runs where it is built (main/platform/native-scan.ts).
  execFileSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });
}
