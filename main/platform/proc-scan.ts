// Raw, fast reading of what processes hold, for `egpu clients`: /proc/<pid>/fd links, fdinfo of
// GPU-looking fds, device pathnames in /proc/<pid>/maps, and who a holder is (comm, cmdline,
// status). This is the hot loop of the client scan (a desktop has hundreds of processes, a build
// box thousands), so it uses plain fs calls with prebuilt paths and one reused buffer. Most of
// its time is the kernel's: generating each maps file (about half), then the fd links — the same
// work fuser does per process.
//
// Two ways to run it. The long-running core (watch, the tray app) scans on its own thread in
// slices, so that udev and journal events are still handled meanwhile. A one-shot `egpu clients`
// shares the work with one worker thread, started before the command loads the rest of itself:
// both claim chunks of pids from a shared counter until none is left, so a worker that boots late
// or a busy second core costs little (the calling thread simply takes more chunks). The /proc
// work runs side by side on two cores; a worker costs ~30-40 ms to boot, which the calling thread
// spends loading the inventory code. `npm run bench` (clients) keeps watch.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export type RawFd = { readonly fd: string; readonly target: string; readonly fdinfo?: string };

/** What /proc says about who a process is; null where the file could not be read. */
export type RawIdentity = {
  readonly comm: string | null;
  readonly cmdline: string | null;
  readonly status: string | null;
};

export type RawProcess = {
  readonly pid: string;
  readonly status: 'ok' | 'denied' | 'vanished';
  /** GPU-looking fds only (device nodes under /dev/dri, /dev/nvidia*, /dev/kfd, dma-bufs). */
  readonly fds: readonly RawFd[];
  /** GPU-looking device pathnames from maps (target paths). */
  readonly mapped: readonly string[];
  /** Read right after the fds and maps, for a process that has GPU-looking fds or mappings. */
  readonly identity?: RawIdentity;
};

export type ProcScanRequest = {
  /** Host folder standing for /proc. */
  readonly procDir: string;
  /** Host folder standing for / ('' for the real root): stripped from link targets. */
  readonly rootPrefix: string;
  readonly pids: readonly string[];
};

/** A scan under way: `finish` resolves with what every pid in `pids` holds. */
export type ProcScanJob = {
  readonly pids: readonly string[];
  finish(): Promise<RawProcess[]>;
  /** How many of the pids a worker thread scanned (for tests and the bench). */
  scannedByWorker(): number;
};

/** Only these targets can be GPU nodes; everything else (sockets, pipes, files) is skipped. */
export function looksLikeGpuNode(target: string): boolean {
  return (
    target.startsWith('/dev/dri/') ||
    target.startsWith('/dev/nvidia') ||
    target.startsWith('/dev/kfd') ||
    target.startsWith('/dmabuf:') ||
    target === 'anon_inode:dmabuf'
  );
}

const wantsFdinfo = (target: string): boolean =>
  target.startsWith('/dev/dri/') || target.startsWith('/dmabuf:') || target === 'anon_inode:dmabuf';

const errno = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'EIO';

const DEV = Buffer.from('/dev/');

// One buffer per thread, reused for every file read here, grown when a file does not fit.
let buffer = Buffer.allocUnsafe(1 << 16);

/**
 * Reads a /proc file into `buffer`, at most `max` bytes; the byte count, or -1 when it cannot be
 * opened or read. seq_file hands out about a page per read(), so this reads until read() returns
 * 0 — except with `single`, for files made by single_open() (comm, status, fdinfo): those produce
 * their whole text in one go and a read() that returns less than asked has returned all of it
 * (the kernel's fs/seq_file.c, seq_read_iter), which saves the second read.
 */
function readProcFile(path: string, max: number, single: boolean): number {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    let total = 0;
    while (total < max) {
      if (total === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, total);
        buffer = bigger;
      }
      const want = Math.min(buffer.length, max) - total;
      const n = fs.readSync(fd, buffer, total, want, null);
      total += n;
      if (n === 0 || (single && n < want)) break;
    }
    return total;
  } catch {
    return -1;
  } finally {
    fs.closeSync(fd);
  }
}

function readProcText(path: string, max: number, single: boolean): string | null {
  const n = readProcFile(path, max, single);
  return n < 0 ? null : buffer.toString('utf8', 0, n);
}

