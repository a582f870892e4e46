// "An eject of this GPU is under way": a small file per GPU that `egpu eject` (or the app) writes
// before the first kernel write and removes at the end, so that a separate `egpu watch` (or the
// tray app) reads the PCI removal that follows as safe-to-unplug rather than as an unexplained
// disappearance. Stale intents (dead owner, older than ten minutes) are ignored.
//
// "This GPU was ejected safely": a file per GPU written when an eject ends safe-to-unplug, kept
// until the GPU is back on the bus, so that a core started later — the tray app or the service
// restarted between the eject and the unplug — knows the enclosure is waiting to be unplugged and
// reads the unplug as the end of that story, not as a GPU pulled while in use. Both live in the
// runtime folder, emptied at logout (a reboot starts every story afresh anyway).

import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import { isBdf } from '../common/pci.js';
import {
  listStateFiles,
  readStateFile,
  removeStateFile,
  writeStateFileAtomic,
} from '../platform/state-files.js';
import type { SystemRoot } from '../platform/system-root.js';

const MAX_AGE_MS = 10 * 60_000;

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

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

/** Folder of intents (host path); the records of finished ejects sit beside it in ejected/. */
export const ejectIntentDir = (
  root: SystemRoot,
  env: Readonly<Record<string, string | undefined>>,
): string => `${egpuRuntimeDir(root, env)}/ejecting`;

/** An eject that ended safe-to-unplug, the GPU not seen on the bus since. */
export type EjectedRecord = {
  readonly bdf: string;
  /** When it ended (ms since the epoch). */
  readonly at: number;
  readonly unplugWarnings: readonly string[];
};

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
  /** The eject ended safe-to-unplug: remembered until the GPU is back (forgetEjected). */
  recordEjected(bdf: string, unplugWarnings?: readonly string[]): void;
  /** Every remembered safe eject (unreadable records are skipped). */
  ejected(): readonly EjectedRecord[];
  forgetEjected(bdf: string): void;
};

export function createEjectIntents(
  dir: string,
  now: () => number,
  isAlive: (pid: number) => boolean,
): EjectIntents {
  const file = (bdf: string): string => `${dir}/${bdf}`;
  const doneDir = `${dir.slice(0, dir.lastIndexOf('/'))}/ejected`; // beside `dir`
  const doneFile = (bdf: string): string => `${doneDir}/${bdf}`;
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
      return strings(live(bdf)?.unplugWarnings);
    },
    recordEjected(bdf, unplugWarnings = []) {
      // Best effort: without it a later core words the unplug as it always did.
      writeStateFileAtomic(doneFile(bdf), JSON.stringify({ at: now(), unplugWarnings }) + '\n');
    },
    ejected() {
      return listStateFiles(doneDir).flatMap((bdf) => {
        if (!isBdf(bdf)) return [];
        const r = readStateFile(doneFile(bdf));
        if (!r.ok) return [];
        try {
          const v = JSON.parse(r.value) as { at?: unknown; unplugWarnings?: unknown };
          return typeof v.at === 'number'
            ? [{ bdf, at: v.at, unplugWarnings: strings(v.unplugWarnings) }]
            : [];
        } catch {
          return [];
        }
      });
    },
    forgetEjected(bdf) {
      removeStateFile(doneFile(bdf));
    },
  };
}
