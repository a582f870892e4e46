// The window's IPC, wired: pushes to the renderer, the action runs (one guided action at a time),
// and every invoke channel of the one router behind the sender check and the schemas.

import type { Disposable } from '../../main/common/disposable.js';
import { DisposableStore, toDisposable } from '../../main/common/disposable.js';
import type { AppInfo } from '../../main/common/ipc/contract.js';
import type { Core, DemoControl } from '../../main/core/api.js';
import { createActionRuns, type ActionRuns } from './action-runs.js';
import { createIpcHandlers } from './handlers.js';
import { createPusher, type Pusher } from './push.js';
import { registerValidatedHandlers } from './validated-ipc.js';

export type IpcWiringOptions = {
  readonly core: Core;
  readonly demo: DemoControl | null;
  readonly appInfo: () => AppInfo;
  /** The status window's web contents now (pushes go nowhere while it is closed). */
  readonly contents: Parameters<typeof createPusher>[0];
  readonly rendererUrl: string;
  readonly isKnownWebContents: (id: number) => boolean;
  readonly log: (line: string) => void;
};

export type IpcWiring = Disposable & { readonly push: Pusher; readonly runs: ActionRuns };

export function wireIpc(o: IpcWiringOptions): IpcWiring {
  const store = new DisposableStore();
  const push = createPusher(o.contents);
  const runs = createActionRuns({
    send: (m) => push('action:progress', m),
    onBug: (e) => o.log(`action failed with a bug: ${String(e)}`),
  });
  store.add(toDisposable(() => runs.dispose()));
  store.add(
    registerValidatedHandlers(
      createIpcHandlers({ core: o.core, runs, demo: o.demo, appInfo: o.appInfo }),
      {
        policy: { rendererUrl: o.rendererUrl, isKnownWebContents: o.isKnownWebContents },
        onRefused: (channel, reason) => o.log(`${channel}: ${reason}`),
        onBug: (channel, e) =>
          o.log(`${channel}: bug: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      },
    ),
  );
  return { push, runs, dispose: () => store.dispose() };
}
