// The window's security flags as Electron receives them, and the denials on every webContents
// and on the session.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  app,
  BrowserWindow,
  FakeWebContents,
  resetFakeElectron,
  session,
} from '../test/fake-electron.js';
import { createStatusWindow } from '../windows/status-window.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import { hardenContents, installContentsHardening } from './harden-contents.js';
import { hardenSession } from './harden-session.js';

const paths = {
  preload: '/app/dist/electron/preload.cjs',
  rendererIndex: '/app/dist/renderer/index.html',
  icon: '/app/assets/icons/app/256x256.png',
};

describe('status window', () => {
  beforeEach(() => resetFakeElectron());

  it('is created with every hardening flag written out', () => {
    createStatusWindow({ ...paths, devTools: false }).show();
    expect(BrowserWindow.all).toHaveLength(1);
    const options = BrowserWindow.all[0]!.options;
    expect(options['webPreferences']).toEqual({
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      webgl: false,
      plugins: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: false,
    });
    expect(Object.isFrozen(options['webPreferences'])).toBe(true);
    expect(options['show']).toBe(false);
    expect(BrowserWindow.all[0]!.loaded).toEqual([paths.rendererIndex]);
  });

  it('shows when ready, is reused while open, made anew after it was closed', () => {
    const w = createStatusWindow({ ...paths, devTools: true });
    w.show();
    const first = BrowserWindow.all[0]!;
    expect(first.visible).toBe(false);
    first.fire('ready-to-show');
    expect(first.visible).toBe(true);
    expect(w.isKnownWebContents(first.webContents.id)).toBe(true);
    w.show();
    expect(BrowserWindow.all).toHaveLength(1);
    expect(first.focused).toBe(true);
    first.close();
    expect(w.contents()).toBeNull();
    expect(w.isKnownWebContents(first.webContents.id)).toBe(false);
    w.show();
    expect(BrowserWindow.all).toHaveLength(2);
    expect(w.isKnownWebContents(BrowserWindow.all[1]!.webContents.id)).toBe(true);
  });
});

describe('web contents hardening', () => {
  beforeEach(() => resetFakeElectron());

  it('denies navigation, redirects, new windows and webviews', () => {
    const wc = new FakeWebContents();
    hardenContents(wc as never);
    for (const e of [
      'will-navigate',
      'will-frame-navigate',
      'will-redirect',
      'will-attach-webview',
    ]) {
      expect(wc.fire(e, {}).defaultPrevented, e).toBe(true);
    }
    expect(wc.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('applies to every webContents the app creates', () => {
    installContentsHardening(app as never);
    const wc = new FakeWebContents();
    app.fire('web-contents-created', wc);
    expect(wc.fire('will-navigate').defaultPrevented).toBe(true);
    expect(wc.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
  });
});

describe('session hardening', () => {
  beforeEach(() => resetFakeElectron());

  it('denies every permission request and check, and downloads', () => {
    const s = session.defaultSession;
    hardenSession(s as never);
    const answers: boolean[] = [];
    for (const p of ['media', 'notifications', 'geolocation', 'hid', 'clipboard-read']) {
      s.permissionRequestHandler?.({}, p, (granted: boolean) => answers.push(granted));
      answers.push(s.permissionCheckHandler?.({}, p) as boolean);
    }
    expect(answers).toHaveLength(10);
    expect(answers.every((a) => a === false)).toBe(true);
    expect(s.devicePermissionHandler?.({})).toBe(false);
    expect(s.fire('will-download', {}).defaultPrevented).toBe(true);
  });

  it('adds the CSP header to every response, keeping the other headers', () => {
    const s = session.defaultSession;
    hardenSession(s as never);
    let out: Record<string, string[]> | undefined;
    s.headersListener?.(
      { responseHeaders: { 'X-Other': ['1'] } },
      (r) => (out = r.responseHeaders),
    );
    expect(out).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
  });
});
