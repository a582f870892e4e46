// The privileged runner a command uses: pkexec on the real machine; with --root DIR the helper
// runs directly with `--test-root DIR` (the test and demo path: no pkexec, no real /sys).

import { createNodeCommandRunner } from '../platform/command-runner.js';
import { createPrivilegedRunner, type PrivilegedRunner } from '../platform/privileged.js';
import type { SystemRoot } from '../platform/system-root.js';

export function privilegedFor(root: SystemRoot, stepTimeoutMs: number): PrivilegedRunner {
  return createPrivilegedRunner({
    runner: createNodeCommandRunner(),
    stepTimeoutMs,
    ...(root.root === '/' ? {} : { testRoot: root.root }),
  });
}
