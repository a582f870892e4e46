// Runs the user's hooks (docs/hooks.md): reads hooks.d afresh for each event (a hook added or
// switched off counts at once), runs every hook that passes the rules of hook-rules.ts one at a
// time in name order, each in its own process group under a time limit, and writes how each
// ended, with the tail of its output, to a bounded log in the user's state folder. A failure is
// also handed to `onFailure` (the core turns it into a Notice that `egpu watch` prints).

import * as nodePath from 'node:path';
import { appendBoundedLog } from '../../platform/bounded-log.js';
import { readFolderEntries } from '../../platform/folder-entries.js';
import { runInProcessGroup } from '../../platform/process-group.js';
import { defaultConfigPath, defaultStatePath } from '../../platform/state-files.js';
import type { SystemRoot } from '../../platform/system-root.js';
import type { HookFacts } from './hook-events.js';
import {
  DEFAULT_HOOK_TIMEOUT_MS,
  endWords,
  hookCwd,
  hookEnv,
  lastLine,
  listingOf,
  logEntry,
  preEjectRefusal,
  printable,
  succeeded,
  type HookListing,
  type HookOutcome,
} from './hook-rules.js';

/** The log's limit; the one before is kept as hooks.log.1. */
const LOG_MAX_BYTES = 256 * 1024;
/** Entries of hooks.d looked at: a folder of thousands is a mistake, not a set of hooks. */
const MAX_ENTRIES = 256;

/**
 * Where the hooks and their log are (host paths): `$XDG_CONFIG_HOME/egpu-guard/hooks.d` and
 * `$XDG_STATE_HOME/egpu-guard/hooks.log` (XDG Base Directory spec). A sysroot (tests, the demo)
 * keeps both inside it, next to its state: it never runs the user's real hooks.
 */
export function hookPathsFor(
  root: SystemRoot,
  env: Readonly<Record<string, string | undefined>>,
): { readonly dir: string; readonly log: string } {
  if (root.root !== '/')
    return {
      dir: root.hostPath('/var/lib/egpu-guard/hooks.d'),
      log: root.hostPath('/var/lib/egpu-guard/hooks.log'),
    };
  return {
    dir: defaultConfigPath('hooks.d', env),
    log: defaultStatePath('hooks.log', env),
  };
}

/** What hooks.d holds now, for the user `uid` (the plan, `egpu doctor`). */
export function listHooks(dir: string, uid: number | null): HookListing {
  return listingOf(dir, readFolderEntries(dir, { headBytes: 4, maxEntries: MAX_ENTRIES }), uid);
}

export type HookFailure = {
  readonly at: number;
  readonly facts: HookFacts;
  readonly hook: string;
  /** One sentence: `Hook "10-x" (attached) exited with status 1: <its last line>.` */
  readonly text: string;
};

export type HookRun = { readonly hook: string; readonly outcome: HookOutcome };

export type HookReport = {
  readonly runs: readonly HookRun[];
  /** Pre-eject: the sentence that blocks the eject when a hook said no; else null. */
  readonly refusal: string | null;
};

export type HookRunnerOptions = {
  /** Host path of hooks.d. */
  readonly dir: string;
  /** The user eGPU Guard runs as: the hooks must be theirs; none run as root (0) or unknown. */
  readonly uid: number | null;
  /** Where HOME, PATH and the session's addresses come from (hook-rules.ts, hookEnv). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Host path of the log; null: no log. */
  readonly logPath: string | null;
  /** Per hook (default 10 s). */
  readonly timeoutMs?: number;
  /** From SIGTERM to SIGKILL of a hook's group after its time is up (default 1 s). */
  readonly killGraceMs?: number;
  readonly now?: () => number;
  readonly onFailure?: (f: HookFailure) => void;
};

export type HookRunner = {
  readonly dir: string;
  readonly timeoutMs: number;
  list(): HookListing;
  /**
   * Runs the event's hooks, one at a time, in order. A pre-eject hook that fails ends the run
   * (`refusal`); others are each logged and reported, and the rest still run. Aborting stops the
   * running hook's group and runs no more.
   */
  run(facts: HookFacts, signal?: AbortSignal): Promise<HookReport>;
  /** A line for the log (e.g. an event dropped from a full queue). */
  note(line: string): void;
};

export function createHookRunner(o: HookRunnerOptions): HookRunner {
  const timeoutMs = o.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const now = o.now ?? Date.now;
  const write = (text: string): void => {
    if (o.logPath !== null) appendBoundedLog(o.logPath, text, LOG_MAX_BYTES);
  };
  const note = (line: string): void => write(`${new Date(now()).toISOString()} ${line}\n`);
  // Said once per runner, not at every event: why nothing runs, and which files are ignored.
  const said = new Set<string>();
  const once = (key: string, line: string): void => {
    if (said.has(key)) return;
    said.add(key);
    note(line);
  };
  const list = (): HookListing => listHooks(o.dir, o.uid);

  return {
    dir: o.dir,
    timeoutMs,
    list,
    note,
    async run(facts, signal) {
      const listing = list();
      for (const i of listing.ignored)
        once(`ignored:${i.name}:${i.code}`, `ignored "${printable(i.name)}": ${i.reason}`);
      if (listing.notRun !== null) {
        once(`not-run:${listing.notRun}`, `hooks not run: ${listing.notRun}`);
        return { runs: [], refusal: null };
      }
      const runs: HookRun[] = [];
      for (const hook of listing.hooks) {
        if (signal?.aborted === true) break;
        const outcome = await runInProcessGroup({
          file: nodePath.join(o.dir, hook),
          args: [facts.event],
          env: hookEnv(facts, o.env),
          cwd: hookCwd(o.env),
          timeoutMs,
          ...(o.killGraceMs === undefined ? {} : { killGraceMs: o.killGraceMs }),
          ...(signal === undefined ? {} : { signal }),
        });
        runs.push({ hook, outcome });
        const at = now();
        write(logEntry(at, facts, hook, outcome, timeoutMs));
        if (succeeded(outcome)) continue;
        const line = lastLine(outcome);
        o.onFailure?.({
          at,
          facts,
          hook,
          text: `Hook "${printable(hook)}" (${facts.event}) ${endWords(outcome, timeoutMs)}${line === '' ? '' : `: ${line}`}.`,
        });
        if (facts.event === 'pre-eject')
          return { runs, refusal: preEjectRefusal(hook, outcome, timeoutMs) };
        if (outcome.aborted) break;
      }
      return { runs, refusal: null };
    },
  };
}
