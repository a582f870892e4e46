// The bridge the renderer sees as `window.egpu`: one named method per contract channel, three push
// subscriptions, nothing else. ipcRenderer itself never crosses: listeners get the payload
// without the IpcRendererEvent (whose `sender` is ipcRenderer; Electron ipc.md), and every call
// resolves with an IpcResult even when the main process has no handler yet.
// Imports only channels.ts at runtime: the sandboxed preload can require nothing but 'electron'.

import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  INVOKE_CHANNELS,
  PUSH_CHANNELS,
  type BridgeMethod,
} from '../../main/common/ipc/channels.js';
import type { BridgeApi, IpcResult } from '../../main/common/ipc/contract.js';

/** The part of ipcRenderer the bridge uses (the real one, or a fake in tests). */
export type IpcRendererLike = {
  invoke: IpcRenderer['invoke'];
  on(channel: string, listener: (event: IpcRendererEvent, payload: unknown) => void): unknown;
  removeListener(
    channel: string,
    listener: (event: IpcRendererEvent, payload: unknown) => void,
  ): unknown;
};

const unreachable = (channel: string): IpcResult<never> => ({
  ok: false,
  error: { code: 'internal', message: `eGPU Guard's main process did not answer (${channel}).` },
});

function subscribe<T>(
  ipc: IpcRendererLike,
  channel: string,
  listener: (payload: T) => void,
): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: unknown): void => {
    try {
      // Typed by the contract: the main process sends PushPayloads[channel] on this channel.
      listener(payload as T);
    } catch {
      // A throwing listener must not break the other listeners or the preload.
    }
  };
  ipc.on(channel, wrapped);
  return () => {
    ipc.removeListener(channel, wrapped);
  };
}

export function createBridge(ipc: IpcRendererLike): BridgeApi {
  const methods = Object.fromEntries(
    (Object.keys(INVOKE_CHANNELS) as BridgeMethod[]).map((method) => {
      const channel = INVOKE_CHANNELS[method];
      const call = (input: unknown): Promise<unknown> =>
        ipc.invoke(channel, input).catch(() => unreachable(channel));
      return [method, call];
    }),
  ) as Omit<BridgeApi, 'onSnapshot' | 'onActionProgress' | 'onFocus'>;
  return Object.freeze({
    ...methods,
    onSnapshot: (listener) => subscribe(ipc, PUSH_CHANNELS.snapshotChanged, listener),
    onActionProgress: (listener) => subscribe(ipc, PUSH_CHANNELS.actionProgress, listener),
    onFocus: (listener) => subscribe(ipc, PUSH_CHANNELS.focus, listener),
  } satisfies BridgeApi);
}
