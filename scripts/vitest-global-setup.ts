// Builds dist/ once before the tests, so tests that run `bin/egpu.js` or the helper as a real
// child process exercise the code under test and never a stale build: tsc for dist/main, and the
// helper's single-file bundle (scripts/build-helper.mjs), which bin/egpu-guard-helper.js and the
// privileged runner prefer.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['scripts/build-helper.mjs'], { stdio: 'inherit' });
}
