// The fast path of `egpu explain`: instead of parsing every line, find the few lines that hold a
// keyword (keywords.ts) with one multi-pattern pass over the raw bytes, and rebuild only the
// records around them. Line numbers come from counting newlines up to each hit.
//
// Why the result equals the line-by-line path (log-reader.ts → classify.ts):
//  * classifyMessage returns null unless the record's text holds a keyword, and every character
//    of a record's text comes from its own lines (prefix stripping only removes text; ASCII
//    keywords are the same bytes in UTF-8), so every event record has a keyword hit on a line.
//    A `journalctl -o json` line can hide a keyword from the byte search only behind a \uXXXX
//    escape or in a MESSAGE given as an array (byte values); its other escapes make only
//    `" \ /` and control characters, which no keyword holds (classify.test.ts, 'keywords'). So
//    JSON-shaped lines with `\u` or `"MESSAGE": [` are candidates too.
//    A record that a mail client wrapped in two (log-reader.ts, WRAPS) is joined from two
//    lines; the keywords of the rules that can match it lie in its first half.
//  * The record around a hit is rebuilt by the same grouper, started at a "sync" line: one that
//    cannot join the line before it (blank, JSON, stamped, or unindented and not a wrap's second
//    half) starts a record whatever came before, so the state there is exact; otherwise the
//    grouper simply runs on from where the previous hit left it. Extra records rebuilt as
//    context have no keyword and classify to null.
//  * Decoding line by line equals decoding the whole text: 0x0A never occurs inside a UTF-8
//    sequence, so the decoder's U+FFFD replacement ends at the same places.

import { KEYWORDS } from './keywords.js';
import { createRecordGrouper, mayJoinPrevious, type LogRecord } from './log-reader.js';
import { parseLogLine, type LineInfo } from './log-line.js';
import { createMultiSearch } from './multi-search.js';
import { allocateWasmText, loadWasmText, type LoadedText } from './wasm-scan.js';

const NL = 0x0a;
const search = createMultiSearch(KEYWORDS);
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The text the line-by-line path reads from these bytes (a BOM stays; splitLogLines drops it). */
export const decodeLogBytes = (bytes: Uint8Array): string => decoder.decode(bytes);

const bomLength = (b: Uint8Array): number =>
  b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;

function countNewlines(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = bytes.indexOf(NL, from);
  while (i >= 0 && i < to) {
    n++;
    i = bytes.indexOf(NL, i + 1);
  }
  return n;
}

export type ScanEngine = 'auto' | 'js';

/** A buffer to read a log into before scanLogBytes: inside the scanner's memory when it can. */
export const allocateLogBuffer = (size: number): Uint8Array =>
  allocateWasmText(size) ?? new Uint8Array(size);

/** The keyword search and newline count over `bytes`: WebAssembly when available, else JS. */
function loadText(bytes: Uint8Array, engine: ScanEngine): LoadedText {
  const wasm = engine === 'auto' ? loadWasmText(search, bytes) : null;
  return (
    wasm ?? {
      scan: (from, to, onHit) => search.scan(bytes, from, to, onHit),
      newlines: (from, to) => countNewlines(bytes, from, to),
      find: (byte, from) => bytes.indexOf(byte, from),
    }
  );
}

export type ScanResult = {
  /** A superset of the records that are events, in line order. */
  readonly records: LogRecord[];
  /** Physical lines, as splitLogLines counts them. */
  readonly lineCount: number;
};

/**
 * A cheap necessary condition for parseLogLine calling a line continuation-shaped (unstamped and
 * indented): it starts with a space or tab, possibly after a `grep` file prefix (`path:` or
 * `path:123:`, no whitespace in the path). Saying yes too often only costs a parse.
 */
function mayBeIndented(bytes: Uint8Array, s: number, size: number): boolean {
  const ws = (b: number | undefined): boolean => b === 0x20 || b === 0x09;
  if (ws(bytes[s])) return true;
  const limit = Math.min(size, s + 2048);
  for (let i = s; i < limit; i++) {
    const b = bytes[i]!;
    if (b === NL || ws(b)) return false;
    if (b !== 0x3a) continue;
    let j = i + 1;
    while (j < limit && bytes[j]! >= 0x30 && bytes[j]! <= 0x39) j++;
    return ws(bytes[i + 1]) || (j > i + 1 && bytes[j] === 0x3a && ws(bytes[j + 1]));
  }
  return true; // a very long first token: let the parser decide
}

/** The first characters of a wrap's second half (log-reader.ts WRAPS). */
const TAIL_START = new Uint8Array(256);
for (const ch of 'Dutcsgw(') TAIL_START[ch.charCodeAt(0)] = 1;

/**
 * A cheap necessary condition for a line being a wrap's second half (log-reader.ts WRAPS): its
 * message starts with one of TAIL_START, possibly after spaces and a `grep` file prefix.
 */
function mayBeWrapTail(bytes: Uint8Array, s: number, size: number): boolean {
  const tail = (b: number | undefined): boolean => b !== undefined && TAIL_START[b] === 1;
  const ws = (b: number | undefined): boolean => b === 0x20 || b === 0x09;
  let i = s;
  while (ws(bytes[i])) i++;
  if (tail(bytes[i])) return true;
  const limit = Math.min(size, i + 2048);
  for (; i < limit; i++) {
    const b = bytes[i]!;
    if (b === NL || ws(b)) return false;
    if (b !== 0x3a) continue;
    let j = i + 1;
    while (j < limit && bytes[j]! >= 0x30 && bytes[j]! <= 0x39) j++;
    if (j > i + 1 && bytes[j] === 0x3a) j++;
    while (ws(bytes[j])) j++;
    // `path:` then the message, or `path:123:` then the message; `path:` alone if digits follow.
    let k = i + 1;
    while (ws(bytes[k])) k++;
    return tail(bytes[j]) || tail(bytes[k]);
  }
  return true; // a very long first token: let the parser decide
}

