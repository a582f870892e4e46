// Is this a kernel log at all? `egpu explain /bin/ls`, a photo or a letter would otherwise be
// "No GPU or PCIe trouble found in 509 lines", which reads as a clean bill of health. A sample
// from the start of the input is parsed line by line (log-line.ts, every supported format) and
// counts as a kernel log when at least half of its non-blank lines look like log lines: a line
// with a time stamp, a `journalctl -o json` entry, a bare kernel message (`subsystem: …`,
// `driver 0000:01:00.0: …`, `[drm] …`) or a continuation line indented under one of those.
// Pure and total.

import { parseJournalJsonLine } from './journal-json.js';
import { parseLogLine } from './log-line.js';
import { splitLogLines } from './log-reader.js';

/** The sample: enough lines to judge, few enough to cost nothing next to the scan. */
const SAMPLE_BYTES = 256 * 1024;
const SAMPLE_LINES = 2000;
/** Share of sampled lines that must look like log lines. */
export const MIN_LOG_SHARE = 0.5;

/**
 * A bare kernel message: printk's `subsystem: `, `driver device: ` (dev_printk), `[drm] `, or a
 * `[name]` tag. Words, dots, dashes, slashes and colons only (`x86/fpu:`, `usb 3-1:`, `NVRM:`).
 */
const BARE_KERNEL = /^(?:\[[\w:. -]{1,40}\]\s|[\w.\-/]{1,48}(?: [\w.\-:/]{1,48})?:(?:\s|$))/;

export type LogShape = {
  /** Non-blank lines in the sample. */
  readonly sampled: number;
  /** Of those, lines that look like kernel-log lines. */
  readonly recognised: number;
};

/** Samples the start of a log and counts the lines that look like kernel-log lines. */
export function sampleLogShape(bytes: Uint8Array): LogShape {
  let end = Math.min(bytes.length, SAMPLE_BYTES);
  if (end < bytes.length) {
    const nl = bytes.lastIndexOf(0x0a, end - 1);
    if (nl > 0) end = nl; // whole lines only
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, end));
  let sampled = 0;
  let recognised = 0;
  // A line that is not a log line by itself still counts when it hangs under one: indented (a
  // continuation: call traces, NVIDIA's multi-line reports) or one of the two lines after it (a
  // record a mail client wrapped at 72 columns). Otherwise every indented line of source code or
  // JSON, or every other line of prose, would count.
  let previous = false;
  let sinceLogLine = Infinity;
  for (const line of splitLogLines(text)) {
    if (sampled >= SAMPLE_LINES) break;
    const info = parseLogLine(line);
    if (info.shape === 'blank') continue;
    sampled++;
    const own =
      info.shape === 'json'
        ? parseJournalJsonLine(info.json).kind === 'entry'
        : info.stamped || BARE_KERNEL.test(info.message);
    sinceLogLine = own ? 0 : sinceLogLine + 1;
    const ok: boolean =
      own || sinceLogLine <= 2 || (previous && info.shape === 'text' && info.indent > 0);
    if (ok) recognised++;
    previous = ok;
  }
  return { sampled, recognised };
}

/**
 * Whether the input looks like a kernel log. An empty or blank input does (it is a quiet log
 * with nothing in it, e.g. `journalctl -k` of a boot without messages).
 */
export const looksLikeKernelLog = (shape: LogShape): boolean =>
  shape.sampled === 0 || shape.recognised >= shape.sampled * MIN_LOG_SHARE;
