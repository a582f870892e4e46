// Who may talk to the browser-mode server. It listens on 127.0.0.1 only, but any local process and
// any web page the user opens can reach a loopback port, so every request must also:
// - name our host in Host (127.0.0.1:PORT or localhost:PORT): a DNS-rebinding page reaches us
//   under its own name and sends that (the check webpack-dev-server's allowedHosts and Jupyter
//   make for the same reason);
// - carry no foreign Origin (fetch/EventSource from another site always sends one);
// - present the random per-run token in the X-Egpu-Token header (the API and the event stream;
//   the renderer's files are public and hold no secret).

import { timingSafeEqual } from 'node:crypto';
import { HTTP_API_PREFIX, HTTP_EVENTS_PATH } from '../common/ipc/http-transport.js';

export type GuardVerdict =
  | {
      readonly ok: true;
      /**
       * A top-level navigation from another site (or a file:// page): allowed only to load the
       * window itself — `egpu ui --open` goes through a private file:// page that forwards there
       * (platform/open-redirect.ts), the token in the fragment. Nothing else may be cross-site.
       */
      readonly crossSiteNavigation: boolean;
    }
  | { readonly ok: false; readonly reason: string };

const allowedHosts = (port: number): readonly string[] => [
  `127.0.0.1:${port}`,
  `localhost:${port}`,
];

/** Host and Origin rules (DNS rebinding and cross-site requests). */
export function checkHostAndOrigin(request: {
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  /** GET or HEAD with Sec-Fetch-Mode navigate and Sec-Fetch-Dest document. */
  readonly topLevelNavigation?: boolean;
  readonly port: number;
}): GuardVerdict {
  const hosts = allowedHosts(request.port);
  const host = request.host?.toLowerCase();
  if (host === undefined || !hosts.includes(host)) {
    return { ok: false, reason: `Host ${request.host ?? '(none)'} is not this server` };
  }
  if (request.origin !== undefined) {
    const origins = hosts.map((h) => `http://${h}`);
    if (!origins.includes(request.origin.toLowerCase())) {
      return { ok: false, reason: `Origin ${request.origin} is not this server` };
    }
  }
  // Fetch metadata (sent by every current browser): only our own pages and direct navigation —
  // and a top-level navigation from elsewhere, which the caller limits to the tokened window.
  if (
    request.secFetchSite !== undefined &&
    !['same-origin', 'none'].includes(request.secFetchSite)
  ) {
    if (request.topLevelNavigation === true) return { ok: true, crossSiteNavigation: true };
    return { ok: false, reason: `Sec-Fetch-Site ${request.secFetchSite}` };
  }
  return { ok: true, crossSiteNavigation: false };
}

/** Constant-time comparison, so response timing does not leak how much of a guess was right. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export type Route =
  | { readonly kind: 'invoke'; readonly channel: string }
  | { readonly kind: 'events' }
  | { readonly kind: 'static'; readonly path: string }
  | { readonly kind: 'method-not-allowed'; readonly allow: string };

/** Maps method and path to what the server does; the path is already URL-decoded. */
export function routeOf(method: string, pathname: string): Route {
  if (pathname === HTTP_EVENTS_PATH) {
    return method === 'GET' ? { kind: 'events' } : { kind: 'method-not-allowed', allow: 'GET' };
  }
  if (pathname.startsWith(HTTP_API_PREFIX)) {
    return method === 'POST'
      ? { kind: 'invoke', channel: pathname.slice(HTTP_API_PREFIX.length) }
      : { kind: 'method-not-allowed', allow: 'POST' };
  }
  if (method !== 'GET' && method !== 'HEAD')
    return { kind: 'method-not-allowed', allow: 'GET, HEAD' };
  return { kind: 'static', path: pathname === '/' ? 'index.html' : pathname.slice(1) };
}
