// The status window's preload: exposes the bridge as `window.egpu`, and nothing else. Bundled by
// electron/preload/vite.config.ts into dist/electron/preload.cjs (a sandboxed preload is CommonJS
// and may require only 'electron').

import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('egpu', createBridge(ipcRenderer));
