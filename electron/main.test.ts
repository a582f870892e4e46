// The entry's order of calls on the (fake) electron app: hardware acceleration off and the
// sandbox on before `ready`, one instance only, and nothing built before Electron is ready.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as FakeElectron from './test/fake-electron.js';

type Fake = typeof FakeElectron;

const showWindow = vi.fn();
const bootstrap = vi.fn(() => Promise.resolve({ showWindow }));
vi.mock('./bootstrap.js', () => ({ bootstrap }));

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('electron/main.ts', () => {
  let app: Fake['app'];
  let calls: Fake['calls'];
  let fake: Fake;
  beforeEach(async () => {
    // A fresh module graph per test, as a fresh process: main.ts runs at import.
    vi.resetModules();
    fake = await import('./test/fake-electron.js');
    fake.resetFakeElectron();
    ({ app, calls } = fake);
    bootstrap.mockClear();
    showWindow.mockClear();
  });

  it('disables hardware acceleration and enables the sandbox before ready, then bootstraps', async () => {
    await import('./main.js');
    expect(calls).toEqual([
      'app.disableHardwareAcceleration',
      'app.enableSandbox',
      'app.requestSingleInstanceLock',
      'app.whenReady',
    ]);
    await flush();
    expect(bootstrap).not.toHaveBeenCalled();
    app.makeReady();
    await flush();
    expect(bootstrap).toHaveBeenCalledTimes(1);
    expect(calls.indexOf('app.disableHardwareAcceleration')).toBeLessThan(calls.indexOf('ready'));
    // Nothing visible was made before ready (the bootstrap is mocked here: nothing at all).
    expect(fake.BrowserWindow.all).toHaveLength(0);
    expect(fake.Tray.all).toHaveLength(0);
  });

  it('a second instance only focuses the first one', async () => {
    await import('./main.js');
    app.fire('second-instance', ['egpu-guard'], '/home/ada');
    app.makeReady();
    await flush();
    expect(showWindow).toHaveBeenCalledTimes(1);
    app.fire('second-instance', ['egpu-guard'], '/home/ada');
    await flush();
    expect(showWindow).toHaveBeenCalledTimes(2);
  });

  it('quits at once when another instance holds the lock', async () => {
    app.singleInstanceLock = false;
    await import('./main.js');
    app.makeReady();
    await flush();
    expect(calls).toEqual([
      'app.disableHardwareAcceleration',
      'app.enableSandbox',
      'app.requestSingleInstanceLock',
      'app.quit',
      'ready',
    ]);
    expect(bootstrap).not.toHaveBeenCalled();
  });

  it('exits with an error when the shell cannot start', async () => {
    bootstrap.mockImplementationOnce(() => Promise.reject(new Error('no display')));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await import('./main.js');
    app.makeReady();
    await flush();
    expect(app.exitCodes).toEqual([1]);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/could not start: Error: no display/);
    stderr.mockRestore();
  });
});
