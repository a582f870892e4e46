// The rules of user hooks (docs/hooks.md), pure: which files in hooks.d may run and why the others
// are ignored, the environment a hook gets, and the words for how a run ended. hook-runner.ts
// does the reading and spawning.
//
// Like run-parts(8) and NetworkManager-dispatcher(8): every executable in the folder, in byte
// order of the names, skipping backup and package-manager leftovers. Like OpenSSH's StrictModes
// (sshd_config(5)): a file anyone but its owner could change is not run, and neither is one
// owned by someone else — a hook runs with the user's rights, so only the user may write it.

import type { FileStat } from '../../platform/system-root.js';
import type { Result } from '../../common/result.js';
import type { HookFacts } from './hook-events.js';

/** Per hook, unless the caller sets another (docs/hooks.md). */
export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;

export type IgnoreCode =
  | 'name'
  | 'unreadable'
  | 'not-regular'
  | 'not-executable'
  | 'folder-writable'
  | 'folder-owner'
  | 'not-owner'
  | 'writable'
  | 'not-a-program';

export type IgnoredHook = {
  readonly name: string;
  readonly code: IgnoreCode;
  readonly reason: string;
};

/**
 * Ignored on purpose by the user or their package manager: a hook switched off (chmod -x), an
 * editor's or dpkg's leftovers. The others are what a person should fix (doctor warns).
 */
export const QUIET_IGNORES: ReadonlySet<IgnoreCode> = new Set(['name', 'not-executable']);

/**
 * Why a name is skipped, or null. NetworkManager-dispatcher(8)'s list: hidden files, editor
 * backups (`~`, `.swp`), rpm's `.rpmsave`/`.rpmorig`/`.rpmnew` and dpkg's `.dpkg-*`
 * (`.dpkg-old`, `.dpkg-dist`, `.dpkg-new`, `.dpkg-tmp`); run-parts(8) skips the same kinds of
 * name. Unlike run-parts' default, a name may have a dot (`10-stop-render.sh`).
 */