/** Pathnames (sixth maps column) of lines mentioning '/dev/'. */
export function mappedPaths(maps: string): string[] {
  const out = new Set<string>();
  let at = maps.indexOf('/dev/');
  while (at >= 0) {
    const lineStart = maps.lastIndexOf('\n', at) + 1;
    const lineEnd = maps.indexOf('\n', at);
    const line = maps.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (m) out.add(m[1]!.trim());
    if (lineEnd < 0) break;
    at = maps.indexOf('/dev/', lineEnd);
  }
  return [...out];
}

/** maps text, or '' when no line can name a device, or null when it cannot be read. */
function readMaps(path: string): string | null {
  const n = readProcFile(path, Infinity, false);
  if (n < 0) return null;
  // Decode only when a device mapping can be in there.
  return buffer.subarray(0, n).indexOf(DEV) >= 0 ? buffer.toString('utf8', 0, n) : '';
}

const readIdentity = (base: string): RawIdentity => ({
  comm: readProcText(`${base}/comm`, 256, true),
  cmdline: readProcText(`${base}/cmdline`, 64 * 1024, false),
  status: readProcText(`${base}/status`, 16 * 1024, true),
});

/** Scans one process. */
function scanOne(req: ProcScanRequest, pid: string): RawProcess {
  const prefix = req.rootPrefix;
  const strip = (t: string): string =>
    prefix !== '' && t.startsWith(prefix + '/') ? t.slice(prefix.length) : t;
  const base = `${req.procDir}/${pid}`;
  let names: string[];
  try {
    names = fs.readdirSync(`${base}/fd`);
  } catch (e) {
    const code = errno(e);
    return {
      pid,
      status: code === 'EACCES' || code === 'EPERM' ? 'denied' : 'vanished',
      fds: [],
      mapped: [],
    };
  }
  const fds: RawFd[] = [];
  let lost = 0;
  for (let i = 0; i < names.length; i++) {
    const fd = names[i]!;
    let target: string;
    try {
      target = strip(fs.readlinkSync(`${base}/fd/${fd}`));
    } catch (e) {
      lost++; // closed since readdir, or the process is gone
      // Reading a link needs ptrace read access to the process (proc(5), "ptrace access mode
      // checking"), decided per process: one refusal means the rest are refused too, and each
      // would cost a thrown error.
      const code = errno(e);
      if (code === 'EACCES' || code === 'EPERM') {
        lost += names.length - i - 1;
        break;
      }
      continue;
    }
    if (!looksLikeGpuNode(target)) continue;
    let fdinfo: string | undefined;
    if (wantsFdinfo(target)) {
      // gone meanwhile: the link alone still counts
      fdinfo = readProcText(`${base}/fdinfo/${fd}`, Infinity, true) ?? undefined;
    }
    fds.push(fdinfo === undefined ? { fd, target } : { fd, target, fdinfo });
  }
  if (lost > 0 && lost === names.length && !fs.existsSync(`${base}/fd`)) {
    return { pid, status: 'vanished', fds: [], mapped: [] };
  }
  const maps = readMaps(`${base}/maps`);
  const mapped = maps ? mappedPaths(maps).map(strip).filter(looksLikeGpuNode) : [];
  if (fds.length === 0 && mapped.length === 0) return { pid, status: 'ok', fds, mapped };
  return { pid, status: 'ok', fds, mapped, identity: readIdentity(base) };
}

export function scanProcessesSync(req: ProcScanRequest): RawProcess[] {
  return req.pids.map((pid) => scanOne(req, pid));
}

/** Pids scanned between two turns of the event loop. */
const SLICE = 24;

/**
 * Scans every pid in slices with a turn of the event loop between them: a long-running core
 * (watch, the tray app) must keep handling udev and journal events while it scans.
 */
export async function scanProcesses(req: ProcScanRequest): Promise<RawProcess[]> {
  const out: RawProcess[] = [];
  for (let i = 0; i < req.pids.length; i += SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const pid of req.pids.slice(i, i + SLICE)) out.push(scanOne(req, pid));
  }
  return out;
}

/** The pids under a /proc folder (its numeric entries); none when it cannot be listed. */
export function listPids(procDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(procDir);
  } catch {
    return [];
  }
  return names.filter((p) => p.charCodeAt(0) >= 48 && p.charCodeAt(0) <= 57);
}

/** The request for every process of a SystemRoot's process table. */
export function procScanRequest(root: {
  readonly root: string;
  readonly procDir: string;
}): ProcScanRequest {
  return {
    procDir: root.procDir,
    rootPrefix: root.root === '/' ? '' : root.root,
    pids: listPids(root.procDir),
  };
}

