// Browser mode's transport around the one router (main/core/router.ts): validate the input with
// the channel's zod schema, call the router, return an IpcResult (errors are data, never thrown),
// and turn Core events and action progress into push messages for SSE.

import type { Disposable } from '../common/disposable.js';
import { Emitter } from '../common/disposable.js';
import { appError, type AppError } from '../common/errors.js';
import { INVOKE_CHANNELS, type InvokeChannel, type PushChannel } from '../common/ipc/channels.js';
import type { AppInfo, IpcResult, PushPayloads } from '../common/ipc/contract.js';
import { parseInput } from '../common/ipc/schemas.js';
import type { Result } from '../common/result.js';
import type { Snapshot } from '../common/snapshot.js';
import type { Core, DemoControl } from '../core/api.js';
import { createActionRuns, createRouter, type HandlerMap } from '../core/router.js';

export type PushMessage = {
  [P in PushChannel]: { readonly channel: P; readonly payload: PushPayloads[P] };
}[PushChannel];

export type IpcDispatcher = {
  invoke(channel: string, raw: unknown): Promise<IpcResult<unknown>>;
  onPush(listener: (message: PushMessage) => void): Disposable;
  /** The snapshot a new event subscriber starts from. */
  snapshot(): Snapshot;
  dispose(): void;
};

export type IpcDispatcherOptions = {
  readonly core: Core;
  /** The simulated machine's controls; null outside demo mode. */
  readonly demo: DemoControl | null;
  readonly appInfo: AppInfo;
  /** Called when a handler throws (a bug); the caller gets `internal`. */
  readonly onBug?: (channel: string, error: unknown) => void;
  /** For testing. */
  readonly newRunId?: () => string;
};

const CHANNELS: ReadonlySet<string> = new Set(Object.values(INVOKE_CHANNELS));

export const isInvokeChannel = (channel: string): channel is InvokeChannel => CHANNELS.has(channel);

const toIpc = <T>(result: Result<T>): IpcResult<T> =>
  result.ok
    ? result
    : { ok: false, error: { code: result.error.code, message: result.error.message } };

const failure = (error: AppError): IpcResult<never> => ({
  ok: false,
  error: { code: error.code, message: error.message },
});

export function createIpcDispatcher(options: IpcDispatcherOptions): IpcDispatcher {
  const { core, demo, appInfo } = options;
  const pushes = new Emitter<PushMessage>();

  const subscription = core.onSnapshot((payload) =>
    pushes.fire({ channel: 'snapshot:changed', payload }),
  );
  // The same router and action runs as the Electron shell (main/core/router.ts): browser mode is
  // only the HTTP/SSE transport around them.
  const runs = createActionRuns({
    send: (payload) => pushes.fire({ channel: 'action:progress', payload }),
    onBug: (e) => options.onBug?.('action', e),
    ...(options.newRunId === undefined ? {} : { newRunId: options.newRunId }),
  });
  const handlers: HandlerMap = createRouter({ core, runs, demo, appInfo: () => appInfo });

  const call = async <C extends InvokeChannel>(channel: C, raw: unknown) => {
    const input = parseInput(channel, raw);
    if (!input.ok) return toIpc(input);
    return toIpc(await handlers[channel](input.value));
  };

  return {
    async invoke(channel, raw) {
      if (!isInvokeChannel(channel)) {
        return failure(appError('not-found', `There is no channel '${channel}'.`));
      }
      try {
        return await call(channel, raw);
      } catch (e) {
        options.onBug?.(channel, e);
        return failure(appError('internal', `eGPU Guard hit an internal error (${channel}).`));
      }
    },
    onPush: (listener) => pushes.event(listener),
    snapshot: () => core.snapshot(),
    dispose() {
      subscription.dispose();
      runs.dispose();
    },
  };
}
