// `egpu ui` as a user runs it: a real child process of bin/egpu.js serving the built window.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW_NOTICE } from '../../server/core-factory.js';
import { request } from '../../server/test/http-client.js';
import { ensureRendererBuilt } from '../../server/test/renderer-build.js';
import { startUiProcess } from '../../server/test/ui-process.js';
import { runCliInProcess, runCliProcess } from '../test/run-cli.js';

beforeAll(() => ensureRendererBuilt(), 120_000);

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('egpu ui', () => {
  it('prints one line with a tokened loopback URL, serves the window, stops cleanly on SIGTERM', async () => {
    const ui = await startUiProcess();
    try {
      expect(ui.stdout()).toBe(`${ui.url}\n`);
      expect(ui.token).toMatch(/^[0-9a-f]{32}$/);
      const page = await request({ port: ui.port, path: `/?token=${ui.token}` });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<div id="app"></div>');
      expect(page.body).toMatch(
        /<script type="module" crossorigin src="\.\/assets\/index-[\w-]+\.js">/,
      );
      expect((await request({ port: ui.port, path: '/' })).status).toBe(403);
      // Live mode runs the stand-in core until the real one lands, and says so.
      expect(ui.stderr()).toContain(PREVIEW_NOTICE);
    } finally {
      expect(await ui.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  });

  it('two runs get different tokens; SIGINT stops it too; --demo has no preview notice', async () => {
    const a = await startUiProcess(['--demo']);
    const b = await startUiProcess(['--demo']);
    try {
      expect(a.token).not.toBe(b.token);
      expect(a.stderr()).toBe('');
      const info = await request({
        port: a.port,
        method: 'POST',
        path: '/api/app:info',
        headers: { 'x-egpu-token': a.token },
      });
      expect(JSON.parse(info.body)).toMatchObject({
        ok: true,
        value: { mode: 'demo', notice: null },
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
    const ui = await startUiProcess(['--port', String(port)]);
    try {
      expect(ui.port).toBe(port);
      const again = await runCliProcess(['ui', '--port', String(port)]);
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
      ['ui', '--port', '1.5'],
      ['ui', '--port', 'http'],
      ['ui', '--root', '/nonexistent/egpu-root'],
      ['ui', 'extra'],
    ]) {
      const r = await runCliInProcess(argv);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 2]);
      expect(r.stderr).toMatch(/^egpu ui: /);
    }
    const help = await runCliInProcess(['ui', '--help']);
    expect(help.stdout).toContain('--journal-file FILE');
    expect(help.stdout).toContain('--no-dbus');
  });

  it('--open hands the URL to xdg-open (argv, no shell) and says so when that fails', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-ui-open-'));
    const log = path.join(dir, 'argv.log');
    fs.writeFileSync(
      path.join(dir, 'xdg-open'),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${log}'; done\n`,
      { mode: 0o755 },
    );
    const ui = await startUiProcess(['--open', '--demo'], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
    });
    try {
      await expect
        .poll(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8'))
        .toBe(`${ui.url}\n`);
    } finally {
      await ui.stop();
    }
    fs.writeFileSync(path.join(dir, 'xdg-open'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const failing = await startUiProcess(['--open', '--demo'], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
    });
    try {
      await expect
        .poll(() => failing.stderr())
        .toBe(
          'egpu ui: could not open a browser (xdg-open exited with 3); open the address yourself\n',
        );
      expect((await request({ port: failing.port, path: `/?token=${failing.token}` })).status).toBe(
        200,
      );
    } finally {
      expect(await failing.stop()).toEqual({ code: 0, signal: null });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
