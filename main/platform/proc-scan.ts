// Raw, fast reading of what processes hold, for `egpu clients`: /proc/<pid>/fd links, fdinfo of
// GPU-looking fds, and device pathnames in /proc/<pid>/maps. This is the hot loop of the client
// scan (a desktop has hundreds of processes, a build box thousands), so it uses plain fs calls
// with prebuilt paths, one read per maps file, and — for large process tables — worker threads,
// one per core: the per-process kernel work (generating maps, d_path of every fd) parallelises.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

export type RawFd = { readonly fd: string; readonly target: string; readonly fdinfo?: string };

export type RawProcess = {
  readonly pid: string;
  readonly status: 'ok' | 'denied' | 'vanished';
  /** GPU-looking fds only (device nodes under /dev/dri, /dev/nvidia*, /dev/kfd, dma-bufs). */
  readonly fds: readonly RawFd[];
  /** GPU-looking device pathnames from maps (target paths). */
  readonly mapped: readonly string[];
};

export type ProcScanRequest = {
  /** Host folder standing for /proc. */
  readonly procDir: string;
  /** Host folder standing for / ('' for the real root): stripped from link targets. */
  readonly rootPrefix: string;
  readonly pids: readonly string[];
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

// One buffer per thread, reused for every maps file. seq_file hands out about a page per read(),
// so read until it returns 0.
let mapsBuffer = Buffer.allocUnsafe(1 << 20);

function readMaps(path: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let total = 0;
    for (;;) {
      if (total === mapsBuffer.length) {
        const bigger = Buffer.allocUnsafe(mapsBuffer.length * 2);
        mapsBuffer.copy(bigger, 0, 0, total);
        mapsBuffer = bigger;
      }
      const n = fs.readSync(fd, mapsBuffer, total, mapsBuffer.length - total, null);
      if (n === 0) break;
      total += n;
    }
    // Decode only when a device mapping can be in there.
    return mapsBuffer.subarray(0, total).indexOf('/dev/') >= 0
      ? mapsBuffer.toString('utf8', 0, total)
      : '';
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
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

export function scanProcessesSync(req: ProcScanRequest): RawProcess[] {
  const strip = (t: string): string =>
    req.rootPrefix !== '' && t.startsWith(req.rootPrefix + '/')
      ? t.slice(req.rootPrefix.length)
      : t;
  const out: RawProcess[] = [];
  for (const pid of req.pids) {
    const base = `${req.procDir}/${pid}`;
    let names: string[];
    try {
      names = fs.readdirSync(`${base}/fd`);
    } catch (e) {
      const code = errno(e);
      out.push({
        pid,
        status: code === 'EACCES' || code === 'EPERM' ? 'denied' : 'vanished',
        fds: [],
        mapped: [],
      });
      continue;
    }
    const fds: RawFd[] = [];
    let lost = 0;
    for (const fd of names) {
      let target: string;
      try {
        target = strip(fs.readlinkSync(`${base}/fd/${fd}`));
      } catch {
        lost++; // closed since readdir, or the process is gone
        continue;
      }
      if (!looksLikeGpuNode(target)) continue;
      let fdinfo: string | undefined;
      if (wantsFdinfo(target)) {
        try {
          fdinfo = fs.readFileSync(`${base}/fdinfo/${fd}`, 'utf8');
        } catch {
          // gone meanwhile: the link alone still counts
        }
      }
      fds.push(fdinfo === undefined ? { fd, target } : { fd, target, fdinfo });
    }
    if (lost > 0 && lost === names.length && !fs.existsSync(`${base}/fd`)) {
      out.push({ pid, status: 'vanished', fds: [], mapped: [] });
      continue;
    }
    const maps = readMaps(`${base}/maps`);
    const mapped = maps ? mappedPaths(maps).map(strip).filter(looksLikeGpuNode) : [];
    out.push({ pid, status: 'ok', fds, mapped });
  }
  return out;
}

/** Pids scanned between two turns of the event loop on the in-process path. */
const SLICE = 24;

/**
 * The in-process scan, in slices with a turn of the event loop between them: a long-running core
 * (watch, the tray app) must keep handling udev and journal events while it scans.
 */
async function scanInSlices(req: ProcScanRequest): Promise<RawProcess[]> {
  const out: RawProcess[] = [];
  for (let i = 0; i < req.pids.length; i += SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    out.push(...scanProcessesSync({ ...req, pids: req.pids.slice(i, i + SLICE) }));
  }
  return out;
}

/** Below this many processes, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 400;
const WORKER_URL = new URL('./proc-scan-worker.js', import.meta.url);

/**
 * Scans in worker threads when the table is large and the compiled worker exists (it does in
 * dist/; when running from TypeScript sources, e.g. under vitest, the sync path is used).
 */
export async function scanProcesses(req: ProcScanRequest): Promise<RawProcess[]> {
  const threads = Math.min(os.availableParallelism(), 4);
  if (req.pids.length < PARALLEL_THRESHOLD || threads < 2 || !fs.existsSync(WORKER_URL)) {
    return scanInSlices(req);
  }
  const chunks = Array.from({ length: threads }, (_, i) =>
    req.pids.filter((_, j) => j % threads === i),
  );
  try {
    const parts = await Promise.all(
      chunks.map(
        (pids) =>
          new Promise<RawProcess[]>((resolve, reject) => {
            const w = new Worker(WORKER_URL, {
              workerData: { ...req, pids } satisfies ProcScanRequest,
            });
            w.once('message', (m: RawProcess[]) => resolve(m));
            w.once('error', reject);
            w.once('exit', (code) => reject(new Error(`proc scan worker exited ${code}`)));
          }),
      ),
    );
    return parts.flat();
  } catch {
    // A worker that cannot start (resource limits) must not cost the answer.
    return scanInSlices(req);
  }
}
