// Whether `egpu` runs from a source checkout (`node bin/egpu.js`, `npm start`, `npm run demo`)
// rather than from a package: a checkout has the TypeScript sources of the helper next to its
// launcher; a package's app.asar ships neither sources nor tests (assets/packaging/README.md).
// dist/main/cli and main/cli both sit below the checkout's root.

import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostDirectoryState, hostFileState } from '../platform/system-root.js';

/** The checkout's folder, or null when this code was not run from one. */
export function sourceCheckout(moduleUrl: string = import.meta.url): string | null {
  if (!moduleUrl.startsWith('file:')) return null;
  const here = nodePath.dirname(fileURLToPath(moduleUrl));
  if (here.split(nodePath.sep).some((part) => part.endsWith('.asar'))) return null;
  for (const up of ['../..', '../../..']) {
    const dir = nodePath.resolve(here, up);
    if (
      hostFileState(nodePath.join(dir, 'bin/egpu-guard-helper.js')) === 'file' &&
      hostFileState(nodePath.join(dir, 'package.json')) === 'file' &&
      hostDirectoryState(nodePath.join(dir, 'main/helper')) === 'directory'
    ) {
      return dir;
    }
  }
  return null;
}
