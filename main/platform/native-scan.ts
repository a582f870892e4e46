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
  procScanTarget,
  type ProcScanJob,
  type ProcScanTarget,
  type RawFd,
  type RawIdentity,
  type RawProcess,
} from './proc-scan.js';
import { createSystemRoot } from './system-root.js';

/**
 * dist/native/egpu-proc-scan beside dist/main, or the copy beside the session service's
 * single-file bundle (the packages install it there: assets/packaging/install-helper.sh); null
 * where it was not built, or with EGPU_NATIVE_SCAN=0 in the environment (to compare with, or to
 * rule it out).
 */
export function nativeScanner(): string | null {
  if (process.env['EGPU_NATIVE_SCAN'] === '0') return null;
  const here = nodePath.dirname(fileURLToPath(import.meta.url));
  for (const file of [
    nodePath.join(here, '..', '..', 'native', 'egpu-proc-scan'),
    nodePath.join(here, 'egpu-proc-scan'),
  ]) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not this one
    }
  }
  return null;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isOptional = (v: unknown): v is string | null => v === null || typeof v === 'string';

function malformed(what: string): never {
  throw new Error(`malformed output: ${what}`);
}

/** One [fd, target, fdinfo-or-null] of the program's output. */
function fdOf(v: unknown): RawFd {
  if (!Array.isArray(v) || v.length !== 3 || !isString(v[0]) || !isString(v[1])) malformed('an fd');
  const fdinfo: unknown = v[2];
  if (!isOptional(fdinfo)) malformed('an fdinfo');
  return fdinfo === null ? { fd: v[0], target: v[1] } : { fd: v[0], target: v[1], fdinfo };
}

/** [status-lines, comm, cmdline]: comm false means "the Name line of status". */
function identityOf(v: unknown): RawIdentity {
  if (!Array.isArray(v) || v.length !== 3) malformed('an identity');
  const [status, comm, cmdline] = v as unknown[];
  if (!isOptional(status) || !(comm === false || isOptional(comm)) || !isOptional(cmdline))
    malformed('an identity');
  return { comm: comm === false ? commFromStatus(status ?? '') : comm, cmdline, status };
}

/**
 * The records and the count of pids the program scanned (native/proc-scan.c says the shape);
 * throws on output it cannot read.
 */
export function parseNativeScan(data: Buffer): { raws: RawProcess[]; scanned: number } {
  const all: unknown = JSON.parse(data.toString('utf8'));
  if (!Array.isArray(all) || all.length === 0) malformed('not a list');
  const scanned: unknown = all[all.length - 1];
  if (typeof scanned !== 'number' || !Number.isInteger(scanned) || scanned < 0)
    malformed('no count');
  const raws: RawProcess[] = [];
  for (let i = 0; i < all.length - 1; i++) {
    const r: unknown = all[i];
    if (!Array.isArray(r) || r.length !== 5) malformed('a record');
    const [pid, status, fds, mapped, who] = r as unknown[];
    if (!isString(pid) || !/^\d+$/.test(pid)) malformed('a pid');
    if (status !== 'ok' && status !== 'denied' && status !== 'vanished')
      malformed(`status ${String(status)}`);
    if (!Array.isArray(fds) || !Array.isArray(mapped) || !mapped.every(isString))
      malformed('a record');
    const raw: RawProcess = { pid, status, fds: fds.map(fdOf), mapped: mapped };
    raws.push(who === 0 ? raw : { ...raw, identity: identityOf(who) });
  }
  return { raws, scanned };
}

type Run = {
  readonly target: ProcScanTarget;
  readonly output: Promise<Buffer | null>;
};

const sameTarget = (a: ProcScanTarget, b: ProcScanTarget): boolean =>
  a.procDir === b.procDir &&
  a.rootPrefix === b.rootPrefix &&
  (a.hostTable === true) === (b.hostTable === true);

/** Runs the program; its whole output, or null when it could not run or failed. */
function run(program: string, target: ProcScanTarget): Run {
  const chunks: Buffer[] = [];
  const args = [target.procDir, target.rootPrefix, ...(target.hostTable ? ['--host-table'] : [])];
  const output = new Promise<Buffer | null>((resolve) => {
    let child;
    try {
      child = spawn(program, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      resolve(null);
      return;
    }
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.once('error', () => resolve(null));
    child.once('close', (code) => resolve(code === 0 ? Buffer.concat(chunks) : null));
  });
  return { target, output };
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
  early = run(program, procScanTarget(where));
  return true;
}

/**
 * A scan of `target` by the program — the one started early when it read the same /proc and
 * root, else a new run; `finish` parses its answer, or, where it fails or answers what cannot be
 * read, scans with `fallback` instead. The program lists /proc itself: nothing here does (a
 * listing of 2,000 pids took ~9 ms of this thread while the program ran).
 */
export function nativeScan(
  target: ProcScanTarget,
  program: string,
  fallback: () => ProcScanJob,
): ProcScanJob {
  const started = early !== null && sameTarget(early.target, target) ? early : run(program, target);
  early = null;
  let byFallback: ProcScanJob | null = null;
  let scanned = 0;
  return {
    async finish() {
      const output = await started.output;
      if (output !== null) {
        try {
          const parsed = parseNativeScan(output);
          scanned = parsed.scanned;
          return parsed.raws;
        } catch {
          // Output it cannot read: scanned again below.
        }
      }
      byFallback = fallback();
      return byFallback.finish();
    },
    scanned: () => byFallback?.scanned() ?? scanned,
    scannedByWorker: () => byFallback?.scannedByWorker() ?? 0,
  };
}
