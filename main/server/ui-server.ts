// Browser mode's HTTP server: the built renderer and the IPC contract on 127.0.0.1 only.
//   POST /api/<channel>   JSON body → IpcResult JSON       token in the X-Egpu-Token header
//   GET  /api/events      text/event-stream of the pushes   token in the X-Egpu-Token header
//                                                           (the page reads it with fetch)
//   GET  /, /assets/…     the renderer: public, no secret   —
// The token reaches the page only in the address's fragment (/#token=…), which browsers never
// send to any server nor put in a Referer (RFC 3986 §3.5, Fetch "referrer" strips it), and the
// page sends it back only in a header. No cookie: cookies are not per port (RFC 6265 §8.5) and
// SameSite counts every 127.0.0.1 port as the same site, so a cookie would go to whatever else
// listens on this machine's loopback — another user's server included. Every request must also
// pass the Host/Origin rules of request-guard.ts. Nothing answers with a stack trace: failures
// are IpcResult errors or a one-line text.

import * as http from 'node:http';
import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import type { IpcDispatcher } from './ipc-dispatch.js';
import { isInvokeChannel } from './ipc-dispatch.js';
import { HTTP_TOKEN_HEADER, HTTP_TOKEN_PARAM } from '../common/ipc/http-transport.js';
import { checkHostAndOrigin, routeOf, tokenMatches } from './request-guard.js';
import { createSseHub } from './sse-hub.js';
import type { StaticAssets } from './static-assets.js';

export type UiServerOptions = {
  readonly dispatcher: IpcDispatcher;
  readonly assets: StaticAssets;
  readonly token: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly heartbeatMs?: number;
  readonly maxEventClients?: number;
};

export type UiServer = {
  readonly port: number;
  /** The address to open, the token in its fragment. */
  readonly url: string;
  close(): Promise<void>;
};

/** The renderer's CSP again as a header, plus what a meta tag cannot say (frame-ancestors). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const HOST = '127.0.0.1';

function sendText(res: http.ServerResponse, status: number, text: string, extra = {}): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    ...extra,
  });
  res.end(text + '\n');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra = {}): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    ...extra,
  });
  res.end(JSON.stringify(body));
}

/** A header's value; a repeated header counts as absent rather than guessing which one wins. */
const headerOf = (req: http.IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const errorBody = (error: AppError) => ({
  ok: false,
  error: { code: error.code, message: error.message },
});

type Body = { ok: true; raw: unknown } | { ok: false; status: number; error: AppError };

/** The request body as JSON (empty → undefined), at most `max` bytes. */
function readJsonBody(req: http.IncomingMessage, max: number): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooBig) return;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      // Answer now and discard the rest; the response closes the connection.
      tooBig = true;
      chunks.length = 0;
      resolve({
        ok: false,
        status: 413,
        error: appError('invalid-input', `body over ${max} bytes`),
      });
    });
    req.on('error', () =>
      resolve({ ok: false, status: 400, error: appError('io', 'bad request') }),
    );
    req.on('end', () => {
      if (tooBig) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({ ok: true, raw: undefined });
      try {
        resolve({ ok: true, raw: JSON.parse(text) as unknown });
      } catch {
        resolve({ ok: false, status: 400, error: appError('invalid-input', 'body is not JSON') });
      }
    });
  });
}

export function startUiServer(options: UiServerOptions): Promise<Result<UiServer>> {
  const { dispatcher, assets, token } = options;
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const hub = createSseHub({
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    ...(options.maxEventClients === undefined ? {} : { maxClients: options.maxEventClients }),
  });
  const pushes = dispatcher.onPush((message) => hub.broadcast(message));
  let port = 0;

  const invoke = async (req: http.IncomingMessage, res: http.ServerResponse, channel: string) => {
    if (!tokenMatches(token, headerOf(req, HTTP_TOKEN_HEADER))) {
      return sendJson(res, 403, errorBody(appError('permission-denied', 'missing or wrong token')));
    }
    if (!isInvokeChannel(channel)) {
      return sendJson(res, 404, errorBody(appError('not-found', `no channel '${channel}'`)));
    }
    const body = await readJsonBody(req, maxBody);
    if (!body.ok) return sendJson(res, body.status, errorBody(body.error), { Connection: 'close' });
    const result = await dispatcher.invoke(channel, body.raw);
    const status = !result.ok && result.error.code === 'invalid-input' ? 400 : 200;
    sendJson(res, status, result);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let url: URL;
    let pathname: string;
    try {
      url = new URL(req.url ?? '/', `http://${HOST}`);
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return sendText(res, 400, 'bad request');
    }
    const method = req.method ?? 'GET';
    const guard = checkHostAndOrigin({
      host: req.headers.host,
      origin: req.headers.origin,
      secFetchSite: headerOf(req, 'sec-fetch-site'),
      topLevelNavigation:
        (method === 'GET' || method === 'HEAD') &&
        headerOf(req, 'sec-fetch-mode') === 'navigate' &&
        headerOf(req, 'sec-fetch-dest') === 'document',
      port,
    });
    if (!guard.ok) return sendText(res, 403, `forbidden: ${guard.reason}`);
    const route = routeOf(method, pathname);
    // A navigation from elsewhere (the --open file:// page) may load the window itself, which
    // holds no secret; the token in its fragment never reaches us.
    if (guard.crossSiteNavigation && !(route.kind === 'static' && route.path === 'index.html')) {
      return sendText(res, 403, 'forbidden: a cross-site request');
    }
    switch (route.kind) {
      case 'method-not-allowed':
        return sendText(res, 405, 'method not allowed', { Allow: route.allow });
      case 'invoke':
        return invoke(req, res, route.channel);
      case 'events': {
        // The header only: a token in the query would sit in the address of the request.
        if (!tokenMatches(token, headerOf(req, HTTP_TOKEN_HEADER)))
          return sendText(res, 403, 'forbidden: missing or wrong token');
        const first = [{ channel: 'snapshot:changed', payload: dispatcher.snapshot() } as const];
        if (!hub.add(res, first)) sendText(res, 503, 'too many open windows');
        return;
      }
      case 'static': {
        const asset = assets.get(route.path);
        if (asset === undefined) return sendText(res, 404, 'not found');
        res.writeHead(200, {
          ...COMMON_HEADERS,
          'Content-Type': asset.type,
          'Content-Length': String(asset.body.length),
          ...(asset.type.startsWith('text/html')
            ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY }
            : {}),
        });
        res.end(req.method === 'HEAD' ? undefined : asset.body);
        return;
      }
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  });

  return new Promise((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      pushes.dispose();
      hub.closeAll();
      const wanted = options.port ?? 0;
      if (e.code === 'EADDRINUSE')
        resolve(err(appError('busy', `port ${wanted} is already in use`)));
      else if (e.code === 'EACCES') {
        resolve(err(appError('permission-denied', `port ${wanted} needs privileges`)));
      } else resolve(err(appError('io', `cannot listen on ${HOST}:${wanted}: ${e.message}`)));
    });
    // Loopback only, never 0.0.0.0: the window controls hardware and is not for the network.
    server.listen({ host: HOST, port: options.port ?? 0, exclusive: true }, () => {
      const address = server.address();
      port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve(
        ok({
          port,
          url: `http://${HOST}:${port}/#${HTTP_TOKEN_PARAM}=${token}`,
          close: () =>
            new Promise<void>((done) => {
              pushes.dispose();
              hub.closeAll();
              server.close(() => done());
              server.closeAllConnections();
            }),
        }),
      );
    });
  });
}
