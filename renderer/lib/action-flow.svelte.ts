// One guided action (eject or recover) from the window: plan → the user agrees → run with
// per-step progress → a final result. The plan is always shown before anything runs; closing an
// app is only ever asked for, per app; force (SIGKILL) is a separate, explicit switch.

import type {
  ActionFinal,
  ActionPlan,
  PlanStep,
  StepProgress,
} from '../../main/common/actions-model.js';
import type { ActionProgressMessage, BridgeApi, IpcError } from '../../main/common/ipc/contract.js';
import type { RowStatus } from './labels.js';

export type FlowPhase = 'idle' | 'planning' | 'plan' | 'starting' | 'running' | 'done';

export type StepRow = {
  readonly key: string;
  readonly step: PlanStep['step'];
  readonly detail: string;
  readonly privileged: boolean;
  /** The privileged helper's verb and arguments, shown verbatim before the run. */
  readonly helper: readonly string[] | null;
  readonly status: RowStatus;
  /** What the step reported while running (may differ from the planned detail). */
  readonly note: string | null;
};

type Target = {
  readonly bdf: string | null;
  readonly name: string;
  /** unique_id of a new Thunderbolt device the user chose to authorize (pending-device notice). */
  readonly approve?: string;
  /**
   * "Use it again" after a safe eject: a recovery run, but nothing is wrong, so the dialog says
   * it as bringing the GPU back rather than as repairing it.
   */
  readonly reuse?: boolean;
};

/** The recover request for a target: only an explicit approval carries a unique_id. */
const recoverInput = (t: Target) =>
  t.approve === undefined ? { bdf: t.bdf } : { bdf: t.bdf, approve: t.approve };

/** Progress for a run whose id the window does not know yet (the push beat the reply). */
const EARLY_LIMIT = 64;

export const rowsFromPlan = (plan: ActionPlan): StepRow[] =>
  plan.steps.map((s, i) => ({
    key: `${i}-${s.step}`,
    step: s.step,
    detail: s.detail,
    privileged: s.privileged,
    helper: s.helper ?? null,
    status: 'pending',
    note: null,
  }));

/** Applies one progress report: the first row of that step that has not finished yet. */
export function applyProgress(rows: readonly StepRow[], p: StepProgress): StepRow[] {
  const open = (r: StepRow) =>
    r.step === p.step && (r.status === 'pending' || r.status === 'running');
  const running = rows.findIndex((r) => open(r) && r.status === 'running');
  const index = running >= 0 ? running : rows.findIndex(open);
  const note = p.detail === '' ? null : p.detail;
  if (index < 0) {
    const key = `${rows.length}-${p.step}`;
    const row: StepRow = {
      key,
      step: p.step,
      detail: p.detail,
      privileged: false,
      helper: null,
      status: p.status,
      note,
    };
    return [...rows, row];
  }
  return rows.map((r, i) => (i === index ? { ...r, status: p.status, note } : r));
}

export class ActionFlow {
  kind = $state<ActionPlan['action']>('eject');
  phase = $state<FlowPhase>('idle');
  target = $state.raw<Target | null>(null);
  plan = $state.raw<ActionPlan | null>(null);
  error = $state.raw<IpcError | null>(null);
  /** Processes the user agreed to close (SIGTERM). */
  closePids = $state.raw<readonly number[]>([]);
  /** SIGKILL what does not quit after SIGTERM; off unless the user turns it on. */
  force = $state(false);
  rows = $state.raw<readonly StepRow[]>([]);
  final = $state.raw<ActionFinal | null>(null);
  cancelRequested = $state(false);
  /** The dialog is showing; a running action keeps going while hidden. */
  visible = $state(false);

  /** Every blocker is either closable and agreed to, or there are none. */
  readonly canConfirm = $derived(
    this.phase === 'plan' &&
      this.plan !== null &&
      this.plan.steps.length > 0 &&
      this.plan.blockers.every(
        (b) => b.closable && b.pid !== undefined && this.closePids.includes(b.pid),
      ),
  );
  readonly busy = $derived(this.phase === 'starting' || this.phase === 'running');
  readonly doneCount = $derived(this.rows.filter((r) => r.status === 'done').length);

