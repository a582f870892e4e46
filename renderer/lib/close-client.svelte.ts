// Closing one app that holds a GPU, from its "Close" button: always confirmed first; SIGTERM by
// default, SIGKILL ("Force quit") only when the user picks it explicitly.

import type { ClientInfo } from '../../main/common/clients-model.js';
import type { BridgeApi, IpcError } from '../../main/common/ipc/contract.js';

export class CloseClientFlow {
  /** The app being asked about; null when no confirmation is open. */
  target = $state.raw<ClientInfo | null>(null);
  gpuName = $state<string>('');
  busy = $state(false);
  error = $state.raw<IpcError | null>(null);

  readonly #bridge: BridgeApi;
  readonly #onDone: (message: string, pid: number) => void;

  /** `onDone` gets the confirmation and the pid it is about (it goes when that app is gone). */
  constructor(bridge: BridgeApi, onDone: (message: string, pid: number) => void) {
    this.#bridge = bridge;
    this.#onDone = onDone;
  }

  ask(client: ClientInfo, gpuName: string): void {
    this.target = client;
    this.gpuName = gpuName;
    this.error = null;
    this.busy = false;
  }

  cancel(): void {
    if (!this.busy) this.target = null;
  }

  async confirm(force: boolean): Promise<void> {
    const target = this.target;
    if (target === null || this.busy) return;
    this.busy = true;
    this.error = null;
    const r = await this.#bridge.closeClient({ pid: target.pid, force });
    this.busy = false;
    if (!r.ok) {
      this.error = r.error;
      return;
    }
    this.target = null;
    this.#onDone(
      force
        ? `${target.comm} (pid ${target.pid}) was force-quit.`
        : `Asked ${target.comm} (pid ${target.pid}) to quit.`,
      target.pid,
    );
  }
}
