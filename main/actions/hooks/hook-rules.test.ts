// The rules of user hooks as tables (docs/hooks.md): names skipped, the vetting of each file from
// its stat, the environment, and the words of a run's end.
import { describe, expect, it } from 'vitest';
import { appError } from '../../common/errors.js';
import { err, ok } from '../../common/result.js';
import type { FileStat } from '../../platform/system-root.js';
import {
  hookEnv,
  lastLine,
  listingOf,
  logEntry,
  preEjectRefusal,
  skippedName,
  vetHook,
  type HookCandidate,
  type HookOutcome,
} from './hook-rules.js';

const UID = 1000;
const stat = (over: Partial<FileStat> = {}): FileStat => ({
  kind: 'file',
  uid: UID,
  mode: 0o755,
  size: 10,
  rdev: 0n,
  ...over,
});
const SHEBANG = new Uint8Array([0x23, 0x21, 0x2f, 0x62]);
const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46]);
const cand = (
  name: string,
  s: Partial<FileStat> = {},
  head: Uint8Array | null = SHEBANG,
): HookCandidate => ({
  name,
  stat: ok(stat(s)),
  head,
});
const FOLDER = stat({ kind: 'dir', mode: 0o700 });

describe('names', () => {
  it.each([
    ['10-stop-render', null],
    ['10-stop-render.sh', null],
    ['restart_ollama', null],
    ['.hidden', 'a hidden file (its name starts with a dot)'],
    ['10-x~', 'an editor backup or swap file'],
    ['.10-x.swp', 'a hidden file (its name starts with a dot)'],
    ['10-x.swp', 'an editor backup or swap file'],
    ['#10-x#', 'an editor backup or swap file'],
    ['10-x.dpkg-old', 'a package manager’s leftover'],
    ['10-x.dpkg-dist', 'a package manager’s leftover'],
    ['10-x.dpkg-new', 'a package manager’s leftover'],
    ['10-x.rpmnew', 'a package manager’s leftover'],
    ['10-x.rpmsave', 'a package manager’s leftover'],
    ['10-x.rpmorig', 'a package manager’s leftover'],
  ])('%s → %s', (name, why) => {
    expect(skippedName(name)).toBe(why);
  });
});

describe('vetting one file', () => {
  it.each<[string, HookCandidate, FileStat, string | null]>([
    ['a script of the user', cand('10-a'), FOLDER, null],
    ['a binary of the user', cand('10-a', {}, ELF), FOLDER, null],
    ['a root-owned folder is fine', cand('10-a'), stat({ kind: 'dir', uid: 0, mode: 0o755 }), null],
    ['a dotfile', cand('.10-a'), FOLDER, 'name'],
    ['a directory', cand('10-a', { kind: 'dir' }), FOLDER, 'not-regular'],
    ['a FIFO', cand('10-a', { kind: 'fifo' }), FOLDER, 'not-regular'],
    ['switched off', cand('10-a', { mode: 0o644 }), FOLDER, 'not-executable'],
    ['executable by others only', cand('10-a', { mode: 0o611 }), FOLDER, 'not-executable'],
    ['someone else’s', cand('10-a', { uid: 1001 }), FOLDER, 'not-owner'],
    ['root’s', cand('10-a', { uid: 0 }), FOLDER, 'not-owner'],
    ['group-writable', cand('10-a', { mode: 0o775 }), FOLDER, 'writable'],
    ['world-writable', cand('10-a', { mode: 0o757 }), FOLDER, 'writable'],
    ['setuid but fine otherwise', cand('10-a', { mode: 0o4755 }), FOLDER, null],
    ['no #! line', cand('10-a', {}, new Uint8Array([0x65, 0x63])), FOLDER, 'not-a-program'],
    ['unreadable head', cand('10-a', {}, null), FOLDER, 'not-a-program'],
    [
      'a folder others write to',
      cand('10-a'),
      stat({ kind: 'dir', mode: 0o777 }),
      'folder-writable',
    ],
    [
      'a group-writable folder',
      cand('10-a'),
      stat({ kind: 'dir', mode: 0o770 }),
      'folder-writable',
    ],
    ['someone else’s folder', cand('10-a'), stat({ kind: 'dir', uid: 1001 }), 'folder-owner'],
  ])('%s', (_what, c, folder, code) => {
    expect(vetHook(c, folder, UID)?.code ?? null).toBe(code);
  });

  it('a dangling symlink says so', () => {
    const c: HookCandidate = {
      name: '10-a',
      stat: err(appError('not-found', '/x/10-a: ENOENT', { errno: 'ENOENT' })),
      head: null,
    };
    expect(vetHook(c, FOLDER, UID)).toEqual({
      code: 'unreadable',
      reason: 'it points to nothing (a dangling symlink?)',
    });
  });
});

