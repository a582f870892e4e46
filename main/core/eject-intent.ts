// "An eject of this GPU is under way": a small file per GPU that `egpu eject` (or the app) writes
// before the first kernel write and removes at the end, so that a separate `egpu watch` (or the
// tray app) reads the PCI removal that follows as safe-to-unplug rather than as an unexplained
// disappearance. Stale intents (dead owner, older than ten minutes) are ignored.

import { readStateFile, removeStateFile, writeStateFileAtomic } from '../platform/state-files.js';
import type { SystemRoot } from '../platform/system-root.js';

const MAX_AGE_MS = 10 * 60_000;

/** Folder of intents (host path): the user's runtime dir, or <root>/run/egpu-guard for a sysroot. */
export function ejectIntentDir(
  root: SystemRoot,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const runtime = env['XDG_RUNTIME_DIR'];
  if (root.root === '/' && runtime !== undefined && runtime.startsWith('/'))
    return `${runtime}/egpu-guard/ejecting`;
  return root.hostPath('/run/egpu-guard/ejecting');
}

export type EjectIntents = {
  announce(bdf: string): void;
  clear(bdf: string): void;
  isEjecting(bdf: string): boolean;
};

export function createEjectIntents(
  dir: string,
  now: () => number,
  isAlive: (pid: number) => boolean,
): EjectIntents {
  const file = (bdf: string): string => `${dir}/${bdf}`;
  return {
    announce(bdf) {
      writeStateFileAtomic(
        file(bdf),
        JSON.stringify({ pid: process.pid, startedAt: now() }) + '\n',
      );
    },
    clear(bdf) {
      removeStateFile(file(bdf));
    },
    isEjecting(bdf) {
      const r = readStateFile(file(bdf));
      if (!r.ok) return false;
      try {
        const v = JSON.parse(r.value) as { pid?: unknown; startedAt?: unknown };
        if (typeof v.pid !== 'number' || typeof v.startedAt !== 'number') return false;
        return now() - v.startedAt < MAX_AGE_MS && isAlive(v.pid);
      } catch {
        return false;
      }
    },
  };
}
