// Bench support: append kernel entries to a journal file with the real systemd-journal-remote
// (journal export format on stdin; main/sources/test/journal-builder.ts is the tested TS twin).
import { execFile } from 'node:child_process';

const REMOTE = '/lib/systemd/systemd-journal-remote';
const BOOT = '0123456789abcdef0123456789abcdef';

export const kernelEntry = (n, message) => ({
  __REALTIME_TIMESTAMP: String(1_750_000_000_000_000 + n * 1000),
  __MONOTONIC_TIMESTAMP: String(8_000_000_000 + n * 1000),
  _BOOT_ID: BOOT,
  _TRANSPORT: 'kernel',
  PRIORITY: '4',
  SYSLOG_IDENTIFIER: 'kernel',
  MESSAGE: message,
});

export function appendJournalEntries(file, entries) {
  const text = entries
    .map(
      (e) =>
        Object.entries(e)
          .map(([k, v]) => `${k}=${v}\n`)
          .join('') + '\n',
    )
    .join('');
  return new Promise((resolve, reject) => {
    const child = execFile(REMOTE, [`--output=${file}`, '-'], (error) =>
      error ? reject(error) : resolve(),
    );
    child.stdin.end(text);
  });
}
