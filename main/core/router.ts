// The one router every face's transport uses (Electron IPC, browser mode's HTTP/SSE): each invoke
// channel of the contract mapped onto the Core, and the guided actions that run, by runId. No
// transport here: a transport validates the sender, parses the channel's input with its zod schema
// (main/common/ipc/schemas.ts) and calls a handler; results are Results, never exceptions. "One
// guided action at a time" lives here, not in a transport: two ejects racing on one enclosure help
// nobody, whichever window or tray menu started them.

import { randomUUID } from 'node:crypto';
import type { ActionFinal, StepProgress } from '../common/actions-model.js';
import { appError } from '../common/errors.js';
import type { InvokeChannel } from '../common/ipc/channels.js';
import type {
  ActionProgressMessage,
  AppInfo,
  InputOf,
  Outputs,
  RunStarted,
} from '../common/ipc/contract.js';
import { err, mapResult, ok, type Result } from '../common/result.js';
import type { ActionRun, Core, DemoControl } from './api.js';

export type Handler<C extends InvokeChannel> = (input: InputOf<C>) => Promise<Result<Outputs[C]>>;
export type HandlerMap = { readonly [C in InvokeChannel]: Handler<C> };

export type RunKind = 'eject' | 'recover';

export type ActionRuns = {
  start(
    kind: RunKind,
    begin: (onProgress: (p: StepProgress) => void) => ActionRun,
  ): Result<RunStarted & { readonly done: Promise<ActionFinal> }>;
  cancel(runId: string): Result<null>;
  /** Cancels what runs (quitting). */
  dispose(): void;
};

export type ActionRunsOptions = {
  readonly send: (message: ActionProgressMessage) => void;
  readonly onBug?: (error: unknown) => void;
  /** For testing. */
  readonly newRunId?: (kind: RunKind) => string;
};

export function createActionRuns(options: ActionRunsOptions): ActionRuns {
  // Matches the contract's runId schema: [a-z0-9-]{1,64}.
  const newRunId = options.newRunId ?? ((kind: RunKind) => `${kind}-${randomUUID()}`);
  let active: { readonly runId: string; readonly run: ActionRun } | null = null;

  return {
    start(kind, begin) {
      if (active !== null) {
        return err(appError('busy', 'Another eject or recovery is running; wait or cancel it.'));
      }
      const runId = newRunId(kind);
      const run = begin((progress) => options.send({ runId, progress }));
      active = { runId, run };
      const done = run.done.then(
        (final) => final,
        (e: unknown): ActionFinal => {
          options.onBug?.(e);
          return {
            result: 'failed',
            detail: 'eGPU Guard hit an internal error during this action.',
          };
        },
      );
      void done.then((final) => {
        if (active?.runId === runId) active = null;
        options.send({ runId, final });
      });
      return ok({ runId, done });
    },
    cancel(runId) {
      if (active?.runId !== runId)
        return err(appError('not-found', `No action ${runId} is running.`));
      active.run.cancel();
      return ok(null);
    },
    dispose() {
      active?.run.cancel();
      active = null;
    },
  };
}

export type RouterDeps = {
  readonly core: Core;
  readonly runs: ActionRuns;
  /** The simulated machine's controls (`--demo`); null otherwise. */
  readonly demo: DemoControl | null;
  readonly appInfo: () => AppInfo;
};

/**
 * Every invoke channel, mapped onto the Core. The object `satisfies` the channel map, so a channel
 * added to main/common/ipc without a handler here is a compile error — for every transport at once.
 */
export function createRouter(deps: RouterDeps): HandlerMap {
  const { core, runs, demo } = deps;
  const started = <T extends { runId: string }>(r: Result<T>) =>
    Promise.resolve(mapResult(r, ({ runId }) => ({ runId })));
  return {
    'snapshot:get': () => Promise.resolve(ok(core.snapshot())),
    'clients:refresh': async () => ok(await core.refreshClients()),
    'eject:plan': ({ bdf }) => core.planEject(bdf),
    'eject:run': ({ bdf, closePids, force }) =>
      started(runs.start('eject', (p) => core.runEject(bdf, { closePids, force }, p))),
    'recover:plan': ({ bdf, approve }) => core.planRecover(bdf, { approve: approve ?? null }),
    'recover:run': ({ bdf, approve }) =>
      started(runs.start('recover', (p) => core.runRecover(bdf, p, { approve: approve ?? null }))),
    'action:cancel': ({ runId }) => Promise.resolve(runs.cancel(runId)),
    'client:close': async ({ pid, force }) =>
      mapResult(await core.closeClient(pid, force), () => null),
    'compositor:advice': async () => ok(await core.compositorAdvice()),
    'compositor:run': async ({ id, confirmed }) =>
      mapResult(await core.runCompositorAction(id, confirmed), (message) => ({ message })),
    'app:info': () => Promise.resolve(ok(deps.appInfo())),
    'demo:act': async ({ action }) =>
      demo === null
        ? err(appError('unsupported', 'The simulation only runs in demo mode (egpu ui --demo).'))
        : mapResult(await demo.act(action), () => null),
  } satisfies HandlerMap;
}
