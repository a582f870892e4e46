// Follows a growing text file (kern.log, messages, `--kernel-log FILE`) and survives log rotation.
//
// Why not the `tail` package: it keeps everything after the last newline in one string and
// re-splits that whole string on every read, so a long line costs quadratic time — a 10 MB run
// of NUL bytes (what ext4 leaves in a log after a crash) took ~19 s of CPU before the next Xid
// was seen, and 300 MB pinned a core. It also lost the start of a re-created file after a
// rename. This follower reads the file in chunks from its own byte offset, cuts lines at '\n'
// (a '\r' before it is dropped) and also at NUL bytes (a text log never holds one; a NUL run is
// crash debris, and the record after it may follow on the same physical line), and caps a line
// at MAX_LINE_BYTES: the first MAX_LINE_BYTES are delivered, the rest of that line is skipped.
// Each byte is looked at a constant number of times, whatever the line lengths.
//
// Rotation: inotify on the file's folder (fs.watch; renames, creations, truncations and appends
// all show there) triggers a cheap stat(). Same inode and larger: read on. A different inode at
// the path: the old file is read to its end first (lines its writer appended before the rename
// are not lost), then the new one from its beginning. Smaller: truncated (copytruncate), read
// again from the beginning. Nothing polls while the log is quiet; only if the folder cannot be
// watched does the file itself get watched, and a slow stat() every checkMs (default 30 s)
// stands in for rotation.
// Known gap: with copytruncate, lines written between the copy and the truncation are lost (the
// writer's side of that race; logrotate(8) "copytruncate").

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
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

/** No kernel record is longer (printk caps one at 1–2 KiB; diagnose caps records at 16 KiB). */
export const MAX_LINE_BYTES = 64 * 1024;
const CHUNK_BYTES = 256 * 1024;
const NL = 0x0a;
const NUL = 0x00;

/** Splits a byte stream into lines: '\n' and NUL end a line, long lines are capped. */
export type LineCutter = {
  push(chunk: Uint8Array): void;
  /** Drops a partial line (the file was replaced or truncated). */
  reset(): void;
};

export function createLineCutter(onLine: (line: string) => void): LineCutter {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const pending = new Uint8Array(MAX_LINE_BYTES);
  let used = 0;
  /** The current line hit the cap: skip to its end. */
  let skipping = false;

  const emit = (bytes: Uint8Array, byNul: boolean): void => {
    let end = bytes.length;
    if (!byNul && end > 0 && bytes[end - 1] === 0x0d) end--;
    // A NUL ends a line only to resynchronise: the empty "lines" of a NUL run are not lines.
    if (byNul && end === 0) return;
    onLine(decoder.decode(bytes.subarray(0, end)));
  };

  return {
    push(chunk) {
      let start = 0;
      while (start < chunk.length) {
        // The next separator: '\n' or NUL, whichever comes first.
        let i = start;
        while (i < chunk.length && chunk[i] !== NL && chunk[i] !== NUL) i++;
        if (i > start && !skipping) {
          const room = MAX_LINE_BYTES - used;
          if (i - start >= room) {
            pending.set(chunk.subarray(start, start + room), used);
            emit(pending, false);
            used = 0;
            skipping = true;
          } else {
            pending.set(chunk.subarray(start, i), used);
            used += i - start;
          }
        }
        if (i === chunk.length) break;
        const byNul = chunk[i] === NUL;
        if (skipping) skipping = false;
        else emit(pending.subarray(0, used), byNul);
        used = 0;
        start = i + 1;
        // A NUL run (kilobytes to gigabytes of it) is crossed in one tight loop.
        if (byNul) while (start < chunk.length && chunk[start] === NUL) start++;
      }
    },
    reset() {
      used = 0;
      skipping = false;
    },
  };
}

type Identity = { ino: number; dev: number; size: number };

const identify = (path: string): Identity | null => {
  try {
    const s = fs.statSync(path);
    return s.isFile() ? { ino: s.ino, dev: s.dev, size: s.size } : null;
  } catch {
    return null;
  }
};

