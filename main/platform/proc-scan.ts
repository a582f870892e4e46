// Raw, fast reading of what processes hold, for `egpu clients`: /proc/<pid>/fd links, fdinfo of
// GPU-looking fds, device pathnames in /proc/<pid>/maps, and who a holder is (comm, cmdline,
// status). This is the hot loop of the client scan (a desktop has hundreds of processes, a build
// box thousands), so it uses plain fs calls with prebuilt paths and one reused buffer. Most of
// its time is the kernel's: generating each maps file (about half), then the fd links — the same
// work fuser does per process.
//
// Two ways to run it. The long-running core's periodic rescan runs on its own thread in slices,
// so that udev and journal events are still handled meanwhile. A scan someone waits for (`egpu
// clients`, the window's Refresh, `Clients` over D-Bus) is shared with a worker thread: both
// claim chunks of pids from a shared counter until none is left, so a worker that boots late or
// a busy second core costs little (the calling thread simply takes more chunks). The /proc work
// runs side by side on two cores. A worker costs ~30-40 ms to boot: `egpu clients` starts it
// before the command has loaded (bin/egpu.js), the session's core keeps its worker between
// scans. `npm run bench` (clients) keeps watch.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export type RawFd = { readonly fd: string; readonly target: string; readonly fdinfo?: string };

