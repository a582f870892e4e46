// One `journalctl -o json` line → KernelRecord, or "unparsed". Pure and total.
//
// Facts (systemd docs/JOURNAL_EXPORT_FORMATS.md, systemd.journal-fields(7); checked on v252):
// every value is a JSON string; a field that is not valid UTF-8 is an array of byte numbers; a
// field that occurs several times in one entry is an array of values; a field above journalctl's
// size threshold is null.
//
// Byte arrays are decoded as UTF-8 with U+FFFD replacement, not latin1: kernel text is ASCII
// almost always, journald only falls back to bytes when *some* byte is invalid (typically a
// garbage DROM string), and replacement keeps every valid multi-byte character intact while
// marking the broken ones visibly. The record says so with `lossy: true`.

import type { KernelRecord } from '../common/source-events.js';

export type JournalParse =
  | {
      readonly kind: 'record';
      readonly record: KernelRecord;
      /** _TRANSPORT ('kernel' for kernel messages); undefined when the entry has none. */
      readonly journalTransport: string | undefined;
    }
  | { readonly kind: 'unparsed'; readonly reason: string };

/** Kernel lines are at most ~1 KiB; anything far larger is not a journal entry we can use. */
export const MAX_JOURNAL_LINE = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: false });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

type Decoded = { readonly text: string; readonly lossy: boolean };

const isByte = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255;

function decodeBytes(bytes: readonly number[]): Decoded {
  const buf = Uint8Array.from(bytes);
  try {
    return { text: strictUtf8.decode(buf), lossy: false };
  } catch {
    return { text: utf8.decode(buf), lossy: true };
  }
}

/** One journal field value as text: string | byte array | array of those (repeated field). */
function decodeValue(value: unknown, depth = 0): Decoded | null {
  if (typeof value === 'string') return { text: value, lossy: false };
  if (!Array.isArray(value)) return null;
  if (value.length > 0 && value.every(isByte)) return decodeBytes(value);
  if (depth > 0) return null;
  // A repeated field: each part is a string or a byte array.
  const parts: string[] = [];
  let lossy = false;
  for (const part of value as unknown[]) {
    const d = decodeValue(part, depth + 1);
    if (d === null) return null;
    parts.push(d.text);
    lossy ||= d.lossy;
  }
  return { text: parts.join('\n'), lossy };
}

/** A single-valued string field; for a repeated field, the first string. */
function stringField(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const first: unknown = v[0];
    if (typeof first === 'string') return first;
  }
  return undefined;
}

export function parseJournalLine(line: string, receivedAt: number): JournalParse {
  if (line.length > MAX_JOURNAL_LINE) return { kind: 'unparsed', reason: 'line too long' };
  const trimmed = line.startsWith('\x1e') ? line.slice(1) : line; // -o json-seq record separator
  if (trimmed.trim() === '') return { kind: 'unparsed', reason: 'empty line' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { kind: 'unparsed', reason: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'unparsed', reason: 'not a JSON object' };
  }
  const obj = parsed as Record<string, unknown>;
  if (!('MESSAGE' in obj)) return { kind: 'unparsed', reason: 'no MESSAGE field' };

  const record: KernelRecord = { source: 'kernel', message: '', transport: 'journal', receivedAt };
  const raw = obj['MESSAGE'];
  if (raw === null) {
    record.messageMissing = true;
  } else {
    const decoded = decodeValue(raw);
    if (decoded === null) return { kind: 'unparsed', reason: 'MESSAGE has an unexpected type' };
    record.message = decoded.text;
    if (decoded.lossy) record.lossy = true;
  }

  const cursor = stringField(obj, '__CURSOR');
  if (cursor !== undefined) record.cursor = cursor;
  const realtime = stringField(obj, '__REALTIME_TIMESTAMP');
  if (realtime !== undefined && /^\d+$/.test(realtime)) record.realtimeUs = realtime;
  const monotonic = stringField(obj, '__MONOTONIC_TIMESTAMP');
  if (monotonic !== undefined && /^\d+$/.test(monotonic)) record.monotonicUs = monotonic;
  const priority = stringField(obj, 'PRIORITY');
  if (priority !== undefined && /^[0-7]$/.test(priority)) record.priority = Number(priority);
  const device = stringField(obj, '_KERNEL_DEVICE');
  if (device !== undefined) record.kernelDevice = device;
  const subsystem = stringField(obj, '_KERNEL_SUBSYSTEM');
  if (subsystem !== undefined) record.kernelSubsystem = subsystem;
  const boot = stringField(obj, '_BOOT_ID');
  if (boot !== undefined) record.bootId = boot;
  return { kind: 'record', record, journalTransport: stringField(obj, '_TRANSPORT') };
}

/** The boot id inside a cursor ('…;b=<32 hex>;…'), lowercase; undefined when absent. */
export function cursorBootId(cursor: string): string | undefined {
  const m = /(?:^|;)b=([0-9a-fA-F]{32})(?:;|$)/.exec(cursor);
  return m?.[1]?.toLowerCase();
}
