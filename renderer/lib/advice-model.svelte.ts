// Compositor advice (what to restart or configure for this session), loaded when asked for:
// the core inspects the session, which need not happen on every window open.

import type { CompositorAdvice } from '../../main/common/actions-model.js';
import type { BridgeApi, IpcError } from '../../main/common/ipc/contract.js';

export class AdviceModel {
  advice = $state.raw<CompositorAdvice | null>(null);
  loading = $state(false);
  error = $state.raw<IpcError | null>(null);

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
}
