// The Core the tray app runs, from the same factory as browser mode (main/core/face-core.ts),
// so both faces always run the same thing: the live core on this machine, or with `--demo` the
// simulated machine (a scenario sysroot and simulated kernel under the real core), whose
// demo:act channel works and whose notice says it is a simulation.

import type { AppInfo } from '../main/common/ipc/contract.js';
import type { Core } from '../main/core/api.js';
import type { DemoControl } from '../main/core/api.js';
import { createSystemRoot } from '../main/platform/system-root.js';
import { createUiCore } from '../main/core/face-core.js';
import type { DbusPort } from '../main/platform/dbus.js';
import { attachSessionCore } from '../main/service/remote-core.js';

export type ShellCore = {
  readonly core: Core;
  readonly demo: DemoControl | null;
  readonly mode: AppInfo['mode'];
  /** Something the window should always say (the simulation notice). */
  readonly notice: string | null;
  /**
   * One core per session (docs/dbus-api.md): 'owner' runs the live core and serves it on the
   * session bus; 'attached' shows the session's running core (`egpu service`) and leaves the
   * notifications to it; 'demo' is the simulation, which never takes the session's name.
   */
  readonly role: 'owner' | 'attached' | 'demo';
};

export async function createShellCore(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  dbus?: DbusPort,
): Promise<ShellCore> {
  const demo = argv.includes('--demo');
  if (!demo && dbus !== undefined) {
    const attached = await attachSessionCore(dbus);
    if (attached.ok && attached.value !== null)
      return { core: attached.value, demo: null, mode: 'electron', notice: null, role: 'attached' };
  }
  const ui = await createUiCore(
    demo
      ? { mode: 'demo' }
      : // The session's core runs the user's lifecycle hooks (docs/hooks.md).
        { mode: 'live', setup: { root: createSystemRoot(), env, transitionHooks: true } },
  );
  return {
    core: ui,
    demo: ui.demo,
    mode: demo ? 'demo' : 'electron',
    notice: ui.notice,
    role: demo ? 'demo' : 'owner',
  };
}
