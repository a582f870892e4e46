// Reads /dev/kmsg (Documentation/ABI/testing/dev-kmsg). Each read() returns exactly one record;
// EPIPE means records were overwritten before we read them and the next read continues; EAGAIN
// (O_NONBLOCK) means nothing new. Node has no lseek(), so "start at the end" is done by reading
// and discarding what is already there, synchronously at open (a few ms for a full ring). The fd
// is non-blocking and polled, so no libuv thread sits in a blocking read forever (net.Socket
// refuses a character device: ERR_INVALID_FD_TYPE, and a pending fs.read would keep the process
// from exiting). The poll backs off while the kernel is quiet — every 250 ms for a while after a
// record, then doubling up to every 30 s — so an idle laptop is not woken 4 times a second for
// hours (the same budget `egpu watch` keeps with the journal: nothing more often than every
// 30 s); a quiet system's next message can then take up to that long to arrive.
//
// Also works on a FIFO or a regular file standing in for /dev/kmsg under a test --root.

import * as fs from 'node:fs';
import { toDisposable, type Disposable } from '../common/disposable.js';
import type { AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import { fsError } from './system-root.js';

export type KmsgReaderOptions = {
  /** Host path (SystemRoot.hostPath('/dev/kmsg')). */
  readonly hostPath: string;
  /** Discard the records already in the buffer: deliver only what is logged from now on. */
  readonly skipExisting: boolean;
  /** How long to wait after EAGAIN before reading again, while records are recent. */
  readonly pollMs?: number;
  /** After this long without a record, the wait doubles per empty poll … */
  readonly idleAfterMs?: number;
  /** … up to this. */
  readonly maxPollMs?: number;
  /** One read's worth of text: one record with its continuation lines (several for a file). */
  readonly onChunk: (chunk: string) => void;
  /** Records were overwritten before we read them (EPIPE); reading goes on. */
  readonly onOverrun?: () => void;
  /** Reading stopped for good. */
  readonly onError: (e: AppError) => void;
};

/** Records are at most ~1 KiB of text plus dictionary; 16 KiB never gives EINVAL. */
const BUFFER_BYTES = 16 * 1024;
/** Reads per turn of the event loop before yielding. */
const BATCH = 256;

/** Whether /dev/kmsg can be opened for reading (needs CAP_SYSLOG when dmesg_restrict=1). */
export function probeKmsg(hostPath: string): Result<void> {
  try {
    fs.closeSync(fs.openSync(hostPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    return ok(undefined);
  } catch (e) {
    return err(fsError(e, hostPath));
  }
}

export const KMSG_POLL = { pollMs: 250, idleAfterMs: 10_000, maxPollMs: 30_000 } as const;

/**
 * The wait before the next read after an empty one: `pollMs` while the last record is recent,
 * then double the previous wait, capped at `maxPollMs`.
 */
export function nextPollDelay(
  previousMs: number,
  sinceLastRecordMs: number,
  o: { readonly pollMs: number; readonly idleAfterMs: number; readonly maxPollMs: number },
): number {
  if (sinceLastRecordMs < o.idleAfterMs) return o.pollMs;
  return Math.min(o.maxPollMs, Math.max(o.pollMs, previousMs * 2));
}

/** Longest backlog skipped at open: far more records than the largest printk ring holds. */
const MAX_DRAIN_READS = 1_000_000;

/**
 * Reads and drops everything already buffered, synchronously, so "now" is the moment of opening
 * (an asynchronous drain would also swallow records logged right after the open).
 */
function drain(fd: number, buf: Buffer, hostPath: string): Result<void> {
  for (let i = 0; i < MAX_DRAIN_READS; i++) {
    try {
      if (fs.readSync(fd, buf, 0, buf.length, null) === 0) return ok(undefined);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') continue;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return ok(undefined);
      return err(fsError(e, hostPath));
    }
  }
  return ok(undefined);
}

export function openKmsgReader(options: KmsgReaderOptions): Result<Disposable> {
  let fd: number;
  try {
    fd = fs.openSync(options.hostPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    return err(fsError(e, options.hostPath));
  }
  const buf = Buffer.allocUnsafe(BUFFER_BYTES);
  const pacing = {
    pollMs: options.pollMs ?? KMSG_POLL.pollMs,
    idleAfterMs: options.idleAfterMs ?? KMSG_POLL.idleAfterMs,
    maxPollMs: options.maxPollMs ?? KMSG_POLL.maxPollMs,
  };
  let wait = pacing.pollMs;
  let lastRecordAt = performance.now();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  const close = (): void => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
    try {
      fs.closeSync(fd);
    } catch {
      // Already closed.
    }
  };

  const sleep = (): void => {
    wait = nextPollDelay(wait, performance.now() - lastRecordAt, pacing);
    timer = setTimeout(turn, wait);
  };

  const turn = (): void => {
    timer = undefined;
    immediate = undefined;
    for (let i = 0; i < BATCH && !closed; i++) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          options.onOverrun?.();
          continue;
        }
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          sleep();
          return;
        }
        close();
        options.onError(fsError(e, options.hostPath));
        return;
      }
      if (n === 0) {
        // A regular file or a FIFO without writer: nothing more for now.
        sleep();
        return;
      }
      lastRecordAt = performance.now();
      wait = pacing.pollMs;
      // Records are ASCII (the kernel escapes other bytes as \xNN), so latin1 loses nothing.
      options.onChunk(buf.toString('latin1', 0, n));
    }
    if (!closed) immediate = setImmediate(turn);
  };
  if (options.skipExisting) {
    const drained = drain(fd, buf, options.hostPath);
    if (!drained.ok) {
      close();
      return drained;
    }
  }
  immediate = setImmediate(turn);
  return ok(toDisposable(close));
}
