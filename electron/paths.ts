// Where the shell finds its files. The app folder is the repository in development
// (`electron .`) and resources/app.asar when packaged; both have the same layout: dist/ for code
// and the renderer, assets/ for icons.

import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';

export type ShellPaths = {
  readonly preload: string;
  readonly rendererIndex: string;
  /** file:// URL of rendererIndex: the only page allowed to use IPC. */
  readonly rendererUrl: string;
  readonly trayIconDir: string;
  readonly appIcon: string;
};

export function resolveShellPaths(appPath: string): ShellPaths {
  const rendererIndex = nodePath.join(appPath, 'dist', 'renderer', 'index.html');
  return {
    preload: nodePath.join(appPath, 'dist', 'electron', 'preload.cjs'),
    rendererIndex,
    rendererUrl: pathToFileURL(rendererIndex).href,
    trayIconDir: nodePath.join(appPath, 'assets', 'icons', 'tray'),
    appIcon: nodePath.join(appPath, 'assets', 'icons', 'app', '256x256.png'),
  };
}
