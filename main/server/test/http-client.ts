// Raw HTTP requests for server tests: node:http, so Host, Origin and every other header can be
// set to what an attacker's browser or a local process would send (fetch forbids Host).

import * as http from 'node:http';

export type RawResponse = {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
};

export type RawRequest = {
  readonly port: number;
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
};

export function request(options: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${options.port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export type SseEvent = { readonly event: string; readonly data: unknown };

export type SseStream = {
  readonly status: number;
  /** Resolves with the next event matching `match` (events seen before are kept). */
  next(match?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
};

/** Opens an event stream and parses text/event-stream frames as they arrive. */
export function openEvents(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<SseStream>((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const events: SseEvent[] = [];
        const waiters: (() => void)[] = [];
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (event !== undefined && data !== undefined) {
              events.push({ event, data: JSON.parse(data) as unknown });
            }
          }
          for (const w of waiters.splice(0)) w();
        });
        resolve({
          status: res.statusCode ?? 0,
          next(match = () => true, timeoutMs = 5000) {
            return new Promise((done, fail) => {
              const timer = setTimeout(
                () => fail(new Error('no matching event in time')),
                timeoutMs,
              );
              const check = (): void => {
                const index = events.findIndex(match);
                if (index >= 0) {
                  clearTimeout(timer);
                  done(events.splice(index, 1)[0]!);
                } else waiters.push(check);
              };
              check();
            });
          },
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
  });
}
