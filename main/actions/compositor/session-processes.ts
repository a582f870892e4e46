// The processes that tell which desktop runs (compositors, X servers, bumblebeed) and which polkit
// agent is there, found by name in the process table. Only /proc/<pid>/comm is read for every
// process; cmdline and status only for the few whose comm matches, so a scan of a desktop's
// ~500 processes stays a few milliseconds. The names are in session-names.ts.

import { programName } from '../../inventory/clients/client-roles.js';
import type { SystemRoot } from '../../platform/system-root.js';
import type { SessionProcess } from './session-model.js';

/** The kernel keeps at most 15 characters of a program name in comm (TASK_COMM_LEN 16). */
const COMM_LEN = 15;

function readProcess(
  root: SystemRoot,
  pid: string,
  comm: string,
  wanted: ReadonlySet<string>,
): SessionProcess | null {
  const cmdline = root.readText(`/proc/${pid}/cmdline`, 16 * 1024);
  const argv = cmdline.ok ? cmdline.value.split('\0').filter((a) => a !== '') : [];
  // argv[0] has the full name where comm is cut; kernel threads have no argv and keep comm.
  const fromArgv = argv[0] === undefined ? '' : programName(argv[0]);
  const name = wanted.has(fromArgv)
    ? fromArgv
    : wanted.has(programName(comm))
      ? programName(comm)
      : null;
  if (name === null) return null;
  const status = root.readText(`/proc/${pid}/status`, 16 * 1024);
  const uid = status.ok ? /^Uid:\s+(\d+)/m.exec(status.value) : null;
  return { pid: Number(pid), name, comm, argv, uid: uid ? Number(uid[1]) : null };
}

/** Processes whose program is one of `programs` (lowercase names as programName gives them). */
export function findProcesses(root: SystemRoot, programs: readonly string[]): SessionProcess[] {
  const wanted = new Set(programs);
  const prefixes = new Set(programs.map((n) => n.slice(0, COMM_LEN)));
  const listing = root.list('/proc');
  if (!listing.ok) return [];
  const out: SessionProcess[] = [];
  for (const pid of listing.value) {
    if (!/^\d+$/.test(pid)) continue;
    const comm = root.readText(`/proc/${pid}/comm`, 64);
    if (!comm.ok) continue;
    const c = comm.value.trim();
    if (!prefixes.has(programName(c))) continue;
    const p = readProcess(root, pid, c, wanted);
    if (p !== null) out.push(p);
  }
  return out.sort((a, b) => a.pid - b.pid);
}
