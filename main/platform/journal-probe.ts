// Before following the journal: can we read kernel messages at all, and where is "now"?
//
// `journalctl -o json` implies --quiet (systemd 252 journalctl.c), so the reasons it would give
// for showing nothing — "No journal files were found." (exit 0!), "No journal files were opened
// due to insufficient permissions.", the "You are currently not seeing messages from other users
// and the system" hint (exit 0, and no kernel messages at all) — only appear in the default output
// mode. Hence a probe in short mode first, then one JSON line for the last cursor.

import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import type { CommandRunner } from './command-runner.js';
import { parseJournalLine } from './journal-parse.js';

export type JournalProbe = {
  /** Cursor of the newest matching entry; undefined when there is none yet. */
  readonly lastCursor: string | undefined;
  /** True when the journal was readable and held no matching entry: follow from its start. */
  readonly empty: boolean;
};

const REASONS: readonly (readonly [RegExp, string])[] = [
  [/No journal files were found/, 'no journal files were found (is systemd-journald running?)'],
  [
    /insufficient permissions|not seeing messages from other users and the system/,
    "not permitted to read the system journal (join the 'systemd-journal' or 'adm' group)",
  ],
  [/Permission denied/, 'not permitted to read the journal'],
];

/** Why journalctl's diagnostics say there is nothing to read, or null when they do not. */
export function journalUnavailableReason(stderr: string): string | null {
  for (const [pattern, reason] of REASONS) if (pattern.test(stderr)) return reason;
  return null;
}

export async function probeJournal(
  runner: CommandRunner,
  journalctl: string,
  selector: readonly string[],
): Promise<Result<JournalProbe>> {
  const check = await runner.run({
    file: journalctl,
    args: [...selector, '-n', '0', '--no-pager'],
    timeoutMs: 15_000,
  });
  if (!check.ok) {
    return err(appError(check.error.code, `cannot run journalctl: ${check.error.message}`));
  }
  const reason = journalUnavailableReason(check.value.stderr);
  if (reason !== null) return err(appError('unsupported', reason));
  if (check.value.exitCode !== 0) {
    const last = check.value.stderr.trim().split('\n').pop() ?? '';
    return err(
      appError('command-failed', `journalctl exited with ${check.value.exitCode}: ${last}`),
    );
  }
  const tail = await runner.run({
    file: journalctl,
    args: [...selector, '-n', '1', '-o', 'json', '--no-pager'],
    timeoutMs: 15_000,
  });
  // Could not learn the position: the follower falls back to `-n 0` ("from now").
  if (!tail.ok || tail.value.exitCode !== 0) return ok({ lastCursor: undefined, empty: false });
  let lastCursor: string | undefined;
  for (const line of tail.value.stdout.split('\n')) {
    const parsed = parseJournalLine(line, 0);
    if (parsed.kind === 'record' && parsed.record.cursor !== undefined) {
      lastCursor = parsed.record.cursor;
    }
  }
  return ok({ lastCursor, empty: lastCursor === undefined && tail.value.stdout.trim() === '' });
}
