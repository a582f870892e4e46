// Follows a growing text file (kern.log, messages, `--kernel-log FILE`) with the `tail` package
// (2.2.6) and survives log rotation.
//
// Why a wrapper: tail 2.2.6 with `follow: true` re-watches a renamed file after 1 s but keeps the
// *old* byte offset, so the start of the re-created file is skipped and lines are torn (tried:
// after rename + "first new\n" it delivered "ew"); if the new file is not there yet it gives up. Here tail runs with `follow: false` (it reports the rename
// as an error and stops) and this module notices the new file — a different inode at the same
// path — by a cheap stat() whenever inotify reports a change in its folder (fs.watch on the
// directory: renames, creations, truncations and appends all show there), then reads it from its
// beginning. Nothing polls while the log is quiet; only if the folder cannot be watched does a
// slow stat() every checkMs (default 30 s) stand in.
// Known gap: lines the writer still appends to the renamed file before reopening (rsyslog until
// its HUP) are not read; copytruncate rotation may lose lines written between truncation and the
// next check.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Tail } from 'tail';
import type { Disposable } from '../common/disposable.js';

export type FileFollowOptions = {
  readonly hostPath: string;
  /** Deliver the lines already in the file (otherwise start at its end). */
  readonly fromBeginning: boolean;
  readonly onLine: (line: string) => void;
  /** The file was replaced (rotation) or truncated; reading restarted at its beginning. */
  readonly onReopen?: (why: 'rotated' | 'truncated' | 'created') => void;
  /** The file is missing; following resumes when it appears. */
  readonly onMissing?: () => void;
  /** Fallback poll interval when the folder cannot be watched (default 30 s). */
  readonly checkMs?: number;
};

type Identity = { ino: number; dev: number; size: number };

const identify = (path: string): Identity | null => {
  try {
    const s = fs.statSync(path);
    return s.isFile() ? { ino: s.ino, dev: s.dev, size: s.size } : null;
  } catch {
    return null;
  }
};

export function followFile(options: FileFollowOptions): Disposable {
  const checkMs = options.checkMs ?? 30_000;
  let tail: Tail | null = null;
  let current: Identity | null = null;
  let generation = 0;
  let missingReported = false;
  let disposed = false;
  let timer: NodeJS.Timeout | undefined;
  let folderWatch: fs.FSWatcher | null = null;

  const stopTail = (): void => {
    generation++;
    try {
      tail?.unwatch();
    } catch {
      // Already unwatched (tail unwatches itself after a rename).
    }
    tail = null;
  };

  const open = (fromBeginning: boolean): void => {
    stopTail();
    const id = identify(options.hostPath);
    current = id;
    if (id === null) {
      if (!missingReported) options.onMissing?.();
      missingReported = true;
      return;
    }
    missingReported = false;
    const gen = generation;
    try {
      const t = new Tail(options.hostPath, { follow: false, fromBeginning, flushAtEOF: false });
      t.on('line', (line: unknown) => {
        if (gen === generation && !disposed && typeof line === 'string') options.onLine(line);
      });
      // Raised on rename (follow: false) and read errors: look at the path again right away.
      t.on('error', () => {
        if (gen === generation && !disposed) schedule(0);
      });
      tail = t;
    } catch {
      current = null;
    }
  };

  const check = (): void => {
    timer = undefined;
    if (disposed) return;
    const id = identify(options.hostPath);
    if (id === null) {
      if (current !== null) stopTail();
      current = null;
      if (!missingReported) options.onMissing?.();
      missingReported = true;
    } else if (current === null || tail === null) {
      open(true);
      options.onReopen?.('created');
    } else if (id.ino !== current.ino || id.dev !== current.dev) {
      open(true);
      options.onReopen?.('rotated');
    } else if (id.size < current.size) {
      open(true);
      options.onReopen?.('truncated');
    } else {
      current = id;
    }
    if (folderWatch === null) schedule(checkMs);
  };

  const schedule = (ms: number): void => {
    if (disposed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(check, ms);
  };

  open(options.fromBeginning);
  const name = nodePath.basename(options.hostPath);
  try {
    folderWatch = fs.watch(nodePath.dirname(options.hostPath), (_event, file) => {
      if (file === null || file === name) schedule(0);
    });
    folderWatch.on('error', () => {
      folderWatch?.close();
      folderWatch = null;
      schedule(checkMs);
    });
  } catch {
    folderWatch = null;
    schedule(checkMs);
  }

  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      folderWatch?.close();
      stopTail();
    },
  };
}
