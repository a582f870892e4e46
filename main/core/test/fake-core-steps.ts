// FakeCore's step runner: one planned step after another on the injected Clock, with progress
// (running → done), Cancel honoured between steps (the rest reported as skipped), a scripted
// failure for tests, and abort() for hardware events that end a run from outside.

import type { ActionFinal, PlanStep, StepId, StepProgress } from '../../common/actions-model.js';
import type { Disposable } from '../../common/disposable.js';
import type { Clock } from '../../platform/clock.js';
import type { ActionRun } from '../api.js';

export type StepHooks = {
  /** Makes the step's change to the fake machine. */
  apply(step: PlanStep): void;
  /** The result when every step ran. */
  finish(): ActionFinal;
  /** Puts the machine right after a cancel, failure or abort; returns the final to report. */
  stopped(final: ActionFinal): ActionFinal;
  /** The machine changed (emit a snapshot). */
  changed(): void;
};

export type ScriptedRun = ActionRun & {
  /** Ends the run now with this result (e.g. the cable was yanked mid-eject). */
  abort(final: ActionFinal): void;
};

export function runScriptedSteps(options: {
  readonly steps: readonly PlanStep[];
  readonly onProgress: (p: StepProgress) => void;
  readonly clock: Clock;
  readonly stepMs: number;
  readonly failAt: StepId | undefined;
  readonly hooks: StepHooks;
  readonly onEnd: () => void;
}): ScriptedRun {
  const { steps, onProgress, clock, hooks } = options;
  let resolve!: (f: ActionFinal) => void;
  const done = new Promise<ActionFinal>((r) => (resolve = r));
  let cancelled = false;
  let ended = false;
  let timer: Disposable | null = null;
  let index = 0;

  const end = (final: ActionFinal): void => {
    if (ended) return;
    ended = true;
    timer?.dispose();
    options.onEnd();
    hooks.changed();
    resolve(final);
  };

  const next = (): void => {
    const step = steps[index++];
    if (cancelled || step === undefined) {
      if (cancelled) {
        for (const s of steps.slice(index - 1)) {
          onProgress({ step: s.step, status: 'skipped', detail: s.detail });
        }
      }
      const what = `Cancelled after ${index - 1} of ${steps.length} steps; nothing else was changed.`;
      end(cancelled ? hooks.stopped({ result: 'cancelled', detail: what }) : hooks.finish());
      return;
    }
    onProgress({ step: step.step, status: 'running', detail: step.detail });
    timer = clock.setTimeout(() => {
      if (step.step === options.failAt) {
        onProgress({ step: step.step, status: 'failed', detail: `${step.detail}: refused` });
        end(hooks.stopped({ result: 'failed', detail: `${step.detail} failed: refused.` }));
        return;
      }
      hooks.apply(step);
      onProgress({ step: step.step, status: 'done', detail: step.detail });
      hooks.changed();
      next();
    }, options.stepMs);
  };

  timer = clock.setTimeout(next, 0);
  return {
    done,
    cancel: () => void (cancelled = true),
    abort: (final) => end(hooks.stopped(final)),
  };
}
