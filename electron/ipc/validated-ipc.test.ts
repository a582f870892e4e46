// Every invoke through the one wrapper: sender checks, zod validation, errors as data — against
// the FakeCore, through the fake ipcMain.
import { beforeEach, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../main/common/ipc/channels.js';
import type { AppInfo } from '../../main/common/ipc/contract.js';
import { createFakeCore } from '../../main/core/test/fake-core.js';
import { FakeWebFrame, ipcMain, resetFakeElectron } from '../test/fake-electron.js';
import { createActionRuns } from './action-runs.js';
import { createIpcHandlers, type HandlerMap } from './handlers.js';
import { registerValidatedHandlers } from './validated-ipc.js';

const RENDERER = '/opt/eGPU Guard/resources/app.asar/dist/renderer/index.html';
const RENDERER_URL = 'file:///opt/eGPU%20Guard/resources/app.asar/dist/renderer/index.html';
const OUR_WINDOW = 7;
const EGPU = '0000:0a:00.0';

const appInfo: AppInfo = { mode: 'electron', version: '1', trayHost: true, notice: null };

type EventFacts = { id?: number; url?: string | null; subframe?: boolean };
function event({ id = OUR_WINDOW, url = RENDERER_URL, subframe = false }: EventFacts = {}) {
  const top = new FakeWebFrame(url ?? '');
  return {
    sender: { id },
    senderFrame: url === null ? null : subframe ? new FakeWebFrame(url, top) : top,
  };
}

const refused: string[] = [];
const bugs: string[] = [];

function register(handlers?: HandlerMap) {
  const core = createFakeCore({ stepMs: 1 });
  const runs = createActionRuns({ send: () => undefined });
  const sub = registerValidatedHandlers(
    handlers ?? createIpcHandlers({ core, runs, demo: null, appInfo: () => appInfo }),
    {
      policy: { rendererUrl: RENDERER_URL, isKnownWebContents: (id) => id === OUR_WINDOW },
      onRefused: (c, why) => refused.push(`${c}: ${why}`),
      onBug: (c) => bugs.push(c),
    },
  );
  return { core, sub };
}

describe('validated IPC', () => {
  beforeEach(() => {
    resetFakeElectron();
    refused.length = 0;
    bugs.length = 0;
  });

  it('registers a handler for every contract channel and removes them on dispose', async () => {
    const { sub } = register();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(INVOKE_CHANNELS).sort());
    expect(await ipcMain.invoke('snapshot:get', event(), undefined)).toMatchObject({ ok: true });
    sub.dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('answers our own window (the path may hold spaces; query and hash may change)', async () => {
    register();
    const info = await ipcMain.invoke('app:info', event(), null);
    expect(info).toEqual({ ok: true, value: appInfo });
    const spaced = `file://${RENDERER}?x=1#gpu`;
    expect(await ipcMain.invoke('app:info', event({ url: spaced }), null)).toMatchObject({
      ok: true,
    });
  });

  it('refuses foreign senders: another page, a sub-frame, an unknown window, a gone frame', async () => {
    register();
    const cases: [EventFacts, RegExp][] = [
      [{ url: 'https://evil.example/index.html' }, /foreign page https:/],
      [{ url: 'file:///tmp/index.html' }, /foreign page file:/],
      [
        { url: 'file://host/opt/eGPU%20Guard/resources/app.asar/dist/renderer/index.html' },
        /foreign page/,
      ],
      [{ url: 'not a url' }, /unparsable/],
      [{ subframe: true }, /not the top frame/],
      [{ id: 99 }, /unknown window/],
      [{ url: null }, /frame is gone/],
    ];
    for (const [facts, why] of cases) {
      const r = await ipcMain.invoke('eject:plan', event(facts), { bdf: EGPU });
      expect(r, JSON.stringify(facts)).toEqual({
        ok: false,
        error: { code: 'permission-denied', message: expect.stringMatching(why) },
      });
    }
    expect(refused).toHaveLength(cases.length);
  });

  it('rejects bad payloads as invalid-input data, before the Core sees them', async () => {
    register();
    const bad: [string, unknown[]][] = [
      ['eject:plan', [{ bdf: '../../../../sys' }]],
      ['eject:plan', [{ bdf: EGPU, extra: 1 }]],
      ['eject:plan', [undefined]],
      ['eject:run', [{ bdf: EGPU, closePids: [-1], force: false }]],
      ['eject:run', [{ bdf: EGPU, closePids: [1], force: 'yes' }]],
      ['client:close', [{ pid: 1.5, force: false }]],
      ['action:cancel', [{ runId: 'RUN; rm -rf /' }]],
      ['demo:act', [{ action: 'format-disk' }]],
      ['snapshot:get', [{ unexpected: true }]],
      ['snapshot:get', [null, 'second argument']],
    ];
    for (const [channel, args] of bad) {
      const r = await ipcMain.invoke(channel, event(), ...args);
      expect(r, `${channel} ${JSON.stringify(args)}`).toMatchObject({
        ok: false,
        error: { code: 'invalid-input', message: expect.stringContaining(channel) },
      });
    }
  });

  it('passes the Core results through as data, errors included, without their details', async () => {
    register();
    const plan = await ipcMain.invoke('eject:plan', event(), { bdf: EGPU });
    expect(plan).toMatchObject({ ok: true, value: { action: 'eject', gpu: EGPU } });
    const missing = await ipcMain.invoke('eject:plan', event(), { bdf: '0000:99:00.0' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(Object.keys((missing as { error: object }).error).sort()).toEqual(['code', 'message']);
    const demo = await ipcMain.invoke('demo:act', event(), { action: 'unplug' });
    expect(demo).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('turns a throwing handler into internal, never a rejected invoke', async () => {
    const core = createFakeCore();
    const runs = createActionRuns({ send: () => undefined });
    const handlers = createIpcHandlers({ core, runs, demo: null, appInfo: () => appInfo });
    register({
      ...handlers,
      'compositor:advice': () => {
        throw new Error('boom');
      },
    });
    const r = await ipcMain.invoke('compositor:advice', event(), undefined);
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: expect.any(String) } });
    expect(JSON.stringify(r)).not.toMatch(/boom/);
    expect(bugs).toEqual(['compositor:advice']);
  });
});
