// The `electron` module as the shell's tests see it (vitest.config.ts aliases `electron` here):
// just enough of app, BrowserWindow, Tray, Menu, nativeImage, ipcMain, session, contextBridge and
// ipcRenderer to record what the shell asks of Electron, in order, and to drive its events. The
// real binary is never needed (docs/testing.md, "Electron without its binary").

import { EventEmitter } from 'node:events';

/** Every app-level call, in order: tests assert e.g. hardware acceleration is off before ready. */
export const calls: string[] = [];

type Listener = (...args: unknown[]) => unknown;

class FakeEmitter extends EventEmitter {
  /** Emits like Electron: the first argument is an event whose preventDefault is recorded. */
  fire(name: string, ...args: unknown[]): { defaultPrevented: boolean } {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit(name, event, ...args);
    return event;
  }
}

// ---- app ----------------------------------------------------------------------------------------

class FakeApp extends FakeEmitter {
  singleInstanceLock = true;
  isPackaged = false;
  quitCount = 0;
  exitCodes: number[] = [];
  #ready: () => void = () => undefined;
  #readyPromise = new Promise<void>((resolve) => (this.#ready = resolve));

  disableHardwareAcceleration(): void {
    calls.push('app.disableHardwareAcceleration');
  }
  enableSandbox(): void {
    calls.push('app.enableSandbox');
  }
  requestSingleInstanceLock(): boolean {
    calls.push('app.requestSingleInstanceLock');
    return this.singleInstanceLock;
  }
  whenReady(): Promise<void> {
    calls.push('app.whenReady');
    return this.#readyPromise;
  }
  /** Test control: Electron is ready. */
  makeReady(): void {
    calls.push('ready');
    this.#ready();
  }
  quit(): void {
    calls.push('app.quit');
    this.quitCount++;
  }
  exit(code = 0): void {
    calls.push('app.exit');
    this.exitCodes.push(code);
  }
  getVersion(): string {
    return '0.1.0-test';
  }
  getAppPath(): string {
    return '/opt/egpu-guard-test/resources/app.asar';
  }
  /** Test control: a fresh app, as after a restart. */
  reset(): void {
    this.removeAllListeners();
    this.singleInstanceLock = true;
    this.quitCount = 0;
    this.exitCodes = [];
    this.#readyPromise = new Promise<void>((resolve) => (this.#ready = resolve));
  }
}

export const app = new FakeApp();

// ---- web contents, windows ----------------------------------------------------------------------

let nextWebContentsId = 1;

export class FakeWebFrame {
  constructor(
    public url: string,
    public parent: FakeWebFrame | null = null,
  ) {}
}

export class FakeWebContents extends FakeEmitter {
  readonly id = nextWebContentsId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  readonly mainFrame = new FakeWebFrame('');
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class BrowserWindow extends FakeEmitter {
  static readonly all: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loaded: string[] = [];
  visible = false;
  focused = false;
  destroyed = false;

  constructor(readonly options: Record<string, unknown>) {
    super();
    calls.push('new BrowserWindow');
    BrowserWindow.all.push(this);
  }
  loadFile(path: string): Promise<void> {
    this.loaded.push(path);
    this.webContents.mainFrame.url = `file://${path}`;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  removeMenu(): void {}
  /** Closes like a user would: 'close' may be prevented, else the window is destroyed. */
  close(): void {
    const e = this.fire('close');
    if (e.defaultPrevented) return;
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

// ---- tray, menu, images -------------------------------------------------------------------------

export type FakeNativeImage = { readonly path: string; isEmpty(): boolean };

export const nativeImage = {
  createFromPath: (path: string): FakeNativeImage => ({ path, isEmpty: () => false }),
};

export type FakeMenuItem = Record<string, unknown> & { click?: () => void };

export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
}

export const Menu = {
  buildFromTemplate: (template: FakeMenuItem[]): FakeMenu => new FakeMenu(template),
};

export class Tray extends FakeEmitter {
  static readonly all: Tray[] = [];
  menus: FakeMenu[] = [];
  images: FakeNativeImage[] = [];
  tooltips: string[] = [];
  destroyed = false;

  constructor(image: FakeNativeImage) {
    super();
    calls.push('new Tray');
    this.images.push(image);
    Tray.all.push(this);
  }
  setContextMenu(menu: FakeMenu): void {
    this.menus.push(menu);
  }
  setImage(image: FakeNativeImage): void {
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltips.push(text);
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

// ---- ipc ----------------------------------------------------------------------------------------

class FakeIpcMain {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Test control: what `ipcRenderer.invoke` would get back (a handler that throws rejects). */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (h === undefined) throw new Error(`No handler registered for '${channel}'`);
    return await h(event, ...args);
  }
}

export const ipcMain = new FakeIpcMain();

class FakeIpcRenderer extends EventEmitter {
  readonly invoked: { channel: string; args: unknown[] }[] = [];
  reply: (channel: string, args: unknown[]) => Promise<unknown> = () =>
    Promise.resolve({ ok: true, value: null });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.reply(channel, args);
  }
}

export const ipcRenderer = new FakeIpcRenderer();

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

// ---- session ------------------------------------------------------------------------------------

type HeadersListener = (
  details: { responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

class FakeSession extends FakeEmitter {
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: Listener | null = null;
  devicePermissionHandler: Listener | null = null;
  headersListener: HeadersListener | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener): void => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(h: Listener): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: Listener): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: Listener): void {
    this.devicePermissionHandler = h;
  }
}

export const session = { defaultSession: new FakeSession() };

/** Test control: forget every window, tray, handler and call. */
export function resetFakeElectron(): void {
  calls.length = 0;
  app.reset();
  BrowserWindow.all.length = 0;
  Tray.all.length = 0;
  ipcMain.handlers.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoked.length = 0;
  contextBridge.exposed.clear();
  session.defaultSession = new FakeSession();
}
