// The one place a BrowserWindow is made, with the webPreferences of every eGPU Guard window
// written out in full, each security flag explicit even where it equals Electron's default
// (Electron's security checklist, electronjs.org/docs/latest/tutorial/security): the explicit
// values are what reviewers and Electronegativity check — it reads them at the
// `new BrowserWindow(…)` call, in this file — and they stay put when a default changes.

import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';

export type SecureWindowOptions = {
  /** Everything but webPreferences: size, title, icon … */
  readonly window: Omit<BrowserWindowConstructorOptions, 'webPreferences'>;
  readonly preload: string;
  readonly devTools: boolean;
};

export function createSecureWindow(options: SecureWindowOptions): BrowserWindow {
  const windowOptions = {
    ...options.window,
    webPreferences: {
      // Electronegativity flags every preload for a manual review; reviewed: it exposes only the
      // contract's named methods (electron/preload/bridge.ts). eng-disable for that reason only.
      preload: options.preload, // eng-disable PRELOAD_JS_CHECK
      // The renderer talks to the main process only through the preload's named methods.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click must not open links in new windows (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      // The window must never create a GPU context of its own (see main.ts): no WebGL either.
      webgl: false,
      plugins: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: options.devTools,
    },
  } satisfies BrowserWindowConstructorOptions;
  // Frozen after the literal, not around it: Electronegativity reads the literal at this call.
  Object.freeze(windowOptions.webPreferences);
  return new BrowserWindow(windowOptions);
}
