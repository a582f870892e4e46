// The browser-mode server over real HTTP on 127.0.0.1: who gets in (token, Host, Origin), what a
// bad request gets back (an IpcResult error, never a stack), and pushes over SSE.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeCore, type FakeCore } from '../core/test/fake-core.js';
import { createIpcDispatcher } from './ipc-dispatch.js';
import { staticAssetsFrom } from './static-assets.js';
import { openEvents, request, type RawResponse } from './test/http-client.js';
import { startUiServer, type UiServer } from './ui-server.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const ASSETS = staticAssetsFrom(
  new Map([
    ['index.html', Buffer.from('<!doctype html><title>eGPU Guard</title>')],
    ['assets/app.js', Buffer.from('console.log(1)')],
  ]),
);

let core: FakeCore;
let server: UiServer;
let port: number;

/** The demo's scripted core; `withDemo` false serves it as browser mode does (no demo:act). */
async function start(withDemo = true): Promise<void> {
  core = createFakeCore({ stepMs: 5 });
  const dispatcher = createIpcDispatcher({
    core,
    demo: withDemo ? core : null,
    appInfo: {
      mode: withDemo ? 'demo' : 'browser',
      version: '0',
      trayHost: null,
      notice: null,
    },
  });
  const r = await startUiServer({ dispatcher, assets: ASSETS, token: TOKEN });
  if (!r.ok) throw new Error(r.error.message);
  server = r.value;
  port = server.port;
}

