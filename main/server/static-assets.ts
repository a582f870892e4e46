// The built renderer as the server hands it out: an in-memory table of path → bytes and type,
// loaded once from dist/renderer. Only names in the table exist; there is no path to traverse.

import { fileURLToPath } from 'node:url';
import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import { readFileTree } from '../platform/app-files.js';

export type StaticAsset = { readonly body: Buffer; readonly type: string };
export type StaticAssets = ReadonlyMap<string, StaticAsset>;

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
};

export const contentTypeOf = (path: string): string => {
  const dot = path.lastIndexOf('.');
  return (
    (dot < 0 ? undefined : TYPES[path.slice(dot + 1).toLowerCase()]) ?? 'application/octet-stream'
  );
};

export function staticAssetsFrom(files: ReadonlyMap<string, Buffer>): StaticAssets {
  return new Map([...files].map(([path, body]) => [path, { body, type: contentTypeOf(path) }]));
}

/** dist/renderer next to this module's own dist/main/server/ folder. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../renderer/', import.meta.url));

export function loadStaticAssets(dir: string = DEFAULT_RENDERER_DIR): Result<StaticAssets> {
  const tree = readFileTree(dir);
  if (!tree.ok) {
    return err(
      appError(
        'not-found',
        `the window is not built (${dir}: ${tree.error.message}); run npm run build`,
      ),
    );
  }
  if (!tree.value.has('index.html')) {
    return err(appError('not-found', `${dir} has no index.html; run npm run build`));
  }
  return ok(staticAssetsFrom(tree.value));
}
