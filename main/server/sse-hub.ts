// Server-sent events for the pushes (snapshot:changed, action:progress): one stream per open
// window, a comment line every so often so idle proxies and the browser keep it, and a client that
// stops reading is dropped instead of buffering snapshots forever.

import type { ServerResponse } from 'node:http';
import type { PushMessage } from './ipc-dispatch.js';

export type SseHub = {
  /** Starts a stream on `res`; false when too many are open (the caller answers 503). */
  add(res: ServerResponse, first: readonly PushMessage[]): boolean;
  broadcast(message: PushMessage): void;
  closeAll(): void;
  readonly size: number;
};

export type SseHubOptions = {
  readonly maxClients?: number;
  readonly heartbeatMs?: number;
  /** Unsent bytes beyond which a client counts as stuck. */
  readonly maxBufferedBytes?: number;
};

/** One event in text/event-stream framing (WHATWG HTML §9.2). JSON never contains a raw newline. */
export const formatSseEvent = (message: PushMessage): string =>
  `event: ${message.channel}\ndata: ${JSON.stringify(message.payload)}\n\n`;

export function createSseHub(options: SseHubOptions = {}): SseHub {
  const maxClients = options.maxClients ?? 16;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const clients = new Set<ServerResponse>();

  const drop = (res: ServerResponse): void => {
    clients.delete(res);
    if (!res.writableEnded) res.end();
  };

  const send = (res: ServerResponse, text: string): void => {
    if (res.writableLength > maxBuffered) {
      drop(res);
      return;
    }
    res.write(text);
  };

  const heartbeat = setInterval(() => {
    for (const res of clients) send(res, ': ping\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    add(res, first) {
      if (clients.size >= maxClients) return false;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Content-Type-Options': 'nosniff',
      });
      clients.add(res);
      res.on('close', () => clients.delete(res));
      // How long EventSource waits before it reconnects after the stream drops.
      send(res, 'retry: 1000\n\n');
      for (const message of first) send(res, formatSseEvent(message));
      return true;
    },
    broadcast(message) {
      const text = formatSseEvent(message);
      for (const res of clients) send(res, text);
    },
    closeAll() {
      clearInterval(heartbeat);
      for (const res of [...clients]) drop(res);
    },
    get size() {
      return clients.size;
    },
  };
}
