// The browser-mode token stays with the window in a real Chromium: a page served from another
// port on 127.0.0.1 — what another local user can run — gets the token neither in a cookie (cookies
// are not per port, and SameSite counts every 127.0.0.1 port as one site) nor in a Referer or an
// address, cannot read it out of the window, and cannot call an IPC endpoint.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './test/browser.js';
import { ensureRendererBuilt } from './test/renderer-build.js';
import { startUiProcess } from './test/ui-process.js';

const NAME = 'NVIDIA GeForce RTX 3070';

let browser: Browser;

beforeAll(async () => {
  await ensureRendererBuilt();
  browser = await launchChromium();
}, 120_000);

afterAll(() => browser?.close());

/** What the other local server saw, and what its page could find out. */
type Seen = { requests: { url: string; headers: http.IncomingHttpHeaders }[]; report: unknown };

/** The other user's server: logs every request; its page probes the window's port. */
async function otherServer(
  target: string,
): Promise<{ origin: string; seen: Seen; reported: Promise<void>; close(): void }> {
  const seen: Seen = { requests: [], report: null };
  let reported: () => void = () => undefined;
  const page = `<!doctype html><title>other</title><script>
    (async () => {
      const target = ${JSON.stringify(target)};
      const out = { cookie: document.cookie };
      const attempt = async (name, init, path) => {
        try {
          const r = await fetch(target + path, init);
          out[name] = r.type === 'opaque' ? 'opaque' : r.status + ' ' + (await r.text());
        } catch (e) { out[name] = 'error ' + e.name; }
      };
      // A simple request (no preflight), with whatever cookies the browser would add.
      await attempt('run', { method: 'POST', credentials: 'include', body: '{"bdf":"0000:0a:00.0","closePids":[],"force":false}' }, '/api/eject:run');
      await attempt('runNoCors', { method: 'POST', mode: 'no-cors', credentials: 'include', body: 'null' }, '/api/snapshot:get');
      await attempt('events', { credentials: 'include' }, '/api/events');
      // The window's own address (fragment included) from another origin: not readable.
      const w = window.open(target + '/', 'egpu');
      await new Promise((r) => setTimeout(r, 500));
      try { out.hash = String(w.location.hash); } catch (e) { out.hash = 'error ' + e.name; }
      await fetch('/report', { method: 'POST', body: JSON.stringify(out) });
    })();
  </script>`;
  const server = http.createServer((req, res) => {
    seen.requests.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/report') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.report = JSON.parse(body) as unknown;
        res.end('ok');
        reported();
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    reported: new Promise<void>((r) => (reported = r)),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe.runIf(hasChromium())('browser mode token in Chromium', () => {
  it('a page on another 127.0.0.1 port cannot obtain the token or call an IPC endpoint', async () => {
    // The product itself: `egpu ui --demo`, the real core on the simulated machine.
    const ui = await startUiProcess(['--demo']);
    const other = await otherServer(ui.origin);
    const context = await browser.newContext();
    try {
      // The user opens the window as `egpu ui` printed it; it works (calls and the event stream).
      const window = await context.newPage();
      const api: { url: string; token: string | undefined }[] = [];
      window.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/api/'))
          api.push({ url: r.url(), token: r.headers()['x-egpu-token'] });
      });
      await window.goto(ui.url);
      await window.getByRole('heading', { name: NAME }).waitFor();
      expect(api.map((a) => new URL(a.url).pathname)).toContain('/api/events');
      for (const a of api)
        expect(a).toEqual({ url: expect.not.stringContaining(ui.token), token: ui.token });
      expect(await context.cookies()).toEqual([]);

      // Then, in the same browser, a page from another local port.
      const probe = await context.newPage();
      await probe.goto(`${other.origin}/`);
      await other.reported;
      const report = other.seen.report as Record<string, string>;
      expect(report['cookie']).toBe('');
      expect(report['run']).toMatch(/^(403 |error )/);
      expect(report['run']).not.toMatch(/runId/);
      // Sent blind at most (an opaque answer): the server refuses a foreign Origin without a token.
      expect(report['runNoCors']).toMatch(/^(opaque|error )/);
      expect(report['events']).toMatch(/^(403 |error )/);
      expect(report['hash']).toMatch(/^error /);
      // Nothing the other server received carries the token: no cookie, no Referer, no address.
      for (const r of other.seen.requests) expect(JSON.stringify(r)).not.toContain(ui.token);
      expect(ui.stderr()).not.toMatch(/internal error/);
    } finally {
      await context.close();
      other.close();
      await ui.stop();
    }
  }, 60_000);
});
