// Runs an eject plan step by step: each step reported (running → done/failed/skipped), each
// kernel write through the privileged helper under its watchdog, each result verified. The user
// can cancel between steps; what was done is reported and `egpu recover` undoes it. Processes are
// only ever sent SIGTERM after the user agreed (closePids); SIGKILL only with force.

import {
  FORCE_QUIT,
  type ActionFinal,
  type ActionPlan,
  type EjectOptions,
  type PlanStep,
  type StepProgress,
} from '../../common/actions-model.js';
import type { ClientInfo } from '../../common/clients-model.js';
import type { AppError } from '../../common/errors.js';
import type { Result } from '../../common/result.js';
import type { HelperVerb } from '../../common/helper-contract.js';

export type EjectPorts = {
  runHelper(verb: HelperVerb, args: readonly string[]): Promise<Result<unknown, AppError>>;
  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): Result<void>;
  alive(pid: number): boolean;
  sleep(ms: number): Promise<void>;
  /** Who holds the GPU now (a fresh scan). */
  clientsOf(bdf: string): Promise<readonly ClientInfo[]>;
  /** Waits until the core has seen every address leave the bus; false after timeoutMs. */
  confirmGone(bdfs: readonly string[], timeoutMs: number): Promise<boolean>;
  /**
   * Of these kernel modules, the ones still loaded (/sys/module): an unload is checked against
   * the kernel, not taken from the helper's word — modprobe -r stops at a module still in use.
   */
  loadedModules(names: readonly string[]): readonly string[];
};

export type EjectRunOptions = EjectOptions & {
  readonly stepTimeoutMs: number;
  /** How long a process may take to quit after SIGTERM (then SIGKILL with force). */
  readonly quitTimeoutMs?: number;
  readonly isCancelled: () => boolean;
  /** NVIDIA: even a compositor that was asked to drop the card must be gone before the unbind. */
  readonly strictHolders: boolean;
  readonly onProgress: (p: StepProgress) => void;
};

const KERNEL_STEPS = new Set([
  'unbind',
  'remove',
  'unload-modules',
  'drop-tunnel',
  'release-compositor',
  'stop-service',
]);

async function waitGone(ports: EjectPorts, pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += 100) {
    if (!ports.alive(pid)) return true;
    await ports.sleep(100);
  }
  return !ports.alive(pid);
}

/**
 * Holders that still block the first kernel write: everything except restarted services and —
 * for drivers that survive open files (amdgpu, i915, xe) — compositors that were asked to drop it.
 */
function blocking(clients: readonly ClientInfo[], plan: ActionPlan, strict: boolean): ClientInfo[] {
  const restarted = new Set(
    plan.steps.filter((s) => s.step === 'stop-service').map((s) => s.helper?.[1]),
  );
  return clients.filter((c) => !restarted.has(c.comm) && (strict || c.role !== 'compositor'));
}

