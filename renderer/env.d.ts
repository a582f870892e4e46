// Globals the renderer sees: `window.egpu` exists only inside Electron (the sandboxed preload
// exposes it); in browser mode lib/bridge/select-bridge.ts builds the HTTP bridge instead.
/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { BridgeApi } from '../main/common/ipc/contract.js';

declare global {
  interface Window {
    egpu?: BridgeApi;
  }
}

export {};