const invoke = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  request({
    port,
    method: 'POST',
    path: `/api/${channel}`,
    headers: { 'content-type': 'application/json', 'x-egpu-token': TOKEN, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const json = (r: RawResponse): unknown => JSON.parse(r.body);

/** No response, whatever went wrong, may carry a stack trace. */
const noStack = (r: RawResponse) => expect(r.body).not.toMatch(/\n\s+at |\.ts:\d+|node:internal/);

beforeEach(() => start());
afterEach(() => server.close());

describe('ui server: who gets in', () => {
  it('listens on 127.0.0.1 and prints a URL with the token in its fragment only', () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/#token=${TOKEN}`);
  });

  it('API calls without the right token get 403', async () => {
    const missing = await invoke('snapshot:get', null, { 'x-egpu-token': '' });
    expect(missing.status).toBe(403);
    expect(json(missing)).toEqual({
      ok: false,
      error: { code: 'permission-denied', message: 'missing or wrong token' },
    });
    expect(
      (await invoke('snapshot:get', null, { 'x-egpu-token': TOKEN.replace('0', '1') })).status,
    ).toBe(403);
    // Unknown channels are no way around it either.
    expect((await invoke('nope', null, { 'x-egpu-token': 'x' })).status).toBe(403);
    // The token in the query is for the event stream only, not for calls.
    const viaQuery = await request({
      port,
      method: 'POST',
      path: `/api/snapshot:get?token=${TOKEN}`,
    });
    expect(viaQuery.status).toBe(403);
  });

  it('static files are public, set no cookie, and never take the token from the query', async () => {
    const page = await request({ port, path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(
      /default-src 'none'.*frame-ancestors 'none'/,
    );
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await request({ port, path: '/assets/app.js' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // Cookies are not per port: nothing may ever carry the token in one.
    for (const r of [page, asset, await request({ port, path: `/?token=${TOKEN}` })])
      expect(r.headers['set-cookie']).toBeUndefined();
    // An old-style cookie or query token opens nothing.
    const byCookie = await request({
      port,
      method: 'POST',
      path: '/api/snapshot:get',
      headers: { cookie: `egpu-token=${TOKEN}` },
    });
    expect(byCookie.status).toBe(403);
    expect((await request({ port, path: `/api/events?token=${TOKEN}` })).status).toBe(403);
  });

  it('only names in the bundle exist: traversal and unknown paths are 404', async () => {
    for (const path of [
      '/../package.json',
      '/assets/../../etc/passwd',
      '/%2e%2e/x',
      '/nope.html',
    ]) {
      const r = await request({ port, path: `${path}?token=${TOKEN}` });
      expect([path, r.status]).toEqual([path, 404]);
    }
  });

  it('a wrong Host header gets 403 even with the token (DNS rebinding)', async () => {
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      `[::1]:${port}`,
    ]) {
      const r = await invoke('snapshot:get', null, { host });
      expect([host, r.status]).toEqual([host, 403]);
      noStack(r);
    }
    expect((await invoke('snapshot:get', null, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('a foreign Origin gets 403; our own is fine', async () => {
    const foreign = await invoke('snapshot:get', null, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const sibling = await invoke('snapshot:get', null, { origin: `http://127.0.0.1:${port + 1}` });
    expect(sibling.status).toBe(403);
    const crossSite = await invoke('snapshot:get', null, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const own = await invoke('snapshot:get', null, {
      origin: `http://127.0.0.1:${port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
  });

  it('a navigation from another site (the --open file:// page) loads only the window', async () => {
    const nav = {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    };
    // The fragment with the token stays in the browser; the server sees a plain "/".
    expect((await request({ port, path: '/', headers: nav })).status).toBe(200);
    for (const path of ['/assets/app.js', '/api/events']) {
      const r = await request({ port, path, headers: { ...nav, 'x-egpu-token': TOKEN } });
      expect([path, r.status]).toEqual([path, 403]);
    }
    // Not a navigation (an image, a script, a fetch) — refused as before.
    const sub = await request({
      port,
      path: '/',
      headers: { ...nav, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
    });
    expect(sub.status).toBe(403);
    const post = await request({
      port,
      method: 'POST',
      path: '/api/snapshot:get',
      headers: { ...nav, 'x-egpu-token': TOKEN },
    });
    expect(post.status).toBe(403);
  });
});

describe('ui server: the IPC contract', () => {
  it('answers calls with IpcResult JSON', async () => {
    const r = await invoke('snapshot:get', null);
    expect(r.status).toBe(200);
    const body = json(r) as { ok: boolean; value: { gpus: { name: string }[] } };
    expect(body.ok).toBe(true);
    expect(body.value.gpus.map((g) => g.name)).toContain('NVIDIA GeForce RTX 3070');
    expect(json(await invoke('app:info', undefined))).toMatchObject({
      ok: true,
      value: { mode: 'demo' },
    });
  });

  it('a bad payload is invalid-input, never a 500 or a stack', async () => {
    const cases: [string, string][] = [
      ['eject:plan', JSON.stringify({ bdf: '../../../sys/bus/pci/rescan' })],
      ['eject:plan', JSON.stringify({ bdf: '0000:0a:00.0', extra: 1 })],
      ['eject:run', JSON.stringify({ bdf: '0000:0a:00.0', closePids: [-1], force: false })],
      ['client:close', JSON.stringify({ pid: '1; rm -rf /', force: true })],
      ['demo:act', JSON.stringify({ action: 'format-disk' })],
      ['snapshot:get', JSON.stringify({ a: 1 })],
      ['eject:plan', '{not json'],
      ['eject:plan', '\u0000\u0001binary'],
    ];
    for (const [channel, body] of cases) {
      const r = await invoke(channel, body);
      expect([channel, body, r.status]).toEqual([channel, body, 400]);
      expect(json(r)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      noStack(r);
    }
  });

  it('unknown channels are 404, wrong methods 405, oversized bodies 413', async () => {
    const unknown = await invoke('shell:exec', { cmd: 'id' });
    expect(unknown.status).toBe(404);
    expect(json(unknown)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const get = await request({
      port,
      path: '/api/snapshot:get',
      headers: { 'x-egpu-token': TOKEN },
    });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    const big = await invoke('eject:plan', JSON.stringify({ bdf: 'x'.repeat(100_000) }));
    expect(big.status).toBe(413);
    expect(json(big)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('pushes snapshots and action progress over SSE (token in the header)', async () => {
    const denied = await request({ port, path: '/api/events' });
    expect(denied.status).toBe(403);
    const events = await openEvents(port, '/api/events', { 'x-egpu-token': TOKEN });
    expect(events.status).toBe(200);
    try {
      const first = await events.next((e) => e.event === 'snapshot:changed');
      expect((first.data as { gpus: unknown[] }).gpus).toHaveLength(2);
      expect(json(await invoke('demo:act', { action: 'start-app' }))).toEqual({
        ok: true,
        value: null,
      });
      const changed = await events.next(
        (e) => e.event === 'snapshot:changed' && JSON.stringify(e.data).includes('blender'),
      );
      expect(changed.event).toBe('snapshot:changed');
      const started = json(
        await invoke('eject:run', { bdf: '0000:0a:00.0', closePids: [4242, 5150], force: false }),
      ) as { ok: true; value: { runId: string } };
      expect(started.value.runId).toMatch(/^eject-[0-9a-f-]+$/);
      const step = await events.next((e) => e.event === 'action:progress');
      expect(step.data).toMatchObject({
        runId: started.value.runId,
        progress: { step: 'close-app', status: 'running' },
      });
      const final = await events.next(
        (e) => e.event === 'action:progress' && (e.data as { final?: unknown }).final !== undefined,
      );
      expect(final.data).toEqual({
        runId: started.value.runId,
        final: { result: 'safe-to-unplug', detail: 'You can unplug the Razer Core X now.' },
      });
    } finally {
      events.close();
    }
  });

  it('demo:act is refused outside demo mode', async () => {
    await server.close();
    await start(false);
    expect(json(await invoke('demo:act', { action: 'unplug' }))).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
  });

  it('a port already in use is a clear error', async () => {
    const dispatcher = createIpcDispatcher({
      core,
      demo: null,
      appInfo: { mode: 'browser', version: '0', trayHost: null, notice: null },
    });
    const r = await startUiServer({ dispatcher, assets: ASSETS, token: TOKEN, port });
    expect(r.ok ? null : r.error).toEqual({
      code: 'busy',
      message: `port ${port} is already in use`,
    });
  });
});
