// Pushes to the status window: snapshot:changed and action:progress, typed by the contract, sent
// only to our window's webContents and only while it exists.

import type { WebContents } from 'electron';
import type { PushChannel } from '../../main/common/ipc/channels.js';
import type { PushPayloads } from '../../main/common/ipc/contract.js';

export type Pusher = <P extends PushChannel>(channel: P, payload: PushPayloads[P]) => void;

export function createPusher(
  target: () => Pick<WebContents, 'send' | 'isDestroyed'> | null,
): Pusher {
  return (channel, payload) => {
    const wc = target();
    if (wc === null || wc.isDestroyed()) return;
    wc.send(channel, payload);
  };
}