describe('the listing', () => {
  const read = ok({
    folder: FOLDER,
    entries: [cand('10-a'), cand('20-b', { mode: 0o644 })],
    truncated: false,
  });

  it('keeps the order and names why the others do not run', () => {
    expect(listingOf('/h', read, UID)).toMatchObject({
      folder: 'present',
      hooks: ['10-a'],
      ignored: [{ name: '20-b', code: 'not-executable' }],
      notRun: null,
    });
  });

  it('runs nothing as root or as nobody known', () => {
    expect(listingOf('/h', read, 0)).toMatchObject({
      hooks: [],
      notRun: 'eGPU Guard runs as root, and hooks never run as root',
    });
    expect(listingOf('/h', read, null).hooks).toEqual([]);
  });

  it('tells an absent folder from an unreadable one', () => {
    const absent = err(appError('not-found', '/h: ENOENT', { errno: 'ENOENT' }));
    const denied = err(appError('permission-denied', '/h: EACCES', { errno: 'EACCES' }));
    expect(listingOf('/h', absent, UID)).toMatchObject({ folder: 'absent', notRun: null });
    expect(listingOf('/h', denied, UID)).toMatchObject({
      folder: 'unreadable',
      notRun: 'the hooks folder cannot be read (/h: EACCES)',
    });
  });
});

describe('the environment', () => {
  const facts = {
    event: 'attached' as const,
    bdf: '0000:0a:00.0',
    name: 'Evil\u0000Name\nwith lines',
    state: 'attached',
    from: 'connected',
    enclosure: '',
  };

  it('is the facts and a small base, nothing else of ours', () => {
    const env = hookEnv(facts, {
      HOME: '/home/alice',
      USER: 'alice',
      PATH: '/usr/bin',
      XDG_RUNTIME_DIR: '/run/user/1000',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
      WAYLAND_DISPLAY: 'wayland-0',
      DISPLAY: '',
      LD_PRELOAD: '/tmp/evil.so',
      SSH_AUTH_SOCK: '/run/x',
    });
    expect(env).toEqual({
      HOME: '/home/alice',
      USER: 'alice',
      PATH: '/usr/bin',
      XDG_RUNTIME_DIR: '/run/user/1000',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
      WAYLAND_DISPLAY: 'wayland-0',
      EGPU_EVENT: 'attached',
      EGPU_BDF: '0000:0a:00.0',
      // A device-supplied name never carries control characters (a NUL would not pass execve).
      EGPU_NAME: 'Evil Name with lines',
      EGPU_STATE: 'attached',
      EGPU_FROM: 'connected',
      EGPU_ENCLOSURE: '',
    });
  });

  it('has a PATH even when ours has none', () => {
    expect(hookEnv(facts, {})['PATH']).toBe('/usr/local/bin:/usr/bin:/bin');
  });
});

describe('the words of a run', () => {
  const outcome = (over: Partial<HookOutcome>): HookOutcome => ({
    exitCode: 1,
    signal: null,
    stdout: '',
    stderr: '',
    timedOut: false,
    aborted: false,
    spawnError: null,
    durationMs: 1234,
    ...over,
  });

  it('the last line is stderr’s, else stdout’s', () => {
    expect(lastLine({ stdout: 'out\n', stderr: 'first\nlast\n\n' })).toBe('last');
    expect(lastLine({ stdout: 'a\nb\n', stderr: '  \n' })).toBe('b');
    expect(lastLine({ stdout: '', stderr: '' })).toBe('');
  });

  it.each<[Partial<HookOutcome>, string]>([
    [
      { stderr: 'render job running\n' },
      'Pre-eject hook "10-x" refused: render job running. Nothing was changed.',
    ],
    [{ exitCode: 3 }, 'Pre-eject hook "10-x" refused (exit status 3). Nothing was changed.'],
    [
      { exitCode: null, signal: 'SIGKILL', timedOut: true },
      'Pre-eject hook "10-x" did not finish within 10 s and was stopped. Nothing was changed.',
    ],
    [
      { exitCode: null, spawnError: 'EACCES' },
      'Pre-eject hook "10-x" could not be started (EACCES). Nothing was changed.',
    ],
    [
      { exitCode: null, signal: 'SIGSEGV', stderr: 'oops' },
      'Pre-eject hook "10-x" was killed by SIGSEGV: oops. Nothing was changed.',
    ],
  ])('pre-eject refusal %#', (o, words) => {
    expect(preEjectRefusal('10-x', outcome(o), 10_000)).toBe(words);
  });

  it('a log entry: when, what, how it ended, and the output marked by stream', () => {
    expect(
      logEntry(
        Date.UTC(2025, 0, 2, 3, 4, 5),
        {
          event: 'unplugged',
          bdf: '0000:0a:00.0',
          name: 'x',
          state: 'unplugged-after-eject',
          from: 'safe-to-unplug',
          enclosure: '',
        },
        '10-x',
        outcome({ exitCode: 0, stdout: 'one\ntwo\n', stderr: 'warn\n' }),
        10_000,
      ),
    ).toBe(
      '2025-01-02T03:04:05.000Z unplugged 0000:0a:00.0 "10-x": exited with status 0 after 1.2 s\n' +
        '  | one\n  | two\n  ! warn\n',
    );
  });
});
