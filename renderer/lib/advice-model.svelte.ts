// Compositor advice (what to restart or configure for this session), loaded when asked for:
// the core inspects the session, which need not happen on every window open.

import type { CompositorAdvice } from '../../main/common/actions-model.js';
import type { BridgeApi, IpcError } from '../../main/common/ipc/contract.js';

export class AdviceModel {
  advice = $state.raw<CompositorAdvice | null>(null);
  loading = $state(false);
  error = $state.raw<IpcError | null>(null);
  /** The action running now (its id), and what the last one did. */
  running = $state<string | null>(null);
  outcome = $state.raw<{ readonly id: string; readonly ok: boolean; readonly text: string } | null>(
    null,
  );

  readonly #bridge: BridgeApi;

  constructor(bridge: BridgeApi) {
    this.#bridge = bridge;
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    const r = await this.#bridge.compositorAdvice(null);
    this.loading = false;
    if (r.ok) this.advice = r.value;
    else this.error = r.error;
  }

  /**
   * The GPUs changed (one came or went, or who uses it): advice already on screen is read again,
   * so it never says "no external GPU is attached" beside a card that shows one.
   */
  refresh(): void {
    if (this.advice !== null && !this.loading && this.running === null) void this.load();
  }

  /** Runs an action the user chose; `confirmed`: they ticked its warning (apps will close). */
  async run(id: string, confirmed: boolean): Promise<void> {
    if (this.running !== null) return;
    this.running = id;
    this.outcome = null;
    const r = await this.#bridge.runCompositorAction({ id, confirmed });
    this.running = null;
    this.outcome = r.ok
      ? { id, ok: true, text: r.value.message }
      : { id, ok: false, text: r.error.message };
  }
}
