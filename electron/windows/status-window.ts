// The status window: created on demand, shown when ready, destroyed when closed (a tray app
// should not keep a renderer process alive while nobody looks at it). It loads only our own
// renderer file; its webContents id is what the IPC sender check trusts.

import type { BrowserWindow, BrowserWindowConstructorOptions, WebContents } from 'electron';
import { createSecureWindow, type SecureWindowOptions } from './web-preferences.js';

type WindowLike = Pick<
  BrowserWindow,
  | 'show'
  | 'focus'
  | 'restore'
  | 'isMinimized'
  | 'isDestroyed'
  | 'loadFile'
  | 'once'
  | 'on'
  | 'removeMenu'
  | 'close'
> & { readonly webContents: Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'once'> };

export type StatusWindowOptions = {
  readonly preload: string;
  readonly rendererIndex: string;
  readonly icon: string;
  readonly devTools: boolean;
  /** For testing: what makes the window (default createSecureWindow). */
  readonly createWindow?: (options: SecureWindowOptions) => WindowLike;
  readonly onLoadFailed?: (error: unknown) => void;
};

export type StatusWindow = {
  /**
   * Creates the window if needed, then shows and focuses it. `whenLoaded` runs once the renderer
   * has loaded (at once if it already has): a push sent earlier would reach no listener.
   */
  show(whenLoaded?: () => void): void;
  /** The window's webContents while it exists (pushes go there). */
  contents(): Pick<WebContents, 'send' | 'isDestroyed'> | null;
  isKnownWebContents(id: number): boolean;
  close(): void;
};

export function windowOptions(
  o: Pick<StatusWindowOptions, 'preload' | 'icon' | 'devTools'>,
): SecureWindowOptions {
  const window: Omit<BrowserWindowConstructorOptions, 'webPreferences'> = {
    title: 'eGPU Guard',
    width: 980,
    height: 720,
    minWidth: 520,
    minHeight: 400,
    show: false,
    icon: o.icon,
    autoHideMenuBar: true,
  };
  return { window, preload: o.preload, devTools: o.devTools };
}

export function createStatusWindow(options: StatusWindowOptions): StatusWindow {
  const create = options.createWindow ?? createSecureWindow;
  let win: WindowLike | null = null;
  let contentsId: number | null = null;
  let loaded = false;
  let waiting: (() => void)[] = [];

  const open = (): WindowLike => {
    const w = create(windowOptions(options));
    win = w;
    contentsId = w.webContents.id;
    w.removeMenu();
    w.once('ready-to-show', () => w.show());
    // Module scripts run before the load event, so the renderer listens by now.
    w.webContents.once('did-finish-load', () => {
      if (win !== w) return;
      loaded = true;
      const now = waiting;
      waiting = [];
      for (const f of now) f();
    });
    w.on('closed', () => {
      if (win === w) {
        win = null;
        contentsId = null;
        loaded = false;
        waiting = [];
      }
    });
    w.loadFile(options.rendererIndex).catch((e: unknown) => options.onLoadFailed?.(e));
    return w;
  };

  return {
    show(whenLoaded) {
      if (win === null || win.isDestroyed()) {
        loaded = false;
        waiting = [];
        open(); // shown on ready-to-show
      } else {
        if (win.isMinimized()) win.restore();
        win.show();
        win.focus();
      }
      if (whenLoaded === undefined) return;
      if (loaded) whenLoaded();
      else waiting.push(whenLoaded);
    },
    contents: () => (win === null || win.isDestroyed() ? null : win.webContents),
    isKnownWebContents: (id) => contentsId !== null && id === contentsId,
    close() {
      if (win !== null && !win.isDestroyed()) win.close();
    },
  };
}
