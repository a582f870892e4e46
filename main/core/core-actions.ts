// The actions the live core offers (tray app, browser mode): eject and recover with progress and
// cancel, closing one app the user confirmed, compositor advice. Eject progress is reported to
// the state machine as facts so the GPU shows "ejecting" and the removal reads as planned.

import type { ActionFinal, StepProgress } from '../common/actions-model.js';
import { appError } from '../common/errors.js';
import { err, ok } from '../common/result.js';
import type { ActionRun } from './api.js';
import type { ActionsContext, ActionsPort } from './live-core.js';
import type { GpuLifecycle } from '../common/snapshot.js';
import type { EjectResult } from '../state/facts.js';
import { processAlive, signalProcess } from '../platform/processes.js';
import {
  pickAction,
  runCompositorAction,
  type ActionPorts,
} from '../actions/compositor/run-action.js';
import type { EjectFacts } from '../actions/eject/eject-facts.js';
import { planEject as planFromFacts } from '../actions/eject/eject-planner.js';
import type { EjectService } from '../actions/eject/eject-service.js';
import type { RecoverService } from '../actions/recover/recover-service.js';

export type CoreActionsOptions = {
  readonly eject: EjectService;
  readonly recover: RecoverService;
  readonly now: () => number;
  readonly compositorAdvice?: ActionsPort['compositorAdvice'];
  /** Runs a compositor action (the programs and the helper, with the session's environment). */
  readonly compositorPorts?: ActionPorts;
};

/** How long the facts of a plan stay good for a run of the same GPU that follows it. */
const PLAN_REUSE_MS = 1_000;

function started(run: (isCancelled: () => boolean) => Promise<ActionFinal>): ActionRun {
  let cancelled = false;
  const done = run(() => cancelled).catch((e: unknown): ActionFinal => ({
    result: 'failed',
    detail: `internal error: ${e instanceof Error ? e.message : String(e)}`,
  }));
  return { done, cancel: () => void (cancelled = true) };
}

export function createCoreActions(o: CoreActionsOptions): (ctx: ActionsContext) => ActionsPort {
  const compositorAdvice: ActionsPort['compositorAdvice'] =
    o.compositorAdvice ??
    (() =>
      Promise.resolve({
        session: 'unknown',
        sessionDetail: 'session detection is not available',
        actions: [],
        config: [],
      }));
  // The facts the last plan was made from. A run of the same GPU, in the same state, that starts
  // right after it — `egpu eject --yes` prints the plan and runs it — runs exactly that plan: what
  // was shown is what runs, and sysfs and /proc are not read a second time. A later run gathers
  // its facts again. Either way the executor re-checks who holds the GPU right before its first
  // kernel write, and only the apps the user agreed to close (closePids) are closed.
  let planned: {
    readonly facts: EjectFacts;
    readonly state: GpuLifecycle | null;
    readonly at: number;
  } | null = null;
  return ({ core, apply, clientsChanged }) => ({
    async planEject(bdf) {
      const state = core.snapshot().gpus.find((g) => g.bdf === bdf)?.state ?? null;
      const facts = await o.eject.facts(bdf, state);
      planned = { facts, state, at: o.now() };
      return ok(planFromFacts(facts));
    },
    runEject(bdf, options, onProgress: (p: StepProgress) => void) {
      return started(async (isCancelled) => {
        const state = core.snapshot().gpus.find((g) => g.bdf === bdf)?.state ?? null;
        // "Ejecting" begins with the first step: an eject refused before any (another one holds
        // the GPU's lock, the intent could not be recorded) never shows the GPU as ejecting.
        let begun = false;
        const progress = (p: StepProgress): void => {
          if (!begun) apply({ type: 'eject', at: o.now(), bdf, phase: 'started' });
          begun = true;
          onProgress(p);
        };
        const fresh =
          planned !== null &&
          planned.facts.bdf === bdf &&
          planned.state === state &&
          o.now() - planned.at >= 0 &&
          o.now() - planned.at <= PLAN_REUSE_MS
            ? planned.facts
            : null;
        planned = null;
        const final =
          fresh === null
            ? await o.eject.run(bdf, options, progress, isCancelled, state)
            : await o.eject.execute(fresh, options, progress, isCancelled);
        const result = final.result as EjectResult;
        if (begun)
          apply({
            type: 'eject',
            at: o.now(),
            bdf,
            phase: 'finished',
            result,
            detail: final.detail,
            ...(final.unplugWarnings === undefined ? {} : { unplugWarnings: final.unplugWarnings }),
          });
        clientsChanged();
        return final;
      });
    },
    async planRecover(bdf, request) {
      return ok(await o.recover.plan(bdf, request));
    },
    runRecover(bdf, onProgress, request) {
      return started((isCancelled) => o.recover.run(bdf, onProgress, isCancelled, request));
    },
    async closeClient(pid, force) {
      const holds = core.snapshot().gpus.some((g) => g.clients?.some((c) => c.pid === pid));
      if (!holds)
        return err(appError('invalid-input', `process ${pid} does not use a GPU eGPU Guard knows`));
      const r = signalProcess(pid, force ? 'SIGKILL' : 'SIGTERM');
      if (!r.ok && r.error.code !== 'not-found') return r;
      for (let i = 0; i < 30 && processAlive(pid); i++)
        await new Promise((res) => setTimeout(res, 100));
      await core.refreshClients();
      return processAlive(pid)
        ? err(
            appError(
              'busy',
              `process ${pid} has not quit yet${force ? '' : '; Force quit kills it'}`,
            ),
          )
        : ok(undefined);
    },
    compositorAdvice,
    async runCompositorAction(id, confirmed) {
      // The advice of now, not of when the window asked: the session or its holders may differ.
      const picked = pickAction(await compositorAdvice(), id, confirmed);
      if ('refusal' in picked) {
        const code = picked.refusal.reason === 'needs-confirmation' ? 'blocked' : 'not-found';
        return err(appError(code, picked.refusal.message.replace(/--yes/g, 'your confirmation')));
      }
      if (o.compositorPorts === undefined)
        return err(appError('unsupported', 'desktop actions are not available here'));
      return runCompositorAction(picked.action, o.compositorPorts);
    },
  });
}