  readonly #bridge: BridgeApi;
  #runId: string | null = null;
  #early: ActionProgressMessage[] = [];

  constructor(bridge: BridgeApi) {
    this.#bridge = bridge;
  }

  /**
   * Listens for progress pushes, and for the tray's requests to open a plan (`nameOf` names the
   * GPU as its card does); returns the unsubscribe.
   */
  connect(nameOf: (bdf: string) => string | null = () => null): () => void {
    const offProgress = this.#bridge.onActionProgress((m) => this.#onProgress(m));
    const offFocus = this.#bridge.onFocus((f) => {
      const name =
        f.bdf === null ? 'Thunderbolt devices' : (nameOf(f.bdf) ?? `the GPU at ${f.bdf}`);
      void this.open(f.action, { bdf: f.bdf, name });
    });
    return () => {
      offProgress();
      offFocus();
    };
  }

  async open(kind: ActionPlan['action'], target: Target): Promise<void> {
    if (this.busy) {
      this.visible = true;
      return;
    }
    this.#resetTo(kind, target);
    this.phase = 'planning';
    this.visible = true;
    const r =
      kind === 'eject' && target.bdf !== null
        ? await this.#bridge.planEject({ bdf: target.bdf })
        : await this.#bridge.planRecover(recoverInput(target));
    if (this.phase !== 'planning' || this.target !== target) return;
    if (!r.ok) {
      this.error = r.error;
      this.phase = 'done';
      return;
    }
    this.plan = r.value;
    this.rows = rowsFromPlan(r.value);
    this.phase = 'plan';
  }

  agreeToClose(pid: number, agreed: boolean): void {
    const others = this.closePids.filter((p) => p !== pid);
    this.closePids = agreed ? [...others, pid] : others;
  }

  async confirm(): Promise<void> {
    if (!this.canConfirm || this.target === null) return;
    this.phase = 'starting';
    const bdf = this.target.bdf;
    const r =
      this.kind === 'eject' && bdf !== null
        ? await this.#bridge.runEject({ bdf, closePids: [...this.closePids], force: this.force })
        : await this.#bridge.runRecover(recoverInput(this.target));
    if (!r.ok) {
      this.error = r.error;
      this.phase = 'done';
      return;
    }
    this.#runId = r.value.runId;
    this.phase = 'running';
    this.visible = true;
    const early = this.#early.filter((m) => m.runId === r.value.runId);
    this.#early = [];
    for (const m of early) this.#onProgress(m);
  }

  /** Asks the run to stop before its next step. */
  async cancel(): Promise<void> {
    if (this.#runId === null || this.phase !== 'running') return;
    this.cancelRequested = true;
    const r = await this.#bridge.cancelAction({ runId: this.#runId });
    if (!r.ok && this.phase === 'running') this.error = r.error;
  }

  /** Hides the dialog; an action that is still running goes on (and shows again at its end). */
  close(): void {
    if (this.busy) {
      this.visible = false;
      return;
    }
    this.#resetTo(this.kind, null);
  }

  #onProgress(m: ActionProgressMessage): void {
    if (this.#runId === null) {
      if (this.phase === 'starting') this.#early = [...this.#early, m].slice(-EARLY_LIMIT);
      return;
    }
    if (m.runId !== this.#runId) return;
    if (m.progress !== undefined) this.rows = applyProgress(this.rows, m.progress);
    if (m.final !== undefined) {
      this.final = m.final;
      this.phase = 'done';
      this.#runId = null;
      // The result matters (safe to unplug, or what failed): show it even if hidden.
      this.visible = true;
    }
  }

  #resetTo(kind: ActionPlan['action'], target: Target | null): void {
    this.kind = kind;
    this.target = target;
    this.phase = 'idle';
    this.plan = null;
    this.error = null;
    this.closePids = [];
    this.force = false;
    this.rows = [];
    this.final = null;
    this.cancelRequested = false;
    this.visible = target !== null;
    this.#runId = null;
    this.#early = [];
  }
}
