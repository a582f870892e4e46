// eGPU Guard's own version, from the package.json next to the code (the checkout, or the app
// folder of a package): the one place the version is written. dist/main/platform and
// main/platform both sit three levels below it.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';

export function readAppVersion(): string | null {
  const here = nodePath.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    try {
      const pkg = JSON.parse(
        fs.readFileSync(nodePath.join(here, up, 'package.json'), 'utf8'),
      ) as unknown;
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'egpu-guard') {
        const v = (pkg as { version?: unknown }).version;
        return typeof v === 'string' ? v : null;
      }
    } catch {
      // Not here; try one level up.
    }
  }
  return null;
}
