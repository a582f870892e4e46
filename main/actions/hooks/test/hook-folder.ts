// Test support for user hooks: a real hooks.d in a temporary folder with real executables (small
// sh scripts, chmod'ed), owned by the user the runner is told it runs as. Hooks never run as root,
// so when the tests themselves run as root (containers) the files belong to a stand-in uid and the
// runner is told that uid: the rules are checked as for that user, the processes are real.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The user the runner is told it runs as: ourselves, or a stand-in when we are root. */
export const HOOK_UID = process.getuid?.() === 0 ? 4242 : (process.getuid?.() ?? 1000);
export const AS_ROOT = process.getuid?.() === 0;

export type HookFolder = {
  /** hooks.d (host path). */
  readonly dir: string;
  /** A folder for what the hooks write (markers, pids) and the log. */
  readonly out: string;
  readonly log: string;
  /** Writes an executable (mode 0755 unless given), owned by HOOK_UID. */
  put(name: string, body: string, mode?: number): string;
  /** The text a hook wrote to out/<name>, or null. */
  read(name: string): string | null;
  cleanup(): void;
};

const own = (p: string): void => {
  if (AS_ROOT) fs.lchownSync(p, HOOK_UID, HOOK_UID);
};

export function makeHookFolder(): HookFolder {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-hooks-')));
  fs.chmodSync(base, 0o755);
  const dir = path.join(base, 'hooks.d');
  const out = path.join(base, 'out');
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.mkdirSync(out, { mode: 0o777 });
  fs.chmodSync(dir, 0o700);
  own(dir);
  return {
    dir,
    out,
    log: path.join(out, 'hooks.log'),
    put(name, body, mode = 0o755) {
      const p = path.join(dir, name);
      fs.writeFileSync(p, body);
      fs.chmodSync(p, mode);
      own(p);
      return p;
    },
    read(name) {
      try {
        return fs.readFileSync(path.join(out, name), 'utf8');
      } catch {
        return null;
      }
    },
    cleanup() {
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** A sh script that appends one line (its name, then `line`, expanded by sh) to out/<file>. */
export const appender = (f: HookFolder, file: string, line: string, extra = ''): string =>
  `#!/bin/sh\n${extra}echo "$(basename "$0") ${line}" >> '${path.join(f.out, file)}'\n`;

/** Gone or a zombie (reaped by nobody in a container without an init): not running any more. */
export function notRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}
