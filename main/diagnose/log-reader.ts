// Kernel-log text → records. A record is one printk line plus its continuation lines: lines
// with no stamp of their own, indented under it (dmesg prints the continuation of a multi-line
// printk indented by the width of the stamp; journalctl aligns it under the message). Formats are
// detected per line (log-line.ts), so a file may mix them; `journalctl -o json` lines become one
// record each. Line numbers are 1-based physical lines; blank and `...` lines count but belong to
// no record. Pure and total.

import { parseJournalJsonLine } from './journal-json.js';
import { MAX_RECORD_CHARS } from './limits.js';
import { parseLogLine, type LineFormat, type LineInfo } from './log-line.js';

// Per-line helpers for live sources that tail kern.log or syslog (main/sources/).
export { parseLogLine, stripLogPrefix, type LineFormat, type LineInfo } from './log-line.js';

export type RecordFormat = LineFormat | 'json';

export type LogRecord = {
  /** 1-based physical line of the record's first line. */
  readonly line: number;
  /** The message: first line, then each continuation line (trimmed), joined with '\n'. */
  readonly text: string;
  readonly format: RecordFormat;
  readonly stamp: string | null;
};

export { MAX_RECORD_CHARS };

type Open = {
  readonly line: number;
  readonly stamped: boolean;
  readonly indent: number;
  readonly format: LineFormat;
  readonly stamp: string | null;
  text: string;
};

export type RecordGrouper = {
  /** Feeds the next physical line (already parsed) with its 1-based number. */
  push(info: LineInfo, lineNo: number): void;
  /** Ends the input: emits the record still open. */
  end(): void;
  /** Whether a record is open (a following continuation line would join it). */
  readonly open: boolean;
};

const clamp = (s: string): string =>
  s.length > MAX_RECORD_CHARS ? s.slice(0, MAX_RECORD_CHARS) : s;

/** The line-by-line state machine shared by every reader (whole text, fast scan, live tail). */
export function createRecordGrouper(emit: (record: LogRecord) => void): RecordGrouper {
  let current: Open | null = null;
  const flush = (): void => {
    if (current === null) return;
    const { line, text, format, stamp } = current;
    current = null;
    emit({ line, text, format, stamp });
  };
  return {
    get open() {
      return current !== null;
    },
    push(info, lineNo) {
      if (info.shape === 'blank') {
        flush();
        return;
      }
      if (info.shape === 'json') {
        flush();
        const entry = parseJournalJsonLine(info.json);
        if (entry.kind === 'entry' && entry.message !== null) {
          emit({ line: lineNo, text: clamp(entry.message), format: 'json', stamp: null });
        }
        return;
      }
      if (current !== null && isContinuation(info, current)) {
        if (current.text.length < MAX_RECORD_CHARS) {
          current.text = clamp(current.text + '\n' + info.message);
        }
        return;
      }
      flush();
      current = {
        line: lineNo,
        stamped: info.stamped,
        indent: info.indent,
        format: info.format,
        stamp: info.stamp,
        text: clamp(info.message),
      };
    },
    end: flush,
  };
}

/**
 * An unstamped, indented line continues the open record when that record had a stamp (dmesg,
 * syslog), or when it is indented deeper than the record's own first line (bare excerpts whose
 * every line starts with a space, like a pasted `dmesg | cut -c16-`, stay one record per line).
 */
export function isContinuation(
  info: Extract<LineInfo, { shape: 'text' }>,
  open: { readonly stamped: boolean; readonly indent: number },
): boolean {
  return !info.stamped && info.indent > 0 && (open.stamped || info.indent > open.indent);
}

/** Splits text into physical lines: LF or CRLF, a leading BOM dropped, no final empty line. */
export function splitLogLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 0x0d) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** Every record of a log text, in line order. The reference path: every line is parsed. */
export function readLogRecords(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  const grouper = createRecordGrouper((r) => records.push(r));
  const lines = splitLogLines(text);
  for (let i = 0; i < lines.length; i++) grouper.push(parseLogLine(lines[i]!), i + 1);
  grouper.end();
  return records;
}

/** The number of physical lines `readLogRecords` counts in a text. */
export const countLogLines = (text: string): number => splitLogLines(text).length;
