// Kernel-log text → records. A record is one printk line plus its continuation lines: lines
// with no stamp of their own, indented under it (dmesg prints the continuation of a multi-line
// printk indented by the width of the stamp; journalctl aligns it under the message). Formats are
// detected per line (log-line.ts), so a file may mix them; `journalctl -o json` lines become one
// record each. Line numbers are 1-based physical lines; blank and `...` lines count but belong to
// no record. Pure and total.

import { parseDevicePrefix } from './bdf.js';
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
  /** The last line ends where a mail client wraps a known record: the tail it expects. */
  wrap: RegExp | null;
};

// Records that mail clients wrap at about 72 columns, splitting the message in two: the second
// half has no stamp and no indentation, so it would read as a record of its own. Only these
// known splits are joined, so ordinary unindented lines stay records (message shapes:
// drivers/pci/pci.c pci_power_up, pci_set_low_power_state, pci_dev_wait; drivers/pci/pcie/aer.c
// aer_print_error), e.g.
//   pcieport 0000:04:00.0: can't change power state from | D3cold to D0 (config space inaccessible)
//   pcieport 0000:00:01.1: AER: PCIe Bus Error: | severity=Uncorrected (Fatal), type=…
// Every keyword the fast scan needs for such a record lies before the split (log-scan.ts).
const POWER = String.raw`(?:D[0-3](?:hot|cold)?|unknown)`;
const WRAPS: readonly (readonly [head: RegExp, tail: RegExp])[] = [
  [/\bpower state from$/, new RegExp(String.raw`^${POWER} to D[0-3]`)],
  [new RegExp(String.raw`\bpower state from ${POWER}$`), /^to D[0-3]/],
  [/\bRefused to change power state,$/, /^currently in D[0-3]/],
  [/\bPCIe Bus Error:$/, /^severity=/],
  [/\bPCIe Bus Error: severity=Uncorrect(?:ed|able)$/, /^\((?:Non-)?Fatal\)/],
  [/\bnot ready \d{1,9}ms after [^;\n]{1,40};$/, /^(?:giving up|waiting)\b/],
];
const WRAP_TAIL = new RegExp(WRAPS.map(([, tail]) => `(?:${tail.source})`).join('|'));

const HEAD_ENDS = 'mdtne0123:,;';

/** The tail a line's end asks for, when a mail client may have split the record there. */
function wrapAfter(message: string): RegExp | null {
  // Cheap test first (this runs on every record): every head ends in one of these characters.
  if (message === '' || !HEAD_ENDS.includes(message.charAt(message.length - 1))) return null;
  for (const [head, tail] of WRAPS) if (head.test(message)) return tail;
  return null;
}

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
      if (current?.wrap != null && !info.stamped && current.wrap.test(info.message)) {
        // One message split by a mail client: joined back with the space it lost.
        current.text = clamp(current.text + ' ' + info.message);
        current.wrap = wrapAfter(current.text);
        return;
      }
      if (current !== null && isContinuation(info, current)) {
        if (current.text.length < MAX_RECORD_CHARS) {
          current.text = clamp(current.text + '\n' + info.message);
        }
        current.wrap = wrapAfter(info.message);
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
        wrap: wrapAfter(info.message),
      };
    },
    end: flush,
  };
}

/**
 * An unstamped line continues the open record when it is indented deeper than the record's own
 * first line: dmesg indents a continuation by the stamp's width, journalctl aligns it under the
 * message. Measuring from the first line's own indentation keeps a paste's common indentation
 * (mail, Markdown, a forum) from turning the next record into a continuation, and keeps bare
 * excerpts whose every line starts with a space (a pasted `dmesg | cut -c16-`) one record per
 * line. A line that opens with a dev_printk device prefix (`pcieport 0000:00:1c.0: `) or a
 * Thunderbolt router (`thunderbolt 0-1: `) is a record of its own: the kernel prints a
 * record's continuation lines without the prefix (kernel/printk/printk.c, Documentation/ABI/
 * testing/dev-kmsg "continuation lines").
 */
export function isContinuation(
  info: Extract<LineInfo, { shape: 'text' }>,
  open: { readonly stamped: boolean; readonly indent: number },
): boolean {
  return (
    !info.stamped &&
    info.indent > open.indent &&
    !OWN_PREFIX.test(info.message) &&
    parseDevicePrefix(info.message) === null
  );
}

const OWN_PREFIX = /^thunderbolt \d{1,3}-[\d-]{1,32}: /;

/**
 * What a line must look like to possibly join the record before it (a continuation or a wrap
 * tail), whatever that record is. Lines that fail this start a record by themselves.
 */
export const mayJoinPrevious = (info: LineInfo): boolean =>
  info.shape === 'text' && !info.stamped && (info.indent > 0 || WRAP_TAIL.test(info.message));

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
