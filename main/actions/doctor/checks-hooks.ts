// Doctor checks: the user's hooks (docs/hooks.md) — how many run, and every file of hooks.d that
// does not, with why. A hook switched off (chmod -x) or a package manager's leftover is ignored on
// purpose (info); a file anyone else could change, or someone else's, is what the user must fix
// (warning: their hook silently does not run). Pure.

import { QUIET_IGNORES, printable, type IgnoreCode } from '../hooks/hook-rules.js';
import type { DoctorFacts, DoctorFinding } from './doctor-model.js';

/** POSIX single quotes: the fix is a command a person pastes. */
const q = (s: string): string => `'${printable(s).replace(/'/g, `'\\''`)}'`;

const FIXES: Partial<Record<IgnoreCode, (dir: string, name: string) => string>> = {
  writable: (dir, name) => `chmod go-w ${q(`${dir}/${name}`)}`,
  'folder-writable': (dir) => `chmod go-w ${q(dir)}`,
  'not-owner': (dir, name) => `sudo chown "$USER" ${q(`${dir}/${name}`)} (or remove it)`,
  'folder-owner': (dir) => `sudo chown "$USER" ${q(dir)}`,
  'not-a-program': () => 'give the script a `#!` first line (e.g. `#!/bin/sh`)',
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function hookChecks(f: DoctorFacts): DoctorFinding[] {
  const h = f.hooks;
  if (h === undefined || h === null) return [];
  const area = 'hooks' as const;
  const out: DoctorFinding[] = [];
  if (h.folder === 'absent') {
    return [
      {
        id: 'hooks',
        area,
        severity: 'info',
        title: 'No user hooks',
        detail: `${h.dir} does not exist. Executables placed there run on eGPU events (docs/hooks.md).`,
      },
    ];
  }
  out.push(
    h.notRun !== null
      ? {
          id: 'hooks',
          area,
          severity: 'info',
          title: 'User hooks are not run',
          detail: `${h.notRun}.`,
        }
      : {
          id: 'hooks',
          area,
          severity: 'info',
          title: `${plural(h.hooks.length, 'user hook')} active`,
          detail:
            h.hooks.length === 0
              ? `Nothing in ${h.dir} runs.`
              : `In ${h.dir}, run in this order: ${h.hooks.map(printable).join(', ')}.`,
        },
  );
  if (h.ignored.length > 0) {
    const loud = h.ignored.filter((i) => !QUIET_IGNORES.has(i.code));
    const fixes = [...new Set(loud.flatMap((i) => FIXES[i.code]?.(h.dir, i.name) ?? []))];
    out.push({
      id: 'hooks-ignored',
      area,
      severity: loud.length > 0 ? 'warning' : 'info',
      title: `${plural(h.ignored.length, 'file')} in hooks.d ${h.ignored.length === 1 ? 'is' : 'are'} ignored`,
      detail: h.ignored.map((i) => `${printable(i.name)}: ${i.reason}`).join('; '),
      ...(fixes.length > 0 ? { fix: fixes.join('; ') } : {}),
    });
  }
  return out;
}
