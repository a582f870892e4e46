// Running programs from the helper: absolute paths, an argv array, no shell, and an environment
// of exactly LC_ALL=C (docs/architecture.md, helper rule 3: nothing from the caller's
// environment, no PATH lookups, no locale-dependent output).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type ProgramOutcome =
  { readonly ok: true } | { readonly ok: false; readonly message: string };

const CHILD_ENV = { LC_ALL: 'C' };

/** Runs argv[0] with argv[1…]; a non-zero exit is a failure carrying the program's own words. */
export function runProgram(argv: readonly string[]): ProgramOutcome {
  const [file, ...args] = argv;
  if (file === undefined) return { ok: false, message: 'no program' };
  const r = spawnSync(file, args, {
    env: CHILD_ENV,
    shell: false,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code ?? r.error.message;
    return { ok: false, message: `cannot run ${file}: ${code}` };
  }
  if (r.status === 0) return { ok: true };
  const said = `${r.stderr}`.trim().split('\n').filter(Boolean).pop() ?? '';
  const how = r.status === null ? `killed by ${r.signal ?? 'a signal'}` : `exit ${r.status}`;
  return { ok: false, message: `${file} failed (${how})${said ? `: ${said}` : ''}` };
}

const LOGGER = '/usr/bin/logger';

/**
 * Audit trail in the journal (docs/architecture.md, helper rule 7), best effort: `logger` may be
 * missing or have no /dev/log to talk to; neither may stop the helper, and it may never wait long
 * on it.
 */
export function logToJournal(message: string): void {
  if (!existsSync(LOGGER)) return;
  spawnSync(LOGGER, ['-t', 'egpu-guard-helper', '--', message], {
    env: CHILD_ENV,
    shell: false,
    stdio: 'ignore',
    timeout: 2000,
  });
}
