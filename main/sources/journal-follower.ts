// Kernel messages from the journal: `journalctl -k -f -o json` (or `--file FILE … _TRANSPORT=kernel`)
// under supervision. Every delivered record's __CURSOR is remembered and persisted (atomically,
// coalesced), and each (re)start resumes with `--after-cursor=<last> --no-tail`, so a killed child
// or a restarted app loses nothing and delivers nothing twice (cursors are de-duplicated too).
//
// journalctl facts this relies on (journalctl(1), checked by hand on systemd 252):
// - `-o json` implies --quiet, so "No journal files were found." and the permission hints are only
//   printed in the default output mode: a short probe run (`-n 0`) detects them, exit code 0 or not.
// - With `-f`, journalctl shows only the last 10 entries unless `--no-tail`, even after a cursor.
// - With `--file`, `-k` means "the last boot in that file": filter `_TRANSPORT=kernel` instead.

import type { Disposable } from '../common/disposable.js';
import type { Clock } from '../platform/clock.js';
import type { CommandRunner, CommandSpec } from '../platform/command-runner.js';
import { readStateFile, writeStateFileAtomic } from '../platform/state-files.js';
import type { SystemRoot } from '../platform/system-root.js';
import {
  statusEvent,
  type EventSource,
  type OnSourceEvent,
  type SourceState,
} from '../common/source-events.js';
import { cursorBootId, parseJournalLine } from '../platform/journal-parse.js';
import { probeJournal } from '../platform/journal-probe.js';
import {
  createSupervisedChild,
  describeExit,
  type BackoffOptions,
  type SupervisedChild,
} from './supervised-child.js';

export type JournalFollowerOptions = {
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly root: SystemRoot;
  readonly onEvent: OnSourceEvent;
  /** Follow this journal file (host path, `--journal-file`) instead of the system journal. */
  readonly journalFile?: string;
  /** Follow the journal files in this folder (host path; e.g. a copied /var/log/journal). */
  readonly journalDirectory?: string;
  /** Where the last delivered cursor is kept (host path); null keeps it in memory only. */
  readonly cursorPath: string | null;
  readonly journalctlPath?: string;
  readonly backoff?: Partial<BackoffOptions>;
  /** Cursor writes are coalesced: at most one per this many ms (plus one on dispose). */
  readonly persistDelayMs?: number;
};

export type JournalFollower = EventSource & {
  childPid(): number | undefined;
  lastCursor(): string | undefined;
};

const SEEN_LIMIT = 4096;

export function createJournalFollower(options: JournalFollowerOptions): JournalFollower {
  const name = 'journal';
  const { clock, onEvent } = options;
  const journalctl = options.journalctlPath ?? 'journalctl';
  // -k: kernel transport of the current boot; a file or folder: every kernel entry in it.
  const system = options.journalFile === undefined && options.journalDirectory === undefined;
  const selector =
    options.journalFile !== undefined
      ? [`--file=${options.journalFile}`, '_TRANSPORT=kernel']
      : options.journalDirectory !== undefined
        ? [`--directory=${options.journalDirectory}`, '_TRANSPORT=kernel']
        : ['-k'];
  const seen = new Set<string>();
  let cursor: string | undefined;
  let persisted: string | undefined;
  let fromStart = false;
  let child: SupervisedChild | null = null;
  let persistTimer: Disposable | null = null;
  let started = false;
  let disposed = false;
  let positionNote = '';

  const status = (state: SourceState, detail: string): void =>
    onEvent(statusEvent(name, state, detail, clock.now()));

  const persistNow = (): void => {
    persistTimer?.dispose();
    persistTimer = null;
    if (options.cursorPath === null || cursor === undefined || cursor === persisted) return;
    const r = writeStateFileAtomic(options.cursorPath, cursor);
    if (r.ok) persisted = cursor;
    else status('degraded', `cannot save the journal cursor: ${r.error.message}`);
  };

  const schedulePersist = (): void => {
    if (options.cursorPath === null || persistTimer !== null) return;
    persistTimer = clock.setTimeout(persistNow, options.persistDelayMs ?? 250);
  };

  const onLine = (line: string): void => {
    const parsed = parseJournalLine(line, clock.now());
    if (parsed.kind !== 'record') return;
    if (parsed.journalTransport !== undefined && parsed.journalTransport !== 'kernel') return;
    const c = parsed.record.cursor;
    if (c !== undefined) {
      if (seen.has(c)) return;
      seen.add(c);
      if (seen.size > SEEN_LIMIT) {
        const oldest = seen.values().next().value;
        if (oldest !== undefined) seen.delete(oldest);
      }
      cursor = c;
      schedulePersist();
    }
    onEvent(parsed.record);
  };

  const spec = (): CommandSpec => {
    const position =
      cursor !== undefined
        ? [`--after-cursor=${cursor}`, '--no-tail']
        : fromStart
          ? ['--no-tail']
          : ['-n', '0'];
    return {
      file: journalctl,
      args: [...selector, '-f', '-o', 'json', '--no-pager', ...position],
    };
  };

  /** The saved cursor, unless it belongs to another boot (then -k would replay this whole boot). */
  const savedCursor = (): string | undefined => {
    if (options.cursorPath === null) return undefined;
    const r = readStateFile(options.cursorPath);
    if (!r.ok || r.value === '') return undefined;
    if (!system) return r.value;
    const boot = options.root.readText('/proc/sys/kernel/random/boot_id');
    const current = boot.ok ? boot.value.trim().replaceAll('-', '').toLowerCase() : undefined;
    const saved = cursorBootId(r.value);
    if (current !== undefined && saved !== undefined && saved !== current) {
      positionNote = '; the saved cursor is from an earlier boot, starting at the end';
      return undefined;
    }
    return r.value;
  };

  const prepare = async (): Promise<void> => {
    const probe = await probeJournal(options.runner, journalctl, selector);
    if (disposed) return;
    if (!probe.ok) {
      status('unavailable', probe.error.message);
      return;
    }
    cursor = savedCursor();
    persisted = cursor;
    if (cursor !== undefined) {
      positionNote = '; resuming after the saved cursor';
    } else {
      // Start "now", but as a cursor: a restarted child then resumes exactly there.
      cursor = probe.value.lastCursor;
      fromStart = probe.value.empty;
      schedulePersist();
    }
    child = createSupervisedChild({
      runner: options.runner,
      clock,
      spec,
      onLine,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      onSpawn: ({ restart }) => {
        const what = options.journalFile ?? options.journalDirectory ?? 'the system journal';
        status('running', `following ${what}${restart ? ' (restarted)' : positionNote}`);
      },
      onExit: ({ exit, restartInMs }) => {
        if (cursor !== undefined && /Failed to seek to cursor/.test(exit.stderr)) {
          // A corrupt or foreign cursor (journalctl: "Invalid argument") would fail forever.
          cursor = undefined;
          fromStart = false;
          status('degraded', 'journalctl rejected the saved cursor; following from now');
        }
        if (restartInMs === null) status('unavailable', `journalctl: ${describeExit(exit)}`);
        else
          status('restarting', `journalctl ${describeExit(exit)}; restarting in ${restartInMs} ms`);
      },
    });
    child.start();
  };

  return {
    name,
    start() {
      if (started) return;
      started = true;
      status('starting', 'checking the journal');
      void prepare();
    },
    childPid: () => child?.pid(),
    lastCursor: () => cursor,
    dispose() {
      if (disposed) return;
      disposed = true;
      child?.dispose();
      child = null;
      persistNow();
      if (started) status('stopped', 'journal follower stopped');
    },
  };
}
