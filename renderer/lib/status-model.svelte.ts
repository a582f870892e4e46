// The live picture in the window: the latest Snapshot (replaced whole on every push, never
// mutated, hence $state.raw), the app info, and the last failed request.

import type { AppInfo, BridgeApi, InputOf, IpcError } from '../../main/common/ipc/contract.js';
import { gpuWords } from '../../main/common/gpu-words.js';
import type { GpuEntry, Incident, Snapshot } from '../../main/common/snapshot.js';

export type DemoAction = InputOf<'demo:act'>['action'];

/**
 * What changed for people between two pictures, in the shared vocabulary's words: "NVIDIA GeForce
 * RTX 3070: safe to unplug. Nothing uses it any more. Unplug the Razer Core X now." One sentence
 * per GPU whose words changed; empty when none did.
 */
export function stateChanges(before: Snapshot, after: Snapshot): string {
  const keyBefore = (bdf: string): string | undefined => {
    const g = before.gpus.find((x) => x.bdf === bdf);
    return g === undefined ? undefined : gpuWords(g).key;
  };
  return after.gpus
    .filter((g) => {
      const was = keyBefore(g.bdf);
      return was !== undefined && was !== gpuWords(g).key;
    })
    .map((g) => {
      const w = gpuWords(g);
      return `${g.name}: ${w.short}. ${w.explanation}`;
    })
    .join(' ');
}

const byExternalThenAddress = (a: GpuEntry, b: GpuEntry): number =>
  Number(b.external) - Number(a.external) || (a.bdf < b.bdf ? -1 : a.bdf > b.bdf ? 1 : 0);

export class StatusModel {
  snapshot = $state.raw<Snapshot | null>(null);
  appInfo = $state.raw<AppInfo | null>(null);
  /** The last failed request; shown as an alert until dismissed or replaced. */
  error = $state.raw<IpcError | null>(null);
  /**
   * A short confirmation of the last thing that worked ("Asked ollama to quit."). It goes when
   * what it speaks of is over: the app it names is gone, or a GPU's state changed.
   */
  message = $state<string | null>(null);
  /** The last GPU state change in words, for the polite live region (not shown). */
  announcement = $state('');
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
  /** The process the message is about, while it still holds a GPU. */
  #messagePid: number | null = null;

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
    const before = this.snapshot;
    if (before !== null && next.updatedAt < before.updatedAt) return;
    this.snapshot = next;
    if (before === null) return;
    const changes = stateChanges(before, next);
    if (changes !== '') this.announcement = changes;
    const pid = this.#messagePid;
    const appGone =
      pid !== null && !next.gpus.some((g) => g.clients?.some((c) => c.pid === pid) ?? false);
    if (changes !== '' || appGone) this.#clearMessage();
  }

  #clearMessage(): void {
    this.message = null;
    this.#messagePid = null;
  }

  report(error: IpcError): void {
    this.error = error;
    this.#clearMessage();
  }

  dismissError(): void {
    this.error = null;
  }

  /** `pid`: the process the message is about; the message goes when that process is gone. */
  say(message: string, pid: number | null = null): void {
    this.message = message;
    this.#messagePid = pid;
    this.error = null;
  }

  async refreshClients(): Promise<void> {
    const r = await this.#bridge.refreshClients(null);
    if (!r.ok) this.report(r.error);
  }

  async demo(action: DemoAction): Promise<void> {
    // A new simulated event makes the last confirmation ("Asked ollama to quit.") stale, and the
    // last refusal ("The enclosure is already plugged in.") too.
    this.#clearMessage();
    this.error = null;
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
