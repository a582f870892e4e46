// IPC channel names and the bridge's method names: the one list the preload, the Electron
// handlers, the browser-mode server and the renderer all use. No imports on purpose (the
// sandboxed preload bundles this file alone).

export const INVOKE_CHANNELS = {
  getSnapshot: 'snapshot:get',
  refreshClients: 'clients:refresh',
  planEject: 'eject:plan',
  runEject: 'eject:run',
  planRecover: 'recover:plan',
  runRecover: 'recover:run',
  cancelAction: 'action:cancel',
  closeClient: 'client:close',
  compositorAdvice: 'compositor:advice',
  runCompositorAction: 'compositor:run',
  appInfo: 'app:info',
  demoAct: 'demo:act',
} as const;

export const PUSH_CHANNELS = {
  snapshotChanged: 'snapshot:changed',
  actionProgress: 'action:progress',
  focus: 'ui:focus',
} as const;

export type BridgeMethod = keyof typeof INVOKE_CHANNELS;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[BridgeMethod];
export type PushChannel = (typeof PUSH_CHANNELS)[keyof typeof PUSH_CHANNELS];
