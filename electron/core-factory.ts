// The Core the tray app runs, from the same factory as browser mode (main/core/face-core.ts),
// so both faces always run the same thing: the live core on this machine, or with `--demo` the
// simulated machine (a scenario sysroot and simulated kernel under the real core), whose
// demo:act channel works and whose notice says it is a simulation.

import type { AppInfo } from '../main/common/ipc/contract.js';
import type { Core } from '../main/core/api.js';
import type { DemoControl } from '../main/core/api.js';
import { createSystemRoot } from '../main/platform/system-root.js';
import { createUiCore } from '../main/core/face-core.js';

export type ShellCore = {
  readonly core: Core;
  readonly demo: DemoControl | null;
  readonly mode: AppInfo['mode'];
  /** Something the window should always say (the simulation notice). */
  readonly notice: string | null;
};

export async function createShellCore(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<ShellCore> {
  const demo = argv.includes('--demo');
  const ui = await createUiCore(
    demo ? { mode: 'demo' } : { mode: 'live', setup: { root: createSystemRoot(), env } },
  );
  return { core: ui, demo: ui.demo, mode: demo ? 'demo' : 'electron', notice: ui.notice };
}
