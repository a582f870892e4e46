// The bridge in browser mode: the same BridgeApi the Electron preload exposes, carried over the
// loopback server (main/common/ipc/http-transport.ts): POST per call, one shared event stream for
// the pushes. The token goes in a header on both — the stream is read with fetch, because
// EventSource cannot set headers and the alternatives leak it (a cookie goes to every port on
// 127.0.0.1; a query string sits in the request's address). Failures come back as IpcResult
// errors, never as rejected promises.

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
} from '../../../main/common/ipc/http-transport.js';
import type { Snapshot } from '../../../main/common/snapshot.js';
import { createSseParser } from './sse-parser.js';

export type HttpBridgeOptions = {
  /** The page's origin, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly token: string;
  readonly fetch: typeof fetch;
  /** How long to wait before reopening a stream that dropped, unless the server said (1 s). */
  readonly retryMs?: number;
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
  /** The open stream's stopper; null while no one listens. */
  let stream: AbortController | null = null;

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

  const dispatch = (event: string, data: string): void => {
    if (event === PUSH_CHANNELS.snapshotChanged) deliver(snapshotListeners, data);
    else if (event === PUSH_CHANNELS.actionProgress) deliver(progressListeners, data);
  };

  /** Reads the stream until it ends, then reopens it after the retry time, like EventSource. */
  const follow = async (stop: AbortController): Promise<void> => {
    let retry = options.retryMs ?? 1000;
    while (!stop.signal.aborted) {
      let giveUp = false;
      try {
        const response = await options.fetch(new URL(HTTP_EVENTS_PATH, options.origin), {
          headers: { [HTTP_TOKEN_HEADER]: options.token, accept: 'text/event-stream' },
          cache: 'no-store',
          signal: stop.signal,
        });
        // Like EventSource: a refusal (wrong token, too many windows) is final.
        if (!response.ok || response.body === null) giveUp = true;
        else {
          const parser = createSseParser((e) => dispatch(e.event, e.data));
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const chunk = await reader.read();
            if (chunk.done) break;
            parser.push(chunk.value);
          }
          retry = parser.retryMs ?? retry;
        }
      } catch {
        // The server went away or the stream was stopped: try again below unless stopped.
      }
      if (giveUp || stop.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, retry));
    }
  };

  const open = (): void => {
    if (stream !== null) return;
    stream = new AbortController();
    void follow(stream);
  };

  const closeIfIdle = (): void => {
    if (snapshotListeners.size + progressListeners.size > 0 || stream === null) return;
    stream.abort();
    stream = null;
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
