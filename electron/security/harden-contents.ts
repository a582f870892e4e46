// Every webContents the app ever creates (web-contents-created) is locked to the page it was
// given (Electron security checklist #12–14): no navigation or redirect away from it, no new
// windows, no <webview>. The status window only ever loads our own file; links to the outside
// world are not part of this app.

import type { App, WebContents } from 'electron';

type Preventable = { preventDefault(): void };
const prevent = (event: Preventable): void => event.preventDefault();

export function hardenContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>): void {
  // will-navigate: the main frame; will-frame-navigate: sub-frames too. In-page (#hash)
  // navigations fire neither, so the renderer may still use them.
  contents.on('will-navigate', prevent);
  contents.on('will-frame-navigate', prevent);
  contents.on('will-redirect', prevent);
  contents.on('will-attach-webview', prevent);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function installContentsHardening(app: Pick<App, 'on'>): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}
