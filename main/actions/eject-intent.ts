// "An eject of this GPU is under way": a small file per GPU that `egpu eject` (or the app) writes
// before the first kernel write and removes at the end, so that a separate `egpu watch` (or the
// tray app) reads the PCI removal that follows as safe-to-unplug rather than as an unexplained
// disappearance. Stale intents (dead owner, older than ten minutes) are ignored.

import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import { readStateFile, removeStateFile, writeStateFileAtomic } from '../platform/state-files.js';
import type { SystemRoot } from '../platform/system-root.js';

const MAX_AGE_MS = 10 * 60_000;

/**
 * eGPU Guard's runtime folder (host path): $XDG_RUNTIME_DIR/egpu-guard (per user, 0700, emptied
 * at logout — XDG Base Directory spec), or <root>/run/egpu-guard for a sysroot.
 */
export function egpuRuntimeDir(
  root: SystemRoot,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const runtime = env['XDG_RUNTIME_DIR'];
  if (root.root === '/' && runtime !== undefined && runtime.startsWith('/'))
    return `${runtime}/egpu-guard`;
  return root.hostPath('/run/egpu-guard');
}

/** Folder of intents (host path). */
export const ejectIntentDir = (
  root: SystemRoot,
  env: Readonly<Record<string, string | undefined>>,
): string => `${egpuRuntimeDir(root, env)}/ejecting`;

export type EjectIntents = {
  /**
   * Records the intent; 'intent-not-recorded' when it cannot be written — the caller must not
   * start the eject then, or a watcher would report the removal as a surprise.
   */
  announce(bdf: string, unplugWarnings?: readonly string[]): Result<void, AppError>;
  clear(bdf: string): void;
  isEjecting(bdf: string): boolean;
  /**
   * What the eject's plan said must happen before the unplug (a drive on the same tunnel stays
   * connected): a watcher then words the removal "the GPU is removed; eject the drive first"
   * rather than a plain "safe to unplug". Empty when none, or no live intent.
   */
  unplugWarnings(bdf: string): readonly string[];
};

export function createEjectIntents(
  dir: string,
  now: () => number,
  isAlive: (pid: number) => boolean,
): EjectIntents {
  const file = (bdf: string): string => `${dir}/${bdf}`;
  /** The intent of a live eject (owner alive, not older than MAX_AGE_MS), or null. */
  const live = (bdf: string): { unplugWarnings?: unknown } | null => {
    const r = readStateFile(file(bdf));
    if (!r.ok) return null;
    try {
      const v = JSON.parse(r.value) as {
        pid?: unknown;
        startedAt?: unknown;
        unplugWarnings?: unknown;
      };
      if (typeof v.pid !== 'number' || typeof v.startedAt !== 'number') return null;
      return now() - v.startedAt < MAX_AGE_MS && isAlive(v.pid) ? v : null;
    } catch {
      return null;
    }
  };
  return {
    announce(bdf, unplugWarnings = []) {
      const written = writeStateFileAtomic(
        file(bdf),
        JSON.stringify({ pid: process.pid, startedAt: now(), unplugWarnings }) + '\n',
      );
      if (written.ok) return ok(undefined);
      return err(
        appError(
          'intent-not-recorded',
          `cannot record that an eject of ${bdf} is under way (${written.error.message}), so eGPU Guard would report the removal as a surprise; nothing was changed`,
          { path: file(bdf) },
        ),
      );
    },
    clear(bdf) {
      removeStateFile(file(bdf));
    },
    isEjecting: (bdf) => live(bdf) !== null,
    unplugWarnings(bdf) {
      const w = live(bdf)?.unplugWarnings;
      return Array.isArray(w) ? w.filter((x): x is string => typeof x === 'string') : [];
    },
  };
}
