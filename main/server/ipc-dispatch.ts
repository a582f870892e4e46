// The IPC contract over a Core, without any transport: validate the input with the channel's zod
// schema, call the Core, return an IpcResult (errors are data, never thrown), and turn Core events
// and action progress into push messages. Browser mode puts HTTP and SSE around it; it is plain
// Node, so the Electron handlers may adapt it as well.

import { randomUUID } from 'node:crypto';
import type { ActionFinal, StepProgress } from '../common/actions-model.js';
import type { Disposable } from '../common/disposable.js';
import { Emitter } from '../common/disposable.js';
import { appError, type AppError } from '../common/errors.js';
import { INVOKE_CHANNELS, type InvokeChannel, type PushChannel } from '../common/ipc/channels.js';
import type {
  AppInfo,
  InputOf,
  IpcResult,
  Outputs,
  PushPayloads,
  RunStarted,
} from '../common/ipc/contract.js';
import { parseInput } from '../common/ipc/schemas.js';
import { err, mapResult, ok, type Result } from '../common/result.js';
import type { Snapshot } from '../common/state-model.js';
import type { ActionRun, Core } from '../core/api.js';
import type { DemoControl } from '../core/fake-core.js';

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

type Handlers = { [C in InvokeChannel]: (input: InputOf<C>) => Promise<Result<Outputs[C]>> };

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
  const newRunId = options.newRunId ?? (() => `run-${randomUUID()}`);
  const pushes = new Emitter<PushMessage>();
  let active: { readonly runId: string; readonly run: ActionRun } | null = null;

  const subscription = core.onSnapshot((payload) =>
    pushes.fire({ channel: 'snapshot:changed', payload }),
  );

  const startRun = (start: (onProgress: (p: StepProgress) => void) => ActionRun) => {
    // One guided action at a time: two ejects racing on one enclosure help nobody.
    if (active !== null) {
      return err(appError('busy', 'Another eject or recovery is running; wait or cancel it.'));
    }
    const runId = newRunId();
    const run = start((progress) =>
      pushes.fire({ channel: 'action:progress', payload: { runId, progress } }),
    );
    active = { runId, run };
    const finish = (final: ActionFinal): void => {
      if (active?.runId === runId) active = null;
      pushes.fire({ channel: 'action:progress', payload: { runId, final } });
    };
    run.done.then(finish, (e: unknown) => {
      options.onBug?.('action', e);
      finish({ result: 'failed', detail: 'eGPU Guard hit an internal error during this action.' });
    });
    return ok<RunStarted>({ runId });
  };

  const handlers: Handlers = {
    'snapshot:get': () => Promise.resolve(ok(core.snapshot())),
    'clients:refresh': async () => ok(await core.refreshClients()),
    'eject:plan': ({ bdf }) => core.planEject(bdf),
    'eject:run': ({ bdf, closePids, force }) =>
      Promise.resolve(
        startRun((onProgress) => core.runEject(bdf, { closePids, force }, onProgress)),
      ),
    'recover:plan': ({ bdf, approve }) => core.planRecover(bdf, { approve: approve ?? null }),
    'recover:run': ({ bdf, approve }) =>
      Promise.resolve(
        startRun((onProgress) => core.runRecover(bdf, onProgress, { approve: approve ?? null })),
      ),
    'action:cancel': ({ runId }) => {
      if (active?.runId !== runId) {
        return Promise.resolve(err(appError('not-found', `No action ${runId} is running.`)));
      }
      active.run.cancel();
      return Promise.resolve(ok(null));
    },
    'client:close': async ({ pid, force }) =>
      mapResult(await core.closeClient(pid, force), () => null),
    'compositor:advice': async () => ok(await core.compositorAdvice()),
    'app:info': () => Promise.resolve(ok(appInfo)),
    'demo:act': async ({ action }) =>
      demo === null
        ? err(appError('unsupported', 'The simulation only runs in demo mode (egpu ui --demo).'))
        : mapResult(await demo.act(action), () => null),
  };

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
      active?.run.cancel();
      active = null;
    },
  };
}
