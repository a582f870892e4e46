// The whole shell wired by bootstrap(), against the fake electron module, the FakeCore, a fake
// notifier and an in-memory autostart folder: what a user sees with and without a tray.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppInfo } from '../main/common/ipc/contract.js';
import { EGPU_BDF, OLLAMA } from '../main/core/test/fake-core-data.js';
import { createFakeCore, type FakeCore } from '../main/core/test/fake-core.js';
import { bootstrap, type Shell } from './bootstrap.js';
import { resolveShellPaths } from './paths.js';
import {
  app,
  BrowserWindow,
  ipcMain,
  resetFakeElectron,
  Tray,
  type FakeMenuItem,
} from './test/fake-electron.js';
import { createFakeNotifier, type FakeNotifier } from './test/fake-notifier.js';
import { createMemoryAutostartFs } from './test/memory-autostart-fs.js';
import { NO_TRAY_NOTICE } from './tray/tray-host.js';

const APP = '/opt/eGPU Guard/resources/app.asar';
const paths = resolveShellPaths(APP);

type Started = {
  shell: Shell;
  core: FakeCore;
  notifier: FakeNotifier;
  files: Map<string, string>;
  logs: string[];
};

async function start(opts: { host: boolean; argv?: string[]; notice?: string }): Promise<Started> {
  const core = createFakeCore({ stepMs: 1 });
  const notifier = createFakeNotifier();
  const fs = createMemoryAutostartFs();
  const logs: string[] = [];
  const shell = await bootstrap({
    app: app as never,
    argv: opts.argv ?? ['egpu-guard'],
    env: {},
    home: '/home/ada',
    paths,
    createCore: () =>
      Promise.resolve({
        core,
        demo: core,
        mode: 'demo',
        notice: opts.notice ?? null,
        role: 'demo',
      }),
    detectTrayHost: () =>
      Promise.resolve({ host: opts.host, detail: opts.host ? 'host' : 'no host' }),
    createNotifier: () => Promise.resolve(notifier),
    autostartFs: fs,
    log: (l) => logs.push(l),
  });
  return { shell, core, notifier, files: fs.files, logs };
}

