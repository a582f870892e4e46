// Raw, fast reading of what processes hold, for `egpu clients`: /proc/<pid>/fd links, fdinfo of
// GPU-looking fds, and device pathnames in /proc/<pid>/maps. This is the hot loop of the client
// scan (a desktop has hundreds of processes, a build box thousands), so it uses plain fs calls
// with prebuilt paths and one reused buffer for maps files. It runs on the calling thread, in
// slices: worker threads were tried and measured slower (2,000 processes on 2 cores: 0.46–0.59 s
// against 0.28–0.32 s in-process) — each worker boots a V8 isolate and reloads modules, and the
// kernel's /proc work did not run faster side by side. `npm run bench` (clients) keeps watch.

import * as fs from 'node:fs';

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
    out.push(...scanProcessesSync({ ...req, pids: req.pids.slice(i, i + SLICE) }));
  }
  return out;
}