type Open = { fd: number; id: Identity; position: number };

export function followFile(options: FileFollowOptions): Disposable {
  const checkMs = options.checkMs ?? 30_000;
  let disposed = false;
  let missingReported = false;
  let timer: NodeJS.Timeout | undefined;
  let folderWatch: fs.FSWatcher | null = null;
  let fileWatch: fs.FSWatcher | null = null;
  let current: Open | null = null;
  /** A read loop is running; `again` asks it to look once more when it ends. */
  let busy = false;
  let again = false;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const cutter = createLineCutter((line) => {
    if (!disposed) options.onLine(line);
  });

  const close = (): void => {
    if (current !== null) fs.close(current.fd, () => undefined);
    current = null;
    fileWatch?.close();
    fileWatch = null;
    cutter.reset();
  };

  /** Reads from the open file's offset to its current end. */
  const drain = async (open: Open): Promise<void> => {
    for (;;) {
      const n = await new Promise<number>((resolve) =>
        fs.read(open.fd, buffer, 0, CHUNK_BYTES, open.position, (err, bytes) =>
          resolve(err ? 0 : bytes),
        ),
      );
      if (n <= 0 || disposed || current !== open) return;
      open.position += n;
      cutter.push(buffer.subarray(0, n));
      // Yield between chunks so a huge append does not starve the event loop.
      if (n === CHUNK_BYTES) await new Promise((r) => setImmediate(r));
    }
  };

  const openAt = (fromBeginning: boolean): boolean => {
    close();
    let fd: number;
    try {
      fd = fs.openSync(options.hostPath, 'r');
    } catch {
      return false;
    }
    let id: Identity;
    try {
      const s = fs.fstatSync(fd);
      if (!s.isFile()) throw new Error('not a file');
      id = { ino: s.ino, dev: s.dev, size: s.size };
    } catch {
      fs.close(fd, () => undefined);
      return false;
    }
    current = { fd, id, position: fromBeginning ? 0 : id.size };
    missingReported = false;
    if (folderWatch === null) {
      try {
        fileWatch = fs.watch(options.hostPath, () => schedule(0));
        fileWatch.on('error', () => schedule(0));
      } catch {
        fileWatch = null;
      }
    }
    return true;
  };

  const reportMissing = (): void => {
    if (!missingReported) options.onMissing?.();
    missingReported = true;
  };

  /** One look at the path: read on, or reopen after rotation, truncation or creation. */
  const step = async (): Promise<void> => {
    const id = identify(options.hostPath);
    const open = current;
    if (open === null) {
      if (id === null) return reportMissing();
      if (openAt(true)) {
        options.onReopen?.('created');
        await drain(current!);
      }
      return;
    }
    if (id === null || id.ino !== open.id.ino || id.dev !== open.id.dev) {
      await drain(open); // what the writer appended before it let go of the old file
      if (disposed || current !== open) return;
      close();
      if (id === null) return reportMissing();
      if (openAt(true)) {
        options.onReopen?.('rotated');
        await drain(current);
      }
      return;
    }
    if (id.size < open.position) {
      if (openAt(true)) {
        options.onReopen?.('truncated');
        await drain(current!);
      }
      return;
    }
    await drain(open);
  };

  const check = async (): Promise<void> => {
    timer = undefined;
    if (disposed) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        await step();
      } while (again && !disposed);
    } finally {
      busy = false;
    }
    if (folderWatch === null) schedule(checkMs);
  };

  const schedule = (ms: number): void => {
    if (disposed) return;
    if (busy && ms === 0) {
      again = true;
      return;
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void check(), ms);
  };

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
  }
  if (!openAt(options.fromBeginning)) reportMissing();
  else if (options.fromBeginning) schedule(0);
  if (folderWatch === null) schedule(checkMs);

  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      folderWatch?.close();
      close();
    },
  };
}