/** What /proc says about who a process is; null where the file could not be read. */
export type RawIdentity = {
  readonly comm: string | null;
  readonly cmdline: string | null;
  /** The status text; from the C scanner (native-scan.ts) only its Name and Uid lines. */
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

/** Which process table to read, and the root its link targets are relative to. */
export type ProcScanTarget = {
  /** Host folder standing for /proc. */
  readonly procDir: string;
  /** Host folder standing for / ('' for the real root): stripped from link targets. */
  readonly rootPrefix: string;
  /**
   * The process table is this host's own (/proc with --root, no --proc): its links name this
   * host's files, and only those under rootPrefix belong to the machine the root stands for —
   * the host's compositor holding its own /dev/dri/card0 does not use the sysroot's card0. A
   * --proc table stands for the target machine itself and names its paths unprefixed.
   */
  readonly hostTable?: boolean;
};

export type ProcScanRequest = ProcScanTarget & { readonly pids: readonly string[] };

/** A scan under way: `finish` resolves with what the processes it lists hold. */
export type ProcScanJob = {
  finish(): Promise<RawProcess[]>;
  /** How many processes it looked at (once `finish` has resolved). */
  scanned(): number;
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
 * (the kernel's fs/seq_file.c, seq_read_iter), which saves the second read. `ended`, when given,
 * says from the bytes read so far that the file is complete (readMaps).
 */
function readProcFile(
  path: string,
  max: number,
  single: boolean,
  ended?: (total: number) => boolean,
): number {
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
      if (n === 0 || (single && n < want) || ended?.(total) === true) break;
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

/**
 * Pathnames (sixth maps column) of lines mentioning '/dev/'. The C scanner asks the kernel for the
 * same paths (PROCMAP_QUERY) of files on the filesystem at ROOT/dev only, so a file hidden under
 * that mount point yet named like a node there counts here and not there (native/proc-scan.c).
 */
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

/**
 * The first bytes of the last line of every x86-64 maps file: the vsyscall page, the "gate" area
 * the kernel lists after the process's own mappings (fs/proc/task_mmu.c, m_next and
 * get_gate_vma; arch/x86/entry/vsyscall/vsyscall_64.c). Kernel addresses: no file is mapped there.
 */
const GATE_LINE = Buffer.from('\nffffffffff600000-ffffffffff601000 ');

/** Whether buffer[0, end) ends with the gate line and its newline. */
function endsWithGateLine(end: number): boolean {
  if (end < GATE_LINE.length + 1 || buffer[end - 1] !== 10) return false;
  const lineStart = buffer.lastIndexOf(10, end - 2) + 1;
  return (
    lineStart > 0 &&
    end - lineStart > GATE_LINE.length &&
    buffer.compare(GATE_LINE, 1, GATE_LINE.length, lineStart, lineStart + GATE_LINE.length - 1) ===
      0
  );
}

/** maps text, or '' when no line can name a device, or null when it cannot be read. */
export function readMaps(path: string): string | null {
  // A read that ends in the gate line ends the file: the read() that would return 0 is skipped
  // (one syscall per process, each taking the process's mmap lock again). Without a gate area
  // (other architectures, 32-bit processes, vsyscall=none) it reads until read() returns 0.
  const n = readProcFile(path, Infinity, false, endsWithGateLine);
  if (n < 0) return null;
  // Decode only when a device mapping can be in there.
  return buffer.subarray(0, n).indexOf(DEV) >= 0 ? buffer.toString('utf8', 0, n) : '';
}

/**
 * The comm in a status text's Name line, unescaped: the kernel writes a newline in it as "\\n"
 * and a backslash as "\\\\" (fs/proc/array.c, proc_task_name); null without a Name line.
 */
export function commFromStatus(status: string): string | null {
  if (!status.startsWith('Name:\t')) return null;
  const end = status.indexOf('\n');
  const name = status.slice(6, end < 0 ? undefined : end);
  return name.includes('\\')
    ? name.replace(/\\(n|\\)/g, (_, c) => (c === 'n' ? '\n' : '\\'))
    : name;
}

/**
 * Who a process is. status has its comm too (the Name line), which saves opening comm; cmdline's
 * read returns all that is asked while there is more (fs/proc/base.c, get_mm_cmdline), so a
 * shorter read was the whole of it.
 */
function readIdentity(base: string): RawIdentity {
  const status = readProcText(`${base}/status`, 16 * 1024, true);
  const comm =
    (status === null ? null : commFromStatus(status)) ?? readProcText(`${base}/comm`, 256, true);
  return { comm, cmdline: readProcText(`${base}/cmdline`, 64 * 1024, true), status };
}

/** Scans one process. */
function scanOne(req: ProcScanRequest, pid: string): RawProcess {
  const prefix = req.rootPrefix;
  const foreign = req.hostTable === true && prefix !== '' ? '' : null;
  // '' (nothing a GPU node can be) for a host file outside the root (ProcScanTarget.hostTable).
  const strip = (t: string): string =>
    prefix !== '' && t.startsWith(prefix + '/') ? t.slice(prefix.length) : (foreign ?? t);
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

/** A SystemRoot's process table, not listed yet (the C scanner lists it itself). */
export function procScanTarget(root: {
  readonly root: string;
  readonly procDir: string;
}): ProcScanTarget {
  const rootPrefix = root.root === '/' ? '' : root.root;
  return rootPrefix !== '' && root.procDir === '/proc'
    ? { procDir: root.procDir, rootPrefix, hostTable: true }
    : { procDir: root.procDir, rootPrefix };
}

/** The request for every process of a process table: its pids listed now. */
export function procScanRequest(target: ProcScanTarget): ProcScanRequest {
  return { ...target, pids: listPids(target.procDir) };
}

/** The core's scan: on this thread, in slices. */
export function slicedScan(req: ProcScanRequest): ProcScanJob {
  return {
    finish: () => scanProcesses(req),
    scanned: () => req.pids.length,
    scannedByWorker: () => 0,
  };
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

/** A scan order to the worker thread, and its answer (proc-scan-worker.ts). */
export type ScanOrder = { readonly id: number; readonly data: SharedScanData };
export type ScanAnswer = { readonly id: number; readonly raws: RawProcess[] };

/**
 * A worker thread kept for shared scans: booted once (~30-40 ms), then idle — blocked on its
 * message port, no timers — between scans. The session's long-running core keeps one, so that a
 * `Clients` call is answered by two threads without paying the boot each time.
 */
export type ScanWorker = {
  /** A scan shared with the worker; the worker starts on it as soon as it has booted. */
  scan(req: ProcScanRequest, options?: SharedScanOptions): ProcScanJob;
  /** Ends the thread; a later scan starts a new one. */
  dispose(): void;
};

/**
 * The compiled worker: next to this file in dist/main (proc-scan-worker.js), or beside the
 * service's single-file bundle (proc-scan-worker.cjs, scripts/build-service.mjs). Not there when
 * the sources run under Vitest: then this thread scans everything.
 */
function workerFile(): string | null {
  const here = nodePath.dirname(fileURLToPath(import.meta.url));
  for (const name of ['proc-scan-worker.js', 'proc-scan-worker.cjs']) {
    const file = nodePath.join(here, name);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

export function startScanWorker(): ScanWorker {
  const file = workerFile();
  let worker: Worker | null = null;
  let nextId = 1;
  /** Answers awaited, by order id; the worker is ref'ed only while one is. */
  const waiting = new Map<number, (raws: RawProcess[] | null) => void>();

  const release = (id: number, raws: RawProcess[] | null): void => {
    const resolve = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker?.unref();
    resolve?.(raws);
  };
  const ensure = (): Worker | null => {
    if (worker !== null || file === null) return worker;
    let w: Worker;
    try {
      w = new Worker(file, { trackUnmanagedFds: false });
    } catch {
      return null;
    }
    const lost = (): void => {
      if (worker !== w) return;
      worker = null;
      for (const id of [...waiting.keys()]) release(id, null);
    };
    w.on('message', (a: ScanAnswer) => release(a.id, a.raws));
    w.once('error', lost);
    w.once('exit', lost);
    // An idle worker must not keep the process alive: `egpu clients` exits when it has printed,
    // the service when it is told to.
    w.unref();
    worker = w;
    return w;
  };

  return {
    scan(req, options = {}) {
      const chunks = Math.ceil(req.pids.length / CHUNK);
      const data: SharedScanData = {
        req,
        state: new Int32Array(new SharedArrayBuffer(4 * (OWNER + chunks))),
      };
      const w = chunks > 1 ? ensure() : null;
      const id = nextId++;
      let answer: Promise<RawProcess[] | null> = Promise.resolve(null);
      if (w !== null) {
        answer = new Promise((resolve) => waiting.set(id, resolve));
        w.ref();
        w.postMessage({ id, data } satisfies ScanOrder);
      }
      let workerFailed = false;
      return {
        scanned: () => req.pids.length,
        async finish() {
          const out = scanClaimedChunks(data, false, options.whenWorkerScans);
          // No chunk is left, so a worker that has not started claiming by now never will: its
          // (empty) answer is not waited for.
          if (w === null || Atomics.load(data.state, WORKER_CLAIMING) === 0) {
            if (waiting.has(id)) release(id, null);
            return out;
          }
          const theirs = await answer;
          if (theirs !== null) return out.concat(theirs);
          // The worker died after claiming chunks: they are scanned here again.
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
    },
    dispose() {
      const w = worker;
      worker = null;
      for (const id of [...waiting.keys()]) release(id, null);
      void w?.terminate();
    },
  };
}

/** A worker started before the command that needs it has loaded (bin/egpu.js, `egpu clients`). */
let early: ScanWorker | null = null;

/**
 * Starts the scan worker now, for the next sharedScan of this process: its ~30-40 ms of boot then
 * overlap Node loading the rest of the command instead of following it.
 */
export function startEarlyScanWorker(): void {
  early ??= startScanWorker();
}

/**
 * `egpu clients`: a scan shared with a worker thread that ends with it. The worker starts on the
 * scan as soon as it has booted; `finish` scans on this thread too.
 */
export function sharedScan(req: ProcScanRequest, options: SharedScanOptions = {}): ProcScanJob {
  const worker = early ?? startScanWorker();
  early = null;
  const job = worker.scan(req, options);
  return {
    scanned: () => job.scanned(),
    finish: () => job.finish().finally(() => worker.dispose()),
    scannedByWorker: () => job.scannedByWorker(),
  };
}