export async function executeEject(
  plan: ActionPlan,
  ports: EjectPorts,
  o: EjectRunOptions,
): Promise<ActionFinal> {
  const bdf = plan.gpu ?? '';
  const done: string[] = [];
  const report = (step: PlanStep, status: StepProgress['status'], detail: string): void =>
    o.onProgress({ step: step.step, status, detail });
  const fixed = plan.blockers.filter((b) => !b.closable);
  if (fixed.length > 0) return { result: 'blocked', detail: fixed.map((b) => b.reason).join('; ') };
  const unconsented = plan.blockers.filter(
    (b) => b.closable && (b.pid === undefined || !o.closePids.includes(b.pid)),
  );
  if (unconsented.length > 0) {
    return {
      result: 'blocked',
      detail: `${unconsented.map((b) => b.reason).join('; ')} — close ${unconsented.length === 1 ? 'it' : 'them'} first, or agree to close ${unconsented.length === 1 ? 'it' : 'them'}`,
    };
  }
  // The one-click path decided on a plan of its own; this one (planned again just now) must not
  // run unseen when it says something about the unplug itself.
  if (o.unattended === true && (plan.unplugWarnings ?? []).length > 0) {
    return {
      result: 'blocked',
      detail: `${(plan.unplugWarnings ?? []).join(' ')} Review the plan in the window before ejecting.`,
    };
  }
  // Whether a kernel write ran: only then is there a GPU to bring back. Apps that were closed
  // are closed, but the GPU itself is as it was.
  let touchedKernel = false;
  const cancelled = (): ActionFinal => ({
    result: 'cancelled',
    detail:
      done.length === 0
        ? 'Cancelled before anything was changed.'
        : touchedKernel
          ? `Cancelled after: ${done.join('; ')}. Run \`egpu recover ${bdf}\` to bring the GPU back.`
          : `Cancelled after: ${done.join('; ')}. The GPU itself was not touched: it is still attached.`,
  });

  let checkedFree = false;
  for (const step of plan.steps) {
    if (o.isCancelled()) return cancelled();
    // Before the first kernel write, make sure nothing but handled holders remains.
    if (!checkedFree && KERNEL_STEPS.has(step.step) && step.step !== 'release-compositor') {
      checkedFree = true;
      const still = blocking(await ports.clientsOf(bdf), plan, o.strictHolders);
      if (still.length > 0) {
        return {
          result: 'blocked',
          detail: `Still in use by ${still.map((c) => `${c.comm} (pid ${c.pid})`).join(', ')}; close ${still.length === 1 ? 'it' : 'them'} and try again.`,
        };
      }
    }
    report(step, 'running', step.detail);
    if (step.step === 'close-app' && step.pid !== undefined) {
      const pid = step.pid;
      const sent = ports.signal(pid, 'SIGTERM');
      let gone = !sent.ok && sent.error.code === 'not-found';
      if (!gone && !sent.ok) {
        report(step, 'failed', sent.error.message);
        return { result: 'blocked', detail: sent.error.message };
      }
      gone = gone || (await waitGone(ports, pid, o.quitTimeoutMs ?? 5_000));
      let killed = false;
      if (!gone && o.force) {
        ports.signal(pid, 'SIGKILL');
        killed = true;
        gone = await waitGone(ports, pid, 2_000);
      }
      if (!gone) {
        // Each face says how to force it (the window's Force quit, the CLI's --force).
        const why = `${step.comm ?? pid} (pid ${pid}) did not quit${o.force ? ' even after SIGKILL' : ' (it can be force-quit, losing its unsaved work)'}`;
        report(step, 'failed', why);
        return { result: 'blocked', detail: why };
      }
      // Killed is not "quit": the step says which it was.
      report(step, 'done', `${step.comm ?? pid} (pid ${pid}) ${killed ? FORCE_QUIT : 'quit'}`);
      done.push(`closed ${step.comm ?? pid}`);
      continue;
    }
    if (step.step === 'confirm-removal') {
      // Every function of the GPU, not only .0: an audio function left bound is not "removed".
      const targets = step.targets !== undefined && step.targets.length > 0 ? step.targets : [bdf];
      const gone = await ports.confirmGone(targets, o.stepTimeoutMs);
      if (!gone) {
        report(
          step,
          'failed',
          `${targets.join(', ')} ${targets.length === 1 ? 'is' : 'are'} still present`,
        );
        return {
          result: 'failed',
          detail: `The kernel still lists ${bdf}; nothing is stuck, but it is not removed. Run \`egpu eject ${bdf}\` again or \`egpu recover ${bdf}\`.`,
        };
      }
      report(
        step,
        'done',
        `${targets.join(', ')} ${targets.length === 1 ? 'is' : 'are'} gone from the PCI bus`,
      );
      continue;
    }
    if (step.step === 'safe-to-unplug') {
      report(
        step,
        'done',
        (plan.unplugWarnings ?? []).length === 0
          ? 'Safe to unplug'
          : 'The GPU is removed; eject the drive before you unplug',
      );
      continue;
    }
    if (step.helper === undefined || step.helper.length === 0) {
      report(step, 'skipped', 'nothing to do');
      continue;
    }
    const [verb, ...args] = step.helper as [HelperVerb, ...string[]];
    if (KERNEL_STEPS.has(step.step)) touchedKernel = true;
    const r = await ports.runHelper(verb, args);
    let stillLoaded = r.ok && step.step === 'unload-modules' ? ports.loadedModules(args) : [];
    // modprobe -r has returned when the helper does; a moment's grace all the same for a kernel
    // that applies it a little later (the simulated one reads the helper's command log).
    for (let i = 0; i < 10 && stillLoaded.length > 0; i++) {
      await ports.sleep(100);
      stillLoaded = ports.loadedModules(args);
    }
    if (stillLoaded.length > 0) {
      // Best effort, like a refused unload below: the GPU is gone all the same.
      report(
        step,
        'failed',
        `${stillLoaded.join(', ')} ${stillLoaded.length === 1 ? 'is' : 'are'} still loaded: something else still uses ${stillLoaded.length === 1 ? 'it' : 'them'} (the GPU is removed; continuing)`,
      );
      continue;
    }
    if (r.ok) {
      report(step, 'done', step.detail);
      done.push(step.detail);
      if (step.step === 'release-compositor') await ports.sleep(500); // let the compositor close the card
      continue;
    }
    if (r.error.code === 'driver-stuck') {
      report(step, 'failed', r.error.message);
      return { result: 'stuck', detail: r.error.message };
    }
    // Best-effort steps after the GPU is gone: their failure does not make it unsafe.
    if (
      step.step === 'unload-modules' ||
      step.step === 'stop-service' ||
      step.step === 'drop-tunnel'
    ) {
      report(step, 'failed', `${r.error.message} (the GPU is removed; continuing)`);
      continue;
    }
    report(step, 'failed', r.error.message);
    const undo =
      done.length > 0 ? ` Done so far: ${done.join('; ')}; \`egpu recover ${bdf}\` undoes it.` : '';
    return { result: 'failed', detail: `${step.detail} failed: ${r.error.message}.${undo}` };
  }
  // A drive on the same tunnel stays connected: no plain "safe to unplug" then — the result
  // says the GPU is gone and repeats what the plan said about the drive.
  const unplug = plan.unplugWarnings ?? [];
  if (unplug.length > 0) {
    return {
      result: 'safe-to-unplug',
      detail: `${plan.name ?? bdf} is removed. ${unplug.join(' ')}`,
      unplugWarnings: unplug,
    };
  }
  // The result names the thing to pull, as macOS's "Disconnect" does: the person's next act.
  const what = plan.unplug ?? 'it';
  return {
    result: 'safe-to-unplug',
    detail: `${plan.name ?? bdf} is safe to unplug. Unplug ${what} now.`,
  };
}
