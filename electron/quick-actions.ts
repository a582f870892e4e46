// "Safely eject" and "Recover" from the tray menu or a notification button. Like macOS's
// menu-bar "Disconnect", a plan that needs nothing from the user runs at once (a polkit prompt
// may still ask for the password); a plan that would close apps or stop services, that warns
// about the unplug itself (a drive on the same tunnel), or that is blocked, opens the window
// instead, where the user sees the plan before anything happens
// (docs/architecture.md, "Rules": nothing destructive without a plan the user saw).

import type {
  ActionFinal,
  ActionPlan,
  StepId,
  StepProgress,
} from '../main/common/actions-model.js';
import type { FocusRequest } from '../main/common/ipc/contract.js';
import type { ActionRun, Core } from '../main/core/api.js';
import type { NotificationRequest } from '../main/notify/desktop-notifier.js';
import { gpuKey } from '../main/notify/notify-policy.js';
import type { ActionRuns } from './ipc/action-runs.js';

/** Steps that change more than the GPU itself: the user must see them in the window first. */
const NEEDS_REVIEW: ReadonlySet<StepId> = new Set([
  'close-app',
  'release-compositor',
  'stop-service',
]);

export type QuickDecision = { readonly run: true } | { readonly run: false; readonly why: string };

/** Pure: may this plan run straight from a menu click? */
export function quickDecision(plan: ActionPlan): QuickDecision {
  if (plan.result === 'blocked') {
    const reasons = plan.blockers.map((b) => b.reason).join(' ');
    return { run: false, why: reasons === '' ? 'It is blocked.' : reasons };
  }
  // A drive on the same Thunderbolt tunnel stays connected: the user must read that first.
  const unplug = plan.unplugWarnings ?? [];
  if (unplug.length > 0) {
    return { run: false, why: `${unplug.join(' ')} Review the plan in the window.` };
  }
  const review = plan.steps.filter((s) => NEEDS_REVIEW.has(s.step));
  if (review.length > 0) {
    return {
      run: false,
      why: `First: ${review.map((s) => s.detail).join('; ')}. Review the plan in the window.`,
    };
  }
  return { run: true };
}

export type QuickActionsDeps = {
  readonly core: Pick<Core, 'planEject' | 'runEject' | 'planRecover' | 'runRecover'>;
  readonly runs: ActionRuns;
  /** Shows the window; with a request, the window opens that plan. */
  readonly showWindow: (focus?: FocusRequest) => void;
  /** A one-off notification (through the notify dispatcher, so it replaces per GPU). */
  readonly tell: (request: NotificationRequest) => void;
};

export type QuickActions = {
  eject(bdf: string): Promise<void>;
  recover(bdf: string | null): Promise<void>;
};

const OUTCOME_OK: ReadonlySet<ActionFinal['result']> = new Set([
  'safe-to-unplug',
  'recovered',
  'cancelled',
]);

export function createQuickActions(deps: QuickActionsDeps): QuickActions {
  const key = (bdf: string | null): string => (bdf === null ? 'quick:recover' : gpuKey(bdf));
  const say = (
    bdf: string | null,
    summary: string,
    body: string,
    urgency: NotificationRequest['urgency'],
  ): void =>
    deps.tell({
      key: key(bdf),
      summary,
      body,
      urgency,
      actions: [{ id: 'default', label: 'Details' }],
      category: 'device',
    });

  const act = async (
    verb: 'eject' | 'recover',
    bdf: string | null,
    plan: ActionPlan,
    start: (onProgress: (p: StepProgress) => void) => ActionRun,
  ): Promise<void> => {
    const name = plan.name ?? bdf ?? 'the eGPU';
    const decision = quickDecision(plan);
    if (!decision.run) {
      deps.showWindow({ action: verb, bdf });
      say(
        bdf,
        verb === 'eject'
          ? `${name} needs you before it can be ejected`
          : `${name} cannot be recovered yet`,
        decision.why,
        'normal',
      );
      return;
    }
    const started = deps.runs.start(verb, start);
    if (!started.ok) {
      say(bdf, `Could not ${verb} ${name}`, started.error.message, 'normal');
      return;
    }
    const final = await started.value.done;
    // Success is told by the lifecycle notification (safe to unplug); a recovery from a clean
    // unplug has none, so it is told here.
    if (final.result === 'recovered') say(bdf, `${name} is back`, final.detail, 'low');
    else if (!OUTCOME_OK.has(final.result))
      say(bdf, `Could not ${verb} ${name}`, final.detail, 'normal');
  };

  const planFailed = (bdf: string | null, verb: string, message: string): void => {
    deps.showWindow();
    say(bdf, `Could not ${verb} the eGPU`, message, 'normal');
  };

  return {
    async eject(bdf) {
      const plan = await deps.core.planEject(bdf);
      if (!plan.ok) return planFailed(bdf, 'eject', plan.error.message);
      await act('eject', bdf, plan.value, (p) =>
        deps.core.runEject(bdf, { closePids: [], force: false, unattended: true }, p),
      );
    },
    async recover(bdf) {
      const plan = await deps.core.planRecover(bdf);
      if (!plan.ok) return planFailed(bdf, 'recover', plan.error.message);
      await act('recover', bdf, plan.value, (p) => deps.core.runRecover(bdf, p));
    },
  };
}
