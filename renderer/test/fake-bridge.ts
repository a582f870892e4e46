// A scripted BridgeApi for renderer tests: records every call, answers from overridable
// handlers, and lets the test push snapshots and action progress as the core would.

import { INVOKE_CHANNELS, type BridgeMethod } from '../../main/common/ipc/channels.js';
import type {
  ActionProgressMessage,
  BridgeApi,
  FocusRequest,
  IpcResult,
} from '../../main/common/ipc/contract.js';
import type { Snapshot } from '../../main/common/snapshot.js';
import { advice, appInfo, ejectPlan, recoverPlan, snapshot } from './fixtures.js';

type Method<M extends BridgeMethod> = BridgeApi[M];
type Handlers = { [M in BridgeMethod]: Method<M> };

export type FakeBridge = BridgeApi & {
  readonly calls: { method: BridgeMethod; input: unknown }[];
  /** Replaces one method's answer. */
  on<M extends BridgeMethod>(method: M, handler: Method<M>): void;
  pushSnapshot(s: Snapshot): void;
  pushProgress(m: ActionProgressMessage): void;
  pushFocus(f: FocusRequest): void;
  callsTo(method: BridgeMethod): unknown[];
  readonly listeners: { snapshot: number; progress: number; focus: number };
};

const ok = <T>(value: T): Promise<IpcResult<T>> => Promise.resolve({ ok: true, value });

export function createFakeBridge(
  options: { snapshot?: Snapshot; mode?: 'browser' | 'demo' | 'electron' } = {},
): FakeBridge {
  let current = options.snapshot ?? snapshot();
  const calls: { method: BridgeMethod; input: unknown }[] = [];
  const snapshotListeners = new Set<(s: Snapshot) => void>();
  const progressListeners = new Set<(m: ActionProgressMessage) => void>();
  const focusListeners = new Set<(f: FocusRequest) => void>();

  const handlers: Handlers = {
    getSnapshot: () => ok(current),
    refreshClients: () => ok({ clients: [], uninspectable: 0, vanished: 0, scanned: 1 }),
    planEject: () => ok(ejectPlan()),
    runEject: () => ok({ runId: 'run-1' }),
    planRecover: () => ok(recoverPlan()),
    runRecover: () => ok({ runId: 'run-2' }),
    cancelAction: () => ok(null),
    closeClient: () => ok(null),
    compositorAdvice: () => ok(advice()),
    runCompositorAction: () => ok({ message: 'gnome-session-quit --logout: done' }),
    appInfo: () => ok(appInfo(options.mode ?? 'browser')),
    demoAct: () => ok(null),
  };

  const methods = Object.fromEntries(
    (Object.keys(INVOKE_CHANNELS) as BridgeMethod[]).map((method) => [
      method,
      (input: unknown) => {
        calls.push({ method, input });
        return (handlers[method] as (i: unknown) => Promise<IpcResult<unknown>>)(input);
      },
    ]),
  ) as unknown as Handlers;

  return {
    ...methods,
    calls,
    on(method, handler) {
      (handlers as Record<BridgeMethod, unknown>)[method] = handler;
    },
    onSnapshot(listener) {
      snapshotListeners.add(listener);
      return () => snapshotListeners.delete(listener);
    },
    onActionProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
    pushSnapshot(s) {
      current = s;
      for (const l of [...snapshotListeners]) l(s);
    },
    pushProgress(m) {
      for (const l of [...progressListeners]) l(m);
    },
    onFocus(listener) {
      focusListeners.add(listener);
      return () => focusListeners.delete(listener);
    },
    pushFocus(f) {
      for (const l of [...focusListeners]) l(f);
    },
    callsTo: (method) => calls.filter((c) => c.method === method).map((c) => c.input),
    get listeners() {
      return {
        snapshot: snapshotListeners.size,
        progress: progressListeners.size,
        focus: focusListeners.size,
      };
    },
  };
}
