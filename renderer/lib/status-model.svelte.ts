// The live picture in the window: the latest Snapshot (replaced whole on every push, never
// mutated, hence $state.raw), the app info, and the last failed request.

import type { AppInfo, BridgeApi, InputOf, IpcError } from '../../main/common/ipc/contract.js';
import type { GpuEntry, Incident, Snapshot } from '../../main/common/state-model.js';

export type DemoAction = InputOf<'demo:act'>['action'];

const byExternalThenAddress = (a: GpuEntry, b: GpuEntry): number =>
  Number(b.external) - Number(a.external) || (a.bdf < b.bdf ? -1 : a.bdf > b.bdf ? 1 : 0);

export class StatusModel {
  snapshot = $state.raw<Snapshot | null>(null);
  appInfo = $state.raw<AppInfo | null>(null);
  /** The last failed request; shown as an alert until dismissed or replaced. */
  error = $state.raw<IpcError | null>(null);
  /** A short confirmation of the last thing that worked ("Asked ollama to quit."). */
  message = $state<string | null>(null);
  demoBusy = $state(false);

  /** External GPUs first: they are what this app is about. */
  readonly gpus: readonly GpuEntry[] = $derived(
    [...(this.snapshot?.gpus ?? [])].sort(byExternalThenAddress),
  );
  /** Newest first. */
  readonly incidents: readonly Incident[] = $derived(
    [...(this.snapshot?.incidents ?? [])].sort((a, b) => b.updatedAt - a.updatedAt),
  );
  readonly isDemo = $derived(this.appInfo?.mode === 'demo');

  readonly #bridge: BridgeApi;

  constructor(bridge: BridgeApi) {
    this.#bridge = bridge;
  }

  /** Subscribes to pushes and loads the first picture; returns the unsubscribe. */
  connect(): () => void {
    const off = this.#bridge.onSnapshot((s) => this.accept(s));
    void this.#load();
    return off;
  }

  /** Takes a snapshot unless a newer one is already shown (a slow reply after a push). */
  accept(next: Snapshot): void {
    if (this.snapshot !== null && next.updatedAt < this.snapshot.updatedAt) return;
    this.snapshot = next;
  }

  report(error: IpcError): void {
    this.error = error;
    this.message = null;
  }

  dismissError(): void {
    this.error = null;
  }

  say(message: string): void {
    this.message = message;
    this.error = null;
  }

  async refreshClients(): Promise<void> {
    const r = await this.#bridge.refreshClients(null);
    if (!r.ok) this.report(r.error);
  }

  async demo(action: DemoAction): Promise<void> {
    // A new simulated event makes the last confirmation ("Asked ollama to quit.") stale.
    this.message = null;
    this.demoBusy = true;
    try {
      const r = await this.#bridge.demoAct({ action });
      if (!r.ok) this.report(r.error);
    } finally {
      this.demoBusy = false;
    }
  }

  async #load(): Promise<void> {
    const [info, snapshot] = await Promise.all([
      this.#bridge.appInfo(null),
      this.#bridge.getSnapshot(null),
    ]);
    if (info.ok) this.appInfo = info.value;
    if (snapshot.ok) this.accept(snapshot.value);
    const failed = !info.ok ? info.error : !snapshot.ok ? snapshot.error : null;
    if (failed !== null) this.report(failed);
  }
}
