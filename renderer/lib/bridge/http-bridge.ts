// The bridge in browser mode: the same BridgeApi the Electron preload exposes, carried over the
// loopback server (main/common/ipc/http-transport.ts): POST per call, one shared EventSource for
// the pushes. Failures come back as IpcResult errors, never as rejected promises.

import { INVOKE_CHANNELS, PUSH_CHANNELS } from '../../../main/common/ipc/channels.js';
import type {
  ActionProgressMessage,
  BridgeApi,
  IpcResult,
} from '../../../main/common/ipc/contract.js';
import {
  HTTP_API_PREFIX,
  HTTP_EVENTS_PATH,
  HTTP_TOKEN_HEADER,
  HTTP_TOKEN_PARAM,
} from '../../../main/common/ipc/http-transport.js';
import type { Snapshot } from '../../../main/common/state-model.js';

export type HttpBridgeOptions = {
  /** The page's origin, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly token: string;
  readonly fetch: typeof fetch;
  readonly EventSource: typeof EventSource;
};

const isIpcResult = (body: unknown): body is IpcResult<unknown> =>
  typeof body === 'object' &&
  body !== null &&
  'ok' in body &&
  (body.ok === true ? 'value' in body : 'error' in body);

const unreachable = (message: string): IpcResult<never> => ({
  ok: false,
  error: { code: 'io', message },
});

export function createHttpBridge(options: HttpBridgeOptions): BridgeApi {
  const invoke = async (channel: string, input: unknown): Promise<IpcResult<unknown>> => {
    let response: Response;
    try {
      response = await options.fetch(new URL(HTTP_API_PREFIX + channel, options.origin), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [HTTP_TOKEN_HEADER]: options.token },
        body: JSON.stringify(input ?? null),
        cache: 'no-store',
      });
    } catch {
      return unreachable('eGPU Guard is not reachable. Is `egpu ui` still running?');
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (isIpcResult(body)) return body;
    return unreachable(`eGPU Guard answered with HTTP ${response.status}.`);
  };

  const snapshotListeners = new Set<(s: Snapshot) => void>();
  const progressListeners = new Set<(m: ActionProgressMessage) => void>();
  let source: EventSource | null = null;

  const deliver = <T>(listeners: ReadonlySet<(v: T) => void>, data: unknown): void => {
    if (typeof data !== 'string') return;
    let value: T;
    try {
      value = JSON.parse(data) as T;
    } catch {
      return;
    }
    // One failing listener must not starve the others.
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  };

  const open = (): void => {
    if (source !== null) return;
    const url = new URL(HTTP_EVENTS_PATH, options.origin);
    url.searchParams.set(HTTP_TOKEN_PARAM, options.token);
    source = new options.EventSource(url.href);
    source.addEventListener(PUSH_CHANNELS.snapshotChanged, (e) =>
      deliver(snapshotListeners, e.data),
    );
    source.addEventListener(PUSH_CHANNELS.actionProgress, (e) =>
      deliver(progressListeners, e.data),
    );
  };

  const closeIfIdle = (): void => {
    if (snapshotListeners.size + progressListeners.size > 0 || source === null) return;
    source.close();
    source = null;
  };

  const subscribe = <T>(listeners: Set<(v: T) => void>, listener: (v: T) => void) => {
    listeners.add(listener);
    open();
    return () => {
      listeners.delete(listener);
      closeIfIdle();
    };
  };

  const methods = Object.fromEntries(
    Object.entries(INVOKE_CHANNELS).map(([method, channel]) => [
      method,
      (input: unknown) => invoke(channel, input),
    ]),
  );

  return {
    ...(methods as Omit<BridgeApi, 'onSnapshot' | 'onActionProgress' | 'onFocus'>),
    onSnapshot: (listener) => subscribe(snapshotListeners, listener),
    onActionProgress: (listener) => subscribe(progressListeners, listener),
    // Focus requests come from the tray and notifications: browser mode has neither.
    onFocus: () => () => undefined,
  };
}