export function skippedName(name: string): string | null {
  if (name.startsWith('.')) return 'a hidden file (its name starts with a dot)';
  if (name.endsWith('~') || name.endsWith('.swp') || /^#.*#$/.test(name))
    return 'an editor backup or swap file';
  if (/\.(rpmsave|rpmorig|rpmnew)$/.test(name) || /\.dpkg-[^.]*$/.test(name))
    return 'a package manager’s leftover';
  return null;
}

const S_IWGRP = 0o020;
const S_IWOTH = 0o002;
const S_IXUSR = 0o100;

/** Why the hooks folder itself cannot be trusted, or null. */
export function folderProblem(
  folder: FileStat,
  uid: number,
): { readonly code: IgnoreCode; readonly reason: string } | null {
  if (folder.uid !== uid && folder.uid !== 0)
    return {
      code: 'folder-owner',
      reason: `the hooks folder belongs to uid ${folder.uid}, not to you (uid ${uid}) or root`,
    };
  if ((folder.mode & (S_IWGRP | S_IWOTH)) !== 0)
    return {
      code: 'folder-writable',
      reason: 'the hooks folder is writable by group or others, who could put a program there',
    };
  return null;
}

/** `#!` (an interpreter line) or `\x7fELF` (a binary): what execve(2) runs by itself. */
function isProgram(head: Uint8Array | null): boolean {
  if (head === null) return false;
  if (head[0] === 0x23 && head[1] === 0x21) return true;
  return head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

/** The entry as read: its stat after following symlinks and its first bytes. */
export type HookCandidate = {
  readonly name: string;
  readonly stat: Result<FileStat>;
  readonly head: Uint8Array | null;
};

/** Why an entry of the folder does not run, or null when it runs. */
export function vetHook(
  c: HookCandidate,
  folder: FileStat,
  uid: number,
): { readonly code: IgnoreCode; readonly reason: string } | null {
  const named = skippedName(c.name);
  if (named !== null) return { code: 'name', reason: `${named}; such names are skipped` };
  if (!c.stat.ok)
    return {
      code: 'unreadable',
      reason:
        c.stat.error.code === 'not-found'
          ? 'it points to nothing (a dangling symlink?)'
          : `it cannot be read (${c.stat.error.message})`,
    };
  const st = c.stat.value;
  if (st.kind !== 'file')
    return {
      code: 'not-regular',
      reason: `not a regular file (a ${st.kind === 'dir' ? 'directory' : st.kind})`,
    };
  if ((st.mode & S_IXUSR) === 0)
    return { code: 'not-executable', reason: 'not executable (`chmod u+x` turns it on)' };
  const f = folderProblem(folder, uid);
  if (f !== null) return f;
  if (st.uid !== uid)
    return { code: 'not-owner', reason: `owned by uid ${st.uid}, not by you (uid ${uid})` };
  if ((st.mode & (S_IWGRP | S_IWOTH)) !== 0)
    return { code: 'writable', reason: 'writable by group or others (`chmod go-w` fixes it)' };
  if (!isProgram(c.head))
    return {
      code: 'not-a-program',
      reason:
        'it starts with neither `#!` nor an ELF header, so only a shell could run it — add a `#!` line',
    };
  return null;
}

/** What the folder holds: the hooks that run, in order, and the files that do not, with why. */
export type HookListing = {
  readonly dir: string;
  /** 'absent': no folder (no hooks, nothing wrong). */
  readonly folder: 'present' | 'absent' | 'unreadable';
  readonly hooks: readonly string[];
  readonly ignored: readonly IgnoredHook[];
  /** Why no hook runs at all (eGPU Guard runs as root; the folder cannot be read); else null. */
  readonly notRun: string | null;
};

export const ROOT_REFUSAL = 'eGPU Guard runs as root, and hooks never run as root';

/**
 * The decision over a folder as read. `uid`: the user eGPU Guard runs as (null: unknown, as on a
 * system without getuid — then nothing runs).
 */
export function listingOf(
  dir: string,
  read: Result<{
    readonly folder: FileStat;
    readonly entries: readonly HookCandidate[];
    readonly truncated: boolean;
  }>,
  uid: number | null,
): HookListing {
  if (!read.ok) {
    const absent = read.error.detail?.['errno'] === 'ENOENT';
    return {
      dir,
      folder: absent ? 'absent' : 'unreadable',
      hooks: [],
      ignored: [],
      notRun: absent ? null : `the hooks folder cannot be read (${read.error.message})`,
    };
  }
  const who = uid ?? -1;
  const hooks: string[] = [];
  const ignored: IgnoredHook[] = [];
  for (const c of read.value.entries) {
    const why = vetHook(c, read.value.folder, who);
    if (why === null) hooks.push(c.name);
    else ignored.push({ name: c.name, ...why });
  }
  const notRun =
    uid === 0
      ? ROOT_REFUSAL
      : uid === null
        ? 'the user eGPU Guard runs as is not known, so no hook can be checked'
        : null;
  return {
    dir,
    folder: 'present',
    hooks: notRun === null ? hooks : [],
    ignored: read.value.truncated
      ? [
          ...ignored,
          { name: '…', code: 'unreadable', reason: 'more files than eGPU Guard looks at (256)' },
        ]
      : ignored,
    notRun,
  };
}

const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Passed on when set: what a desktop program needs to reach the session (docs/hooks.md). */
const PASSED = [
  'HOME',
  'USER',
  'XDG_RUNTIME_DIR',
  'DBUS_SESSION_BUS_ADDRESS',
  'DISPLAY',
  'WAYLAND_DISPLAY',
] as const;

/**
 * Names come from the device (a Thunderbolt enclosure names itself) and pci.ids: no control
 * characters reach a hook's environment or the log (a NUL would not even pass execve(2)).
 */
export const printable = (s: string): string =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u001f\u007f]/g, ' ');

