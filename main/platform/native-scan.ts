// The /proc scan of a one-shot `egpu clients` in a small C program (native/proc-scan.c, built into
// dist/native/ by scripts/build-native.mjs where a C compiler is found), started as soon as the
// command knows which /proc to read: two threads with no Node worker to boot and no unoptimized
// JavaScript per syscall (README, "Figures": clients vs fuser). It reads the same files as
// proc-scan.ts's scanOne and prints them; this module turns its output into the same RawProcess
// records, so everything decided about them stays in TypeScript. Without the program, or when it
// fails, the scan falls back to proc-scan.ts.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  commFromStatus,
  type ProcScanJob,
  type ProcScanRequest,
  type RawFd,
  type RawIdentity,
  type RawProcess,
} from './proc-scan.js';
import { createSystemRoot } from './system-root.js';

/**
 * dist/native/egpu-proc-scan beside dist/main; null where it was not built, or with
 * EGPU_NATIVE_SCAN=0 in the environment (to compare with, or to rule it out).
 */
export function nativeScanner(): string | null {
  if (process.env['EGPU_NATIVE_SCAN'] === '0') return null;
  const here = nodePath.dirname(fileURLToPath(import.meta.url));
  const file = nodePath.join(here, '..', '..', 'native', 'egpu-proc-scan');
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return file;
  } catch {
    return null;
  }
}

/** Reads the program's netstrings ("<length>:<bytes>") one at a time. */
class Fields {
  #at = 0;
  constructor(readonly data: Buffer) {}

  bytes(): Buffer {
    // The length's digits read in place: thousands of fields, and no string for each length.
    const d = this.data;
    let at = this.#at;
    let n = 0;
    while (at < d.length && d[at]! >= 48 && d[at]! <= 57 && at - this.#at < 10)
      n = n * 10 + d[at++]! - 48;
    if (at === this.#at || at >= d.length || d[at] !== 58 || at + 1 + n > d.length)
      throw new Error('malformed output');
    this.#at = at + 1 + n;
    return d.subarray(at + 1, at + 1 + n);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  count(): number {
    const n = Number(this.bytes().toString('latin1'));
    if (!Number.isInteger(n) || n < 0) throw new Error('malformed count');
    return n;
  }

  /** A "1" flag and its text, or a "0" flag: null. */
  optional(): string | null {
    return this.text() === '1' ? this.text() : null;
  }
}

/** The records and the count of pids the program scanned; throws on output it cannot read. */
export function parseNativeScan(data: Buffer): { raws: RawProcess[]; scanned: number } {
  const f = new Fields(data);
  const raws: RawProcess[] = [];
  for (;;) {
    const pid = f.text();
    if (pid === 'end') return { raws, scanned: f.count() };
    const status = f.text();
    if (status !== 'ok' && status !== 'denied' && status !== 'vanished')
      throw new Error(`unknown status '${status}'`);
    const fds: RawFd[] = [];
    for (let n = f.count(); n > 0; n--) {
      const fd = f.text();
      const target = f.text();
      const fdinfo = f.optional();
      fds.push(fdinfo === null ? { fd, target } : { fd, target, fdinfo });
    }
    const mapped: string[] = [];
    for (let n = f.count(); n > 0; n--) mapped.push(f.text());
    if (f.text() !== '1') {
      raws.push({ pid, status, fds, mapped });
      continue;
    }
    const statusText = f.optional();
    const commFlag = f.text();
    const comm =
      commFlag === '-' ? commFromStatus(statusText ?? '') : commFlag === '1' ? f.text() : null;
    const identity: RawIdentity = { comm, cmdline: f.optional(), status: statusText };
    raws.push({ pid, status, fds, mapped, identity });
  }
}

type Run = {
  readonly procDir: string;
  readonly rootPrefix: string;
  readonly output: Promise<Buffer | null>;
};

/** Runs the program; its whole output, or null when it could not run or failed. */
function run(program: string, procDir: string, rootPrefix: string): Run {
  const chunks: Buffer[] = [];
  const output = new Promise<Buffer | null>((resolve) => {
    let child;
    try {
      child = spawn(program, [procDir, rootPrefix], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      resolve(null);
      return;
    }
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.once('error', () => resolve(null));
    child.once('close', (code) => resolve(code === 0 ? Buffer.concat(chunks) : null));
  });
  return { procDir, rootPrefix, output };
}

/** A run started before the command had loaded (bin/egpu.js), for the scan it will ask for. */
let early: Run | null = null;

/**
 * `egpu clients` from bin/egpu.js, before the rest of the CLI loads: starts the program on the
 * /proc and root that `--proc` and `--root` name (as createSystemRoot reads them), so the scan
 * runs while Node loads the command. The command takes it only if it asks for the same scan.
 */
export function startEarlyNativeScan(argv: readonly string[]): boolean {
  const program = nativeScanner();
  if (program === null) return false;
  const value = (flag: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === flag) return argv[i + 1];
      if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    }
    return undefined;
  };
  let where: { root: string; procDir: string };
  try {
    const root = value('--root');
    const proc = value('--proc');
    where = createSystemRoot({
      ...(root === undefined ? {} : { root }),
      ...(proc === undefined ? {} : { proc }),
    });
  } catch {
    return false; // the command will say what is wrong with its arguments
  }
  early = run(program, where.procDir, where.root === '/' ? '' : where.root);
  return true;
}

/**
 * A scan of `req` by the program — the one started early when it read the same /proc and root,
 * else a new run; `finish` parses its answer, or, where it fails or answers what cannot be read,
 * scans with `fallback` instead. `req.pids` is the count the report gives (the program lists
 * /proc itself).
 */
export function nativeScan(
  req: ProcScanRequest,
  program: string,
  fallback: () => ProcScanJob,
): ProcScanJob {
  const started =
    early !== null && early.procDir === req.procDir && early.rootPrefix === req.rootPrefix
      ? early
      : run(program, req.procDir, req.rootPrefix);
  early = null;
  let byFallback: ProcScanJob | null = null;
  return {
    pids: req.pids,
    async finish() {
      const output = await started.output;
      if (output !== null) {
        try {
          return parseNativeScan(output).raws;
        } catch {
          // Output it cannot read: scanned again below.
        }
      }
      byFallback = fallback();
      return byFallback.finish();
    },
    scannedByWorker: () => byFallback?.scannedByWorker() ?? 0,
  };
}
