// Test support: a process table in a folder (what --proc DIR reads) with chosen processes, so a
// test's session never depends on what else runs on the machine (another test's "sway").

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type FakeProcess = {
  readonly pid: number;
  readonly argv: readonly string[];
  /** Default: basename of argv[0], cut to 15 characters like the kernel's comm. */
  readonly comm?: string;
  readonly uid?: number;
  readonly environ?: Readonly<Record<string, string>>;
  /** Host paths the process holds open: fd/3, fd/4 … link to them. */
  readonly fds?: readonly string[];
};

export function writeFakeProc(processes: readonly FakeProcess[], dir?: string): string {
  const base = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-proc-'));
  for (const p of processes) {
    const d = path.join(base, String(p.pid));
    fs.mkdirSync(path.join(d, 'fd'), { recursive: true });
    const comm = p.comm ?? path.basename(p.argv[0] ?? '').slice(0, 15);
    fs.writeFileSync(path.join(d, 'comm'), `${comm}\n`);
    fs.writeFileSync(path.join(d, 'cmdline'), p.argv.map((a) => `${a}\0`).join(''));
    const uid = p.uid ?? 1000;
    fs.writeFileSync(
      path.join(d, 'status'),
      `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`,
    );
    const env = Object.entries(p.environ ?? {}).map(([k, v]) => `${k}=${v}\0`);
    fs.writeFileSync(path.join(d, 'environ'), env.join(''));
    fs.writeFileSync(path.join(d, 'maps'), '');
    (p.fds ?? []).forEach((target, i) => fs.symlinkSync(target, path.join(d, 'fd', String(3 + i))));
  }
  return base;
}
