// Builds dist/ once before the tests, so tests that run `bin/egpu.js` as a real child process
// exercise the code under test and never a stale build.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
