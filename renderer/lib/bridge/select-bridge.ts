// Picks the transport, once, in one place: the Electron preload's `window.egpu` when it exists,
// else the HTTP bridge to the browser-mode server when the page came from it with a token in the
// address's fragment (`#token=…`: browsers never send a fragment to a server). Components never
// know which one they talk to.

import type { BridgeApi } from '../../../main/common/ipc/contract.js';
import { HTTP_TOKEN_PARAM } from '../../../main/common/ipc/http-transport.js';
import { createHttpBridge } from './http-bridge.js';

export type BridgeChoice =
  | { readonly kind: 'electron' | 'http'; readonly bridge: BridgeApi }
  | { readonly kind: 'none'; readonly reason: string };

/** What of `window` the choice needs (a plain object in tests). */
export type BridgeHost = {
  readonly egpu?: BridgeApi | undefined;
  readonly location: Pick<Location, 'protocol' | 'origin' | 'hash'>;
  readonly fetch: typeof fetch;
};

export function selectBridge(host: BridgeHost): BridgeChoice {
  if (host.egpu !== undefined) return { kind: 'electron', bridge: host.egpu };
  const { protocol, origin, hash } = host.location;
  const token = new URLSearchParams(hash.replace(/^#/, '')).get(HTTP_TOKEN_PARAM);
  if ((protocol === 'http:' || protocol === 'https:') && token !== null && token !== '') {
    const bridge = createHttpBridge({
      origin,
      token,
      fetch: host.fetch.bind(host),
    });
    return { kind: 'http', bridge };
  }
  return {
    kind: 'none',
    reason:
      'This window has no connection to eGPU Guard. Open it from the tray icon, or run `egpu ui` and open the address it prints.',
  };
}