const HIDDEN_IN_JSON = /\\u|"MESSAGE"\s*:\s*\[/;

/**
 * Offsets of lines that may be `journalctl -o json` objects (`{` after only spaces or RS) whose
 * MESSAGE could hold a keyword the byte search cannot see (see the top of this file).
 */
function jsonCandidates(bytes: Uint8Array, text: LoadedText, start: number, out: number[]): void {
  for (let i = text.find(0x7b, start); i >= 0; i = text.find(0x7b, i + 1)) {
    let j = i - 1;
    // Unicode spaces are bytes >= 0x80 in UTF-8; over-including a line costs only a parse.
    while (j >= start && bytes[j] !== NL) {
      const b = bytes[j]!;
      if (!(b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x1e || b >= 0x80)) break;
      j--;
    }
    if (j >= start && bytes[j] !== NL) continue;
    const end = text.find(NL, i);
    const line = decoder.decode(bytes.subarray(i, end < 0 ? bytes.length : end));
    if (HIDDEN_IN_JSON.test(line)) out.push(i);
  }
}

/** The records of a log that may be events, found without parsing every line. */
export function scanLogBytes(bytes: Uint8Array, engine: ScanEngine = 'auto'): ScanResult {
  const records: LogRecord[] = [];
  const lineCount = scanLogRecords(bytes, (r) => records.push(r), engine);
  return { records, lineCount };
}

/**
 * scanLogBytes as a stream: hands each record to `onRecord` as soon as it is complete, in line
 * order, and returns the line count. A caller that classifies and prints each record at once
 * keeps nothing alive from one record to the next: on a dense log (an AER storm, one event in
 * ten lines) an array of 50,000 records and their texts kept alive across the scan made young
 * garbage collections copy all of them, a seventh of the command's time (node --cpu-prof).
 */
export function scanLogRecords(
  bytes: Uint8Array,
  onRecord: (record: LogRecord) => void,
  engine: ScanEngine = 'auto',
): number {
  const start = bomLength(bytes);
  const size = bytes.length;
  const text = loadText(bytes, engine);
  const hits: number[] = [];
  text.scan(start, size, (p) => hits.push(p));
  jsonCandidates(bytes, text, start, hits);
  hits.sort((a, b) => a - b);

  const grouper = createRecordGrouper(onRecord);

  const lineEnd = (s: number): number => {
    const nl = bytes.indexOf(NL, s);
    return nl < 0 ? size : nl;
  };
  // (lastIndexOf with a negative fromIndex counts from the end, so offset 0 is special.)
  const lineStartOf = (offset: number): number =>
    offset <= start ? start : Math.max(start, bytes.lastIndexOf(NL, offset - 1) + 1);
  // The line parseAt parsed last: where it starts and ends (its '\n' or `size`) and what it is.
  // The hit's line is parsed once though both the look back and the feed below ask for it, and
  // each line's end is searched for once.
  let parsedAt = -1;
  let parsedEnd = start;
  let parsed: LineInfo = { shape: 'blank' };
  const parseAt = (s: number): LineInfo => {
    if (s === parsedAt) return parsed;
    parsedAt = s;
    parsedEnd = lineEnd(s);
    const e = parsedEnd > s && bytes[parsedEnd - 1] === 0x0d ? parsedEnd - 1 : parsedEnd;
    parsed = parseLogLine(decoder.decode(bytes.subarray(s, e)));
    return parsed;
  };
  /** Whether the line at s may join the one before; parses it only when its bytes allow that. */
  const continuationAt = (s: number): LineInfo | null => {
    if (!mayBeIndented(bytes, s, size) && !mayBeWrapTail(bytes, s, size)) return null;
    const info = parseAt(s);
    return mayJoinPrevious(info) ? info : null;
  };

  // The grouper has been fed every line before byte `next` that mattered.
  let next = start;
  // Newline counting cursor: line number `countNo` starts at byte `countAt`.
  let countAt = start;
  let countNo = 1;

  for (const hit of hits) {
    if (hit < next) continue; // its line was already fed
    const lineStart = lineStartOf(hit);
    const lineNo = countNo + text.newlines(countAt, lineStart);
    countAt = lineStart;
    countNo = lineNo;

    // Back to the sync line: one that starts a record by itself, or where we left off.
    let s = lineStart;
    let sNo = lineNo;
    while (s > next && continuationAt(s) !== null) {
      s = lineStartOf(s - 1);
      sNo--;
    }
    // Feed from there through the hit's line, then the continuation lines that follow it.
    for (; s <= lineStart; sNo++) {
      grouper.push(parseAt(s), sNo);
      s = parsedEnd + 1;
    }
    for (;;) {
      if (s >= size) break;
      const info = continuationAt(s);
      if (info === null) break;
      grouper.push(info, sNo++);
      s = parsedEnd + 1;
    }
    next = s;
  }
  grouper.end();
  // Lines before the last hit were counted already: count on from there.
  const newlines = countNo - 1 + text.newlines(countAt, size);
  return size <= start || bytes[size - 1] === NL ? newlines : newlines + 1;
}
