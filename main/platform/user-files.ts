// Files and streams the user hands to a command (`egpu explain FILE`, `… | egpu explain`), as
// opposed to system paths, which go through SystemRoot. Expected failures are Results with one
// clear sentence: missing, a directory, permission denied, too large. FIFOs and /proc-style
// files that report size 0 (`egpu explain <(journalctl -k)`) are read to their end.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';

/** Beyond this a log is refused rather than risking V8's string and memory limits. */
export const MAX_USER_FILE_BYTES = 256 * 1024 * 1024;

export type ReadUserFileOptions = {
  readonly maxBytes?: number;
  /** Where to put the bytes (e.g. a scanner's own memory, to save a copy of a 50 MB log). */
  readonly allocate?: (size: number) => Uint8Array;
};

const CHUNK = 1 << 20;

const mib = (n: number): string => `${Math.round(n / (1024 * 1024))} MiB`;

function userFileError(e: unknown, path: string): AppError {
  const errno =
    typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
      ? e.code
      : 'EIO';
  const detail = { errno, path };
  switch (errno) {
    case 'ENOENT':
      return appError('not-found', `${path}: no such file`, detail);
    case 'ENOTDIR':
      return appError('not-found', `${path}: a part of the path is not a directory`, detail);
    case 'EISDIR':
      return appError('invalid-input', `${path}: is a directory`, detail);
    case 'EACCES':
    case 'EPERM':
      return appError('permission-denied', `${path}: permission denied`, detail);
    case 'ELOOP':
      return appError('invalid-input', `${path}: too many symbolic links`, detail);
    default:
      return appError('io', `${path}: cannot be read (${errno})`, detail);
  }
}

const tooLarge = (path: string, max: number): AppError =>
  appError(
    'invalid-input',
    `${path}: larger than ${mib(max)}; pass a part of it (e.g. tail -c 100M)`,
    {
      path,
    },
  );

function readToEnd(fd: number, path: string, max: number): Result<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK);
    const n = fs.readSync(fd, buf, 0, CHUNK, null);
    if (n === 0) break;
    total += n;
    if (total > max) return err(tooLarge(path, max));
    chunks.push(buf.subarray(0, n));
  }
  return ok(Buffer.concat(chunks, total));
}

/** The bytes of a file the user named. */
export function readUserFile(path: string, options: ReadUserFileOptions = {}): Result<Uint8Array> {
  const max = options.maxBytes ?? MAX_USER_FILE_BYTES;
  let fd: number | undefined;
  try {
    // O_NONBLOCK is not used: a FIFO given on purpose should be waited for, like cat does.
    fd = fs.openSync(path, 'r');
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) return err(userFileError({ code: 'EISDIR' }, path));
    if (!st.isFile() || st.size === 0) {
      const all = readToEnd(fd, path, max);
      if (!all.ok || options.allocate === undefined) return all;
      const into = options.allocate(all.value.length);
      into.set(all.value);
      return ok(into);
    }
    if (st.size > max) return err(tooLarge(path, max));
    const into = options.allocate?.(st.size) ?? Buffer.allocUnsafe(st.size);
    let total = 0;
    while (total < into.length) {
      const n = fs.readSync(fd, into, total, into.length - total, null);
      if (n === 0) break; // the file shrank while we read it
      total += n;
    }
    return ok(total === into.length ? into : into.subarray(0, total));
  } catch (e) {
    return err(userFileError(e, path));
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export type ReadUserInputOptions = ReadUserFileOptions & {
  /** Ends the wait (Ctrl+C): the result is a 'cancelled' error. */
  readonly signal?: AbortSignal;
};

const interrupted = (what: string): AppError =>
  appError('cancelled', `interrupted while waiting for ${what}`);

/**
 * Like readUserFile, but a FIFO is waited for without blocking the event loop, so SIGINT and
 * SIGTERM still end the command. A blocking open(2) of a FIFO sleeps until a writer comes
 * (fifo(7)) — in Node, on the main thread, where no signal handler can run. Opened with
 * O_NONBLOCK it returns at once, and the wait moves into the event loop's epoll: Linux reports
 * no hang-up on a FIFO that has had no writer since it was opened (fs/pipe.c, pipe_poll), so the
 * read waits for the writer like `cat` does, and only until the signal.
 */
export async function readUserInput(
  path: string,
  options: ReadUserInputOptions = {},
): Promise<Result<Uint8Array>> {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFIFO()) {
      fs.closeSync(fd);
      fd = undefined;
      return readUserFile(path, options);
    }
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    return err(userFileError(e, path));
  }
  const pipe = new net.Socket({ fd, readable: true, writable: false });
  const read = await readStreamBytes(pipe, options.maxBytes, options.signal, `${path} (a FIFO)`);
  pipe.destroy();
  if (!read.ok || options.allocate === undefined) return read;
  const into = options.allocate(read.value.length);
  into.set(read.value);
  return ok(into);
}

/** Everything a stream (stdin, a FIFO) delivers until its end, as bytes. */
export async function readStreamBytes(
  stream: NodeJS.ReadableStream,
  maxBytes: number = MAX_USER_FILE_BYTES,
  signal?: AbortSignal,
  what = 'standard input',
): Promise<Result<Buffer>> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Ending the stream ends the loop below; the abort then decides the result.
  const stop = (): void => {
    const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
    if (typeof s.destroy === 'function') s.destroy();
    else stream.emit('end');
  };
  // A function, not the property: TypeScript would keep the narrowing of the first check.
  const aborted = (): boolean => signal?.aborted === true;
  if (aborted()) return err(interrupted(what));
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of stream) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      total += b.length;
      if (total > maxBytes) return err(tooLarge(what, maxBytes));
      chunks.push(b);
    }
  } catch (e) {
    if (aborted()) return err(interrupted(what));
    const message = e instanceof Error ? e.message : String(e);
    return err(appError('io', `${what}: cannot be read (${message})`));
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  if (aborted()) return err(interrupted(what));
  return ok(Buffer.concat(chunks, total));
}
