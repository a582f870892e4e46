// The Core the tray app runs: the live core on this machine, or with `--demo` the scripted
// simulated machine (the same FakeCore browser mode's demo uses), whose demo:act channel works.

import type { AppInfo } from '../main/common/ipc/contract.js';
import type { Core } from '../main/core/api.js';
import { createCore } from '../main/core/create-core.js';
import { createFakeCore, type DemoControl } from '../main/core/fake-core.js';
import { createSystemRoot } from '../main/platform/system-root.js';

export type ShellCore = {
  readonly core: Core;
  readonly demo: DemoControl | null;
  readonly mode: AppInfo['mode'];
};

export function createShellCore(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ShellCore {
  if (argv.includes('--demo')) {
    const fake = createFakeCore();
    return { core: fake, demo: fake, mode: 'demo' };
  }
  return { core: createCore({ root: createSystemRoot(), env }), demo: null, mode: 'electron' };
}
