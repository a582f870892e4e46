// `egpu ui` as a user runs it: a real child process of bin/egpu.js serving the built window.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NOTICE } from '../../core/face-core.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot } from '../../sim/sysroot-fixture.js';
import { hasChromium, launchChromium } from '../../server/test/browser.js';
import { request } from '../../server/test/http-client.js';
import { ensureRendererBuilt } from '../../server/test/renderer-build.js';
import { startUiProcess } from '../../server/test/ui-process.js';
import { runCliInProcess, runCliProcess } from '../test/run-cli.js';

beforeAll(() => ensureRendererBuilt(), 120_000);

/** What `egpu ui --demo` (the real core on the simulated machine) says on stderr once it serves. */
const NOTICE_LINE = `egpu ui: ${DEMO_NOTICE}\n`;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('egpu ui', () => {
  it('prints one line with a tokened loopback URL, serves the live core, stops cleanly on SIGTERM', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    const udev = f.host('/udev.log');
    const kern = f.host('/kern.log');
    fs.writeFileSync(udev, '');
    fs.writeFileSync(kern, '');
    const ui = await startUiProcess([
      '--root',
      f.dir,
      '--udev-log',
      udev,
      '--kernel-log',
      kern,
      '--no-dbus',
    ]);
    try {
      expect(ui.stdout()).toBe(`${ui.url}\n`);
      expect(ui.stderr()).toBe('');
      expect(ui.token).toMatch(/^[0-9a-f]{32}$/);
      // The token is in the fragment only: the page itself is public and holds no secret.
      expect(ui.url).toBe(`${ui.origin}/#token=${ui.token}`);
      const page = await request({ port: ui.port, path: '/' });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="app"></div>');
      expect(page.body).toMatch(
        /<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js">/,
      );
      expect(page.headers['set-cookie']).toBeUndefined();
      const noToken = await request({ port: ui.port, method: 'POST', path: '/api/snapshot:get' });
      expect(noToken.status).toBe(403);
      // The real core reads the sysroot: the scenario's eGPU, external, in its enclosure.
      const snapshot = await request({
        port: ui.port,
        method: 'POST',
        path: '/api/snapshot:get',
        headers: { 'x-egpu-token': ui.token },
      });
      const body = JSON.parse(snapshot.body) as {
        value: { gpus: { name: string; external: boolean; enclosure: { name: string } | null }[] };
      };
      expect(body.value.gpus.find((g) => g.external)).toMatchObject({
        name: 'NVIDIA GeForce RTX 3070',
        enclosure: { name: 'Razer Core X' },
      });
      const info = await request({
        port: ui.port,
        method: 'POST',
        path: '/api/app:info',
        headers: { 'x-egpu-token': ui.token },
      });
      expect(JSON.parse(info.body)).toMatchObject({ ok: true, value: { mode: 'browser' } });
    } finally {
      expect(await ui.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      f.cleanup();
    }
  });

  it('two runs get different tokens; SIGINT stops it too', async () => {
    const a = await startUiProcess(['--demo']);
    const b = await startUiProcess(['--demo']);
    try {
      expect(a.token).not.toBe(b.token);
      await expect.poll(() => a.stderr()).toBe(NOTICE_LINE);
      const info = await request({
        port: a.port,
        method: 'POST',
        path: '/api/app:info',
        headers: { 'x-egpu-token': a.token },
      });
      expect(JSON.parse(info.body)).toMatchObject({
        ok: true,
        value: { mode: 'demo', notice: DEMO_NOTICE },
      });
      // The other run's token does not open this one.
      const cross = await request({
        port: a.port,
        method: 'POST',
        path: '/api/app:info',
        headers: { 'x-egpu-token': b.token },
      });
      expect(cross.status).toBe(403);
    } finally {
      expect(await a.stop('SIGINT')).toEqual({ code: 0, signal: null });
      expect(await b.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });

  it('--port N listens there; a busy port is one clear line and exit 1', async () => {
    const port = await freePort();
    const ui = await startUiProcess(['--demo', '--port', String(port)]);
    try {
      expect(ui.port).toBe(port);
      const again = await runCliProcess(['ui', '--demo', '--port', String(port)]);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(`egpu ui: port ${port} is already in use\n`);
      expect(again.stdout).toBe('');
    } finally {
      await ui.stop();
    }
  });

  it('bad arguments are usage errors (exit 2)', async () => {
    for (const argv of [
      ['ui', '--port', '70000'],
      ['ui', '--port', '-1'],
      ['ui', '--port', '1.5'],
      ['ui', '--port', 'http'],
      ['ui', '--root', '/nonexistent/egpu-root'],
      ['ui', 'extra'],
      ['ui', '--demo', '--root', '/'],
      ['ui', '--demo', '--no-dbus'],
      ['ui', '--journal-file', '/nonexistent/x.journal'],
    ]) {
      const r = await runCliInProcess(argv);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 2]);
      expect(r.stderr).toMatch(/^egpu ui: /);
    }
    const help = await runCliInProcess(['ui', '--help']);
    expect(help.stdout).toContain('--journal-file FILE');
    expect(help.stdout).toContain('--no-dbus');
  });

  it('--open gives xdg-open (argv, no shell) a private page that forwards to the URL, never the token', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-ui-open-'));
    const log = path.join(dir, 'argv.log');
    fs.writeFileSync(
      path.join(dir, 'xdg-open'),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${log}'; done\n`,
      { mode: 0o755 },
    );
    const runtime = path.join(dir, 'runtime');
    fs.mkdirSync(runtime, { mode: 0o700 });
    for (const xdgRuntime of [undefined, runtime]) {
      fs.rmSync(log, { force: true });
      const env = {
        PATH: `${dir}:/usr/bin:/bin`,
        ...(xdgRuntime === undefined ? {} : { XDG_RUNTIME_DIR: xdgRuntime }),
      };
      const ui = await startUiProcess(['--open', '--demo'], { env });
      let page: string | undefined;
      try {
        await expect.poll(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8')).toMatch(/\n$/);
        const argv = fs.readFileSync(log, 'utf8').trim();
        // Other users can read a command line; the token must not be on it.
        expect(argv).not.toContain(ui.token);
        expect(argv).toMatch(/^file:\/\/\/.*\/open-[0-9a-f]{12}\.html$/);
        page = fileURLToPath(argv);
        if (xdgRuntime !== undefined) expect(path.dirname(page)).toBe(`${runtime}/egpu-guard`);
        expect(fs.statSync(page).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.dirname(page)).mode & 0o077).toBe(0);
        const html = fs.readFileSync(page, 'utf8');
        expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${ui.url}">`);
        expect(html).toContain(`<a href="${ui.url}">`);
        if (xdgRuntime === undefined && hasChromium()) {
          // The page really takes a browser from file:// to the window.
          const browser = await launchChromium();
          try {
            const tab = await browser.newPage();
            await tab.goto(argv);
            await tab.waitForURL(ui.url, { timeout: 15_000 });
            await tab.waitForSelector('#app > *', { timeout: 15_000 });
          } finally {
            await browser.close();
          }
        }
      } finally {
        await ui.stop();
      }
      // Gone with the server.
      expect(page).toBeDefined();
      expect(fs.existsSync(page)).toBe(false);
    }
    fs.writeFileSync(path.join(dir, 'xdg-open'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const failing = await startUiProcess(['--open', '--demo'], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
    });
    try {
      await expect
        .poll(() => failing.stderr())
        .toBe(
          `${NOTICE_LINE}egpu ui: could not open a browser (xdg-open exited with 3); open the address yourself\n`,
        );
      expect((await request({ port: failing.port, path: '/' })).status).toBe(200);
    } finally {
      expect(await failing.stop()).toEqual({ code: 0, signal: null });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
