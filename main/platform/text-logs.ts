// Where a system keeps its kernel messages as text, when neither the journal nor /dev/kmsg can be
// read: /var/log/kern.log (Debian/Ubuntu rsyslog), /var/log/messages (others). Used by the text-log
// source and by `egpu doctor`.

import type { SystemRoot } from './system-root.js';

export const TEXT_LOG_CANDIDATES: readonly string[] = ['/var/log/kern.log', '/var/log/messages'];

/** The first system log file that exists under the root, as a host path; null when none. */
export function findTextLog(root: SystemRoot): string | null {
  for (const p of TEXT_LOG_CANDIDATES) {
    const s = root.stat(p);
    if (s.ok && s.value.kind === 'file') return root.hostPath(p);
  }
  return null;
}
