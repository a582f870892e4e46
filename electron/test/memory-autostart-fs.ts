// Test support: an AutostartFs over a Map.

import { ok } from '../../main/common/result.js';
import type { AutostartFs } from '../tray/autostart.js';

export function createMemoryAutostartFs(): AutostartFs & { readonly files: Map<string, string> } {
  const files = new Map<string, string>();
  return {
    files,
    readText: (path) => ok(files.get(path) ?? null),
    writeText(path, text) {
      files.set(path, text);
      return ok(undefined);
    },
    remove(path) {
      files.delete(path);
      return ok(undefined);
    },
  };
}