/** A hook's whole environment: a small sane base from ours, and the event's facts. */
export function hookEnv(
  f: HookFacts,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of PASSED) {
    const v = env[k];
    if (v !== undefined && v !== '') out[k] = printable(v);
  }
  const path = env['PATH'];
  out['PATH'] = path !== undefined && path !== '' ? printable(path) : DEFAULT_PATH;
  out['EGPU_EVENT'] = f.event;
  out['EGPU_BDF'] = printable(f.bdf);
  out['EGPU_NAME'] = printable(f.name);
  out['EGPU_STATE'] = printable(f.state);
  out['EGPU_FROM'] = printable(f.from);
  out['EGPU_ENCLOSURE'] = printable(f.enclosure);
  return out;
}

/**
 * Where a hook starts: the home folder, as systemd.exec(5) starts a user service
 * (WorkingDirectory= "defaults to … the respective user's home directory"); else '/'.
 */
export function hookCwd(env: Readonly<Record<string, string | undefined>>): string {
  const home = env['HOME'];
  return home !== undefined && home.startsWith('/') ? home : '/';
}

/** How one hook run ended, as the runner saw it. */
export type HookOutcome = {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly spawnError: string | null;
  readonly durationMs: number;
};

export const succeeded = (o: HookOutcome): boolean =>
  o.exitCode === 0 && !o.timedOut && !o.aborted && o.spawnError === null;

/** The last non-empty line of stderr, else of stdout: what the hook said last; '' if nothing. */
export function lastLine(o: Pick<HookOutcome, 'stdout' | 'stderr'>): string {
  for (const text of [o.stderr, o.stdout]) {
    const line = text
      .split('\n')
      .map((l) => printable(l).trim())
      .filter((l) => l !== '')
      .at(-1);
    if (line !== undefined) return line.length > 300 ? `${line.slice(0, 299)}…` : line;
  }
  return '';
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** "exited with status 1", "did not finish within 10 s and was stopped" … for logs and notices. */
export function endWords(o: HookOutcome, timeoutMs: number): string {
  if (o.spawnError !== null) return `could not be started (${o.spawnError})`;
  if (o.timedOut) return `did not finish within ${seconds(timeoutMs)} and was stopped`;
  if (o.aborted) return 'was stopped because eGPU Guard is exiting';
  if (o.signal !== null) return `was killed by ${o.signal}`;
  return `exited with status ${o.exitCode ?? '?'}`;
}

/** The eject's result when a pre-eject hook says no (docs/hooks.md). */
export function preEjectRefusal(hook: string, o: HookOutcome, timeoutMs: number): string {
  const said = lastLine(o);
  const why =
    o.exitCode !== null && o.exitCode !== 0 && !o.timedOut
      ? said !== ''
        ? `refused: ${said}`
        : `refused (exit status ${o.exitCode})`
      : `${endWords(o, timeoutMs)}${said !== '' ? `: ${said}` : ''}`;
  return `Pre-eject hook "${printable(hook)}" ${why}. Nothing was changed.`;
}

const LOG_LINES = 20;

/** One log entry: when, which event and hook, how it ended, and the tail of what it printed. */
export function logEntry(
  at: number,
  f: HookFacts,
  hook: string,
  o: HookOutcome,
  timeoutMs: number,
): string {
  const end = succeeded(o) ? 'exited with status 0' : endWords(o, timeoutMs);
  const head = `${new Date(at).toISOString()} ${f.event} ${printable(f.bdf)} "${printable(hook)}": ${end} after ${seconds(o.durationMs)}`;
  const tail = (text: string, mark: string): string[] =>
    text
      .split('\n')
      .map((l) => printable(l).trimEnd())
      .filter((l) => l !== '')
      .slice(-LOG_LINES)
      .map((l) => `  ${mark} ${l.length > 500 ? `${l.slice(0, 499)}…` : l}`);
  return [head, ...tail(o.stdout, '|'), ...tail(o.stderr, '!')].join('\n') + '\n';
}
