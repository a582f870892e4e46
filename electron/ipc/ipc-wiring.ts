// The window's IPC, wired: pushes to the renderer, the action runs (one guided action at a time),
// and every invoke channel of the one router behind the sender check and the schemas.

import type { Disposable } from '../../main/common/disposable.js';
import { DisposableStore, toDisposable } from '../../main/common/disposable.js';
import type { ActionProgressMessage, AppInfo } from '../../main/common/ipc/contract.js';
import type { Core, DemoControl } from '../../main/core/api.js';
import { createActionRuns, type ActionRuns } from './action-runs.js';
import { createIpcHandlers, type HandlerMap } from './handlers.js';
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
  /** Also told every action progress message (the session bus, when this app serves it). */
  readonly onProgress?: (message: ActionProgressMessage) => void;
};

export type IpcWiring = Disposable & {
  readonly push: Pusher;
  readonly runs: ActionRuns;
  /** The router behind the window's channels, for another transport to share (one run at a time). */
  readonly handlers: HandlerMap;
};

export function wireIpc(o: IpcWiringOptions): IpcWiring {
  const store = new DisposableStore();
  const push = createPusher(o.contents);
  const runs = createActionRuns({
    send: (m) => {
      push('action:progress', m);
      o.onProgress?.(m);
    },
    onBug: (e) => o.log(`action failed with a bug: ${String(e)}`),
  });
  store.add(toDisposable(() => runs.dispose()));
  const handlers = createIpcHandlers({ core: o.core, runs, demo: o.demo, appInfo: o.appInfo });
  store.add(
    registerValidatedHandlers(handlers, {
      policy: { rendererUrl: o.rendererUrl, isKnownWebContents: o.isKnownWebContents },
      onRefused: (channel, reason) => o.log(`${channel}: ${reason}`),
      onBug: (channel, e) =>
        o.log(`${channel}: bug: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    }),
  );
  return { push, runs, handlers, dispose: () => store.dispose() };
}
