// Test support: journal files written by the real systemd-journal-remote from journal export
// format (systemd docs/JOURNAL_EXPORT_FORMATS.md), followed by the real journalctl. Text fields
// are written as `FIELD=value\n`; binary or multi-line ones as `FIELD\n` + 64-bit LE length +
// bytes + `\n`.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';

export const journalRemoteAvailable = (): boolean => fs.existsSync(JOURNAL_REMOTE);

export type ExportEntry = Readonly<Record<string, string | Buffer>>;

export const TEST_BOOT_ID = '0123456789abcdef0123456789abcdef';

function field(key: string, value: string | Buffer): Buffer {
  if (typeof value === 'string' && !value.includes('\n')) return Buffer.from(`${key}=${value}\n`);
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([Buffer.from(`${key}\n`), len, bytes, Buffer.from('\n')]);
}

/** One entry in export format (fields in the given order, then the blank separator line). */
export function encodeExportEntry(entry: ExportEntry): Buffer {
  return Buffer.concat([...Object.entries(entry).map(([k, v]) => field(k, v)), Buffer.from('\n')]);
}

/**
 * A kernel entry as journald stores one: trusted fields, timestamps derived from `n` so entries
 * sort in the order they are made (µs since the epoch / since boot).
 */
export function kernelEntry(
  n: number,
  message: string | Buffer,
  extra: Readonly<Record<string, string | Buffer>> = {},
): ExportEntry {
  return {
    __REALTIME_TIMESTAMP: String(1_750_000_000_000_000 + n * 1000),
    __MONOTONIC_TIMESTAMP: String(8_000_000_000 + n * 1000),
    _BOOT_ID: TEST_BOOT_ID,
    _TRANSPORT: 'kernel',
    PRIORITY: '6',
    SYSLOG_FACILITY: '0',
    SYSLOG_IDENTIFIER: 'kernel',
    _SOURCE_MONOTONIC_TIMESTAMP: String(8_000_000_000 + n * 1000 - 7),
    MESSAGE: message,
    ...extra,
  };
}

/** Appends entries to `journalPath` (must end in .journal; created when missing). */
export function appendJournalEntries(
  journalPath: string,
  entries: readonly ExportEntry[],
): Promise<void> {
  const input = Buffer.concat(entries.map(encodeExportEntry));
  return new Promise((resolve, reject) => {
    const child = execFile(
      JOURNAL_REMOTE,
      [`--output=${journalPath}`, '-'],
      { encoding: 'utf8' },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`systemd-journal-remote failed: ${stderr || error.message}`));
        else resolve();
      },
    );
    child.stdin?.end(input);
  });
}
