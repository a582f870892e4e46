// Every invoke channel of the contract, mapped onto the Core. The object `satisfies` the channel
// map, so a channel added to main/common/ipc without a handler here is a compile error. Inputs
// arrive already validated (validated-ipc.ts); results are Results, never exceptions.

import { appError } from '../../main/common/errors.js';
import type { InvokeChannel } from '../../main/common/ipc/channels.js';
import type { AppInfo, InputOf, Outputs } from '../../main/common/ipc/contract.js';
import { err, mapResult, ok, type Result } from '../../main/common/result.js';
import type { Core } from '../../main/core/api.js';
import type { DemoControl } from '../../main/core/fake-core.js';
import type { ActionRuns } from './action-runs.js';

export type Handler<C extends InvokeChannel> = (input: InputOf<C>) => Promise<Result<Outputs[C]>>;
export type HandlerMap = { readonly [C in InvokeChannel]: Handler<C> };

export type HandlerDeps = {
  readonly core: Core;
  readonly runs: ActionRuns;
  /** The simulated machine's controls (`--demo`); null otherwise. */
  readonly demo: DemoControl | null;
  readonly appInfo: () => AppInfo;
};

export function createIpcHandlers(deps: HandlerDeps): HandlerMap {
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
    'app:info': () => Promise.resolve(ok(deps.appInfo())),
    'demo:act': async ({ action }) =>
      demo === null
        ? err(appError('unsupported', 'The simulation only runs in demo mode (--demo).'))
        : mapResult(await demo.act(action), () => null),
  } satisfies HandlerMap;
}