const trusted = () => {
  const w = BrowserWindow.all.at(-1)!;
  return { sender: { id: w.webContents.id }, senderFrame: w.webContents.mainFrame };
};
const menu = (): FakeMenuItem[] => Tray.all[0]!.menus.at(-1)!.items;
const click = (label: string): void => {
  const item = menu().find((i) => i['label'] === label);
  if (item?.click === undefined) throw new Error(`no clickable "${label}" in the tray menu`);
  item.click();
};
const until = async (cond: () => boolean): Promise<void> => {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('bootstrap', () => {
  beforeEach(() => resetFakeElectron());

  it('without a tray host opens the window with a notice, and closing it quits', async () => {
    const s = await start({ host: false, notice: 'Simulation.' });
    expect(BrowserWindow.all).toHaveLength(1);
    const w = BrowserWindow.all[0]!;
    expect(w.loaded).toEqual([paths.rendererIndex]);
    w.fire('ready-to-show');
    expect(w.visible).toBe(true);
    const info = (await ipcMain.invoke('app:info', trusted(), undefined)) as { value: AppInfo };
    expect(info.value).toEqual({
      mode: 'demo',
      version: '0.1.0-test',
      trayHost: false,
      notice: `Simulation. ${NO_TRAY_NOTICE}`,
    });
    expect(s.logs.join('\n')).toMatch(/no host; showing the window/);
    w.close();
    app.fire('window-all-closed');
    expect(app.quitCount).toBe(1);
  });

  it('with a tray, started at login, stays in the tray until asked', async () => {
    await start({ host: true, argv: ['egpu-guard', '--hidden'] });
    expect(BrowserWindow.all).toHaveLength(0);
    expect(Tray.all).toHaveLength(1);
    expect(Tray.all[0]!.images.at(-1)!.path).toBe(`${paths.trayIconDir}/in-use.png`);
    expect(menu().map((i) => i['label'])).toContain('Safely eject NVIDIA GeForce RTX 3070');
    click('Open eGPU Guard');
    expect(BrowserWindow.all).toHaveLength(1);
    const info = (await ipcMain.invoke('app:info', trusted(), undefined)) as { value: AppInfo };
    expect(info.value).toMatchObject({ trayHost: true, notice: null });
    BrowserWindow.all[0]!.close();
    app.fire('window-all-closed');
    expect(app.quitCount).toBe(0);
  });

  it('pushes snapshots to the window and keeps the tray current', async () => {
    const s = await start({ host: true });
    const w = BrowserWindow.all[0]!;
    await s.core.act('fall-off-bus');
    const pushed = w.webContents.sent.filter((m) => m.channel === 'snapshot:changed');
    expect(pushed.length).toBeGreaterThan(0);
    expect(Tray.all[0]!.images.at(-1)!.path).toBe(`${paths.trayIconDir}/problem.png`);
    expect(menu().map((i) => i['label'])).toContain('Recover NVIDIA GeForce RTX 3070');
  });

  it('writes and removes the autostart entry from the tray menu', async () => {
    const s = await start({ host: true });
    const file = '/home/ada/.config/autostart/egpu-guard.desktop';
    expect(menu().find((i) => i['label'] === 'Start at login')).toMatchObject({ checked: false });
    click('Start at login');
    expect(s.files.get(file)).toMatch(/Exec=.* --hidden\n/);
    expect(menu().find((i) => i['label'] === 'Start at login')).toMatchObject({ checked: true });
    click('Start at login');
    expect(s.files.has(file)).toBe(false);
  });

  it('a tray eject that would close apps opens the window on that plan instead of running', async () => {
    const s = await start({ host: true, argv: ['egpu-guard', '--hidden'] });
    click('Safely eject NVIDIA GeForce RTX 3070');
    await until(() => s.notifier.shown.length > 0);
    expect(BrowserWindow.all).toHaveLength(1);
    expect(s.notifier.shown.at(-1)).toMatchObject({
      key: `gpu:${EGPU_BDF}`,
      summary: 'NVIDIA GeForce RTX 3070 needs you before it can be ejected',
      body: expect.stringMatching(/ollama/),
    });
    expect(s.core.snapshot().gpus.find((g) => g.bdf === EGPU_BDF)?.state).toBe('in-use');
    // The request waits for the renderer to load (a push before that reaches no listener).
    const w = BrowserWindow.all[0]!;
    const focus = () => w.webContents.sent.filter((m) => m.channel === 'ui:focus');
    expect(focus()).toEqual([]);
    w.webContents.emit('did-finish-load');
    expect(focus()).toEqual([{ channel: 'ui:focus', payload: { action: 'eject', bdf: EGPU_BDF } }]);
    // Once loaded, a second request goes at once.
    click('Safely eject NVIDIA GeForce RTX 3070');
    await until(() => focus().length === 2);
  });

  it('a tray eject with nothing to close runs, and the notification says when it is safe', async () => {
    const s = await start({ host: true, argv: ['egpu-guard', '--hidden'] });
    await s.core.closeClient(OLLAMA.pid, false);
    click('Safely eject NVIDIA GeForce RTX 3070');
    await until(() => s.notifier.shown.some((n) => /safe to unplug/.test(n.summary)));
    expect(s.core.snapshot().gpus.find((g) => g.bdf === EGPU_BDF)?.state).toBe('safe-to-unplug');
    expect(BrowserWindow.all).toHaveLength(0);
  });

  it('routes notification buttons: Recover runs the recovery, Details opens the window', async () => {
    const s = await start({ host: true, argv: ['egpu-guard', '--hidden'] });
    await s.core.act('fall-off-bus');
    await until(() => s.notifier.shown.some((n) => /fell off the bus/.test(n.summary)));
    const key = `gpu:${EGPU_BDF}`;
    s.notifier.press(key, 'recover');
    await until(() => s.core.snapshot().gpus.find((g) => g.bdf === EGPU_BDF)?.state === 'attached');
    expect(BrowserWindow.all).toHaveLength(0);
    s.notifier.press(key, 'default');
    expect(BrowserWindow.all).toHaveLength(1);
  });

  it('quits from the tray: shuts the core down, destroys the tray, then exits', async () => {
    const s = await start({ host: true });
    click('Quit');
    expect(app.quitCount).toBe(1);
    app.fire('before-quit');
    const e = app.fire('will-quit');
    expect(e.defaultPrevented).toBe(true);
    await until(() => app.exitCodes.length === 1);
    expect(app.exitCodes).toEqual([0]);
    expect(Tray.all[0]!.destroyed).toBe(true);
    expect(s.notifier.disposed).toBe(true);
    expect(ipcMain.handlers.size).toBe(0);
    await s.shell.shutdown(); // idempotent
  });
});
