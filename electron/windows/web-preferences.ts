// The one webPreferences of every eGPU Guard window, every security flag written out even where
// it equals Electron's default (architecture-study §13): the explicit values are what reviewers
// and Electronegativity check, and they stay put when a default changes.

import type { WebPreferences } from 'electron';

export function createWebPreferences(preload: string, devTools: boolean): Readonly<WebPreferences> {
  return Object.freeze({
    preload,
    // The renderer talks to the main process only through the preload's named methods.
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    // The window must never create a GPU context of its own (see main.ts): no WebGL either.
    webgl: false,
    plugins: false,
    spellcheck: false,
    safeDialogs: true,
    devTools,
  });
}