/** The core's scan: on this thread, in slices. */
export function slicedScan(req: ProcScanRequest): ProcScanJob {
  return { pids: req.pids, finish: () => scanProcesses(req), scannedByWorker: () => 0 };
}

// Shared scan state, an Int32Array over a SharedArrayBuffer: the next chunk to claim, whether the
// worker has started claiming, then per chunk who claimed it.
const NEXT = 0;
const WORKER_CLAIMING = 1;
const OWNER = 2;
const BY_WORKER = 1;
/** Pids per claim: small enough that the last chunk is a short wait, large enough to be cheap. */
const CHUNK = 8;

export type SharedScanData = { readonly req: ProcScanRequest; readonly state: Int32Array };

/**
 * Claims chunks until none is left; returns the processes worth reporting (a process with nothing
 * GPU-looking is left out: it tells the caller nothing and need not cross threads).
 */
export function scanClaimedChunks(
  data: SharedScanData,
  byWorker: boolean,
  whenWorkerScans?: () => void,
): RawProcess[] {
  const { req, state } = data;
  const chunks = Math.ceil(req.pids.length / CHUNK);
  const out: RawProcess[] = [];
  if (byWorker) Atomics.store(state, WORKER_CLAIMING, 1);
  let told = whenWorkerScans === undefined;
  for (;;) {
    if (!told && Atomics.load(state, WORKER_CLAIMING) === 1) {
      told = true;
      whenWorkerScans?.();
    }
    const c = Atomics.add(state, NEXT, 1);
    if (c >= chunks) return out;
    if (byWorker) Atomics.store(state, OWNER + c, BY_WORKER);
    scanChunk(req, c, out);
  }
}

function scanChunk(req: ProcScanRequest, c: number, out: RawProcess[]): void {
  const end = Math.min(req.pids.length, (c + 1) * CHUNK);
  for (let i = c * CHUNK; i < end; i++) {
    const raw = scanOne(req, req.pids[i]!);
    if (raw.status !== 'ok' || raw.fds.length > 0 || raw.mapped.length > 0) out.push(raw);
  }
}

export type SharedScanOptions = {
  /** Called on this thread once, between two chunks, when the worker has started scanning. */
  readonly whenWorkerScans?: () => void;
};

/**
 * `egpu clients`: starts a worker thread on the scan now, and `finish` scans on this thread too.
 * Where the compiled worker is missing (sources run by Vitest) or cannot start, this thread scans
 * everything; a worker that fails after claiming chunks has them scanned here again.
 */
export function sharedScan(req: ProcScanRequest, options: SharedScanOptions = {}): ProcScanJob {
  const chunks = Math.ceil(req.pids.length / CHUNK);
  const data: SharedScanData = {
    req,
    state: new Int32Array(new SharedArrayBuffer(4 * (OWNER + chunks))),
  };
  let worker: Worker | null = null;
  let workerFailed = false;
  let result: Promise<RawProcess[] | null> = Promise.resolve(null);
  // Next to this file in dist/; not there in the sources, nor beside a single-file bundle.
  const file = nodePath.join(
    nodePath.dirname(fileURLToPath(import.meta.url)),
    'proc-scan-worker.js',
  );
  if (chunks > 1 && fs.existsSync(file)) {
    try {
      const w = new Worker(file, { workerData: data, trackUnmanagedFds: false });
      result = new Promise((resolve) => {
        w.once('message', (raws: RawProcess[]) => resolve(raws));
        w.once('error', () => resolve(null));
        w.once('exit', () => resolve(null)); // after its message, if it sent one
      });
      worker = w;
    } catch {
      worker = null;
    }
  }
  return {
    pids: req.pids,
    async finish() {
      const out = scanClaimedChunks(data, false, options.whenWorkerScans);
      // No chunk is left, so a worker that has not started claiming by now never will.
      if (worker === null || Atomics.load(data.state, WORKER_CLAIMING) === 0) {
        void worker?.terminate();
        return out;
      }
      const theirs = await result;
      if (theirs !== null) return out.concat(theirs);
      for (let c = 0; c < chunks; c++) {
        if (Atomics.load(data.state, OWNER + c) === BY_WORKER) scanChunk(req, c, out);
      }
      workerFailed = true;
      return out;
    },
    scannedByWorker() {
      let n = 0;
      for (let c = 0; c < chunks && !workerFailed; c++) {
        if (Atomics.load(data.state, OWNER + c) === BY_WORKER)
          n += Math.min(req.pids.length, (c + 1) * CHUNK) - c * CHUNK;
      }
      return n;
    },
  };
}
