// `egpu explain [FILE] [--json]`: reads a kernel log (dmesg, journalctl in any locale or
// `-o json`, syslog/kern.log, grep output; FILE, `-` or piped stdin), finds GPU, PCIe and
// Thunderbolt trouble, and says per device what it means and what to do next. --json prints one
// event per line for scripts. Exit 0 whether or not trouble was found; 1 when FILE cannot be
// read; 2 for usage errors (main.ts); 3 when the input is empty or does not look like a kernel log at all
// (a binary, a photo, a letter: diagnose/log-shape.ts) and holds no event; 130 (SIGINT) or 143
// (SIGTERM) when interrupted while waiting for input — a FIFO nobody writes to, a pipe that
// never ends.

import type { Result } from '../../common/result.js';
import type { KernelEvent } from '../../common/kernel-events.js';
import { classifyMessage, classifyRecords, type LocatedEvent } from '../../diagnose/classify.js';
import { diagnose, formatDiagnosis } from '../../diagnose/diagnosis.js';
import { allocateLogBuffer, scanLogBytes, scanLogRecords } from '../../diagnose/log-scan.js';
import { looksLikeKernelLog, sampleLogShape } from '../../diagnose/log-shape.js';
import { readStreamBytes, readUserInput } from '../../platform/user-files.js';
import { JSON_FLAG, type CliIo, type CommandDef } from '../command.js';
import { flagBool } from '../args.js';

/**
 * `{"kind","bdf","line","xid"?,"severity"?,"outcome"?,"text"}` in this key order: the same text
 * JSON.stringify gives for that object, written out directly (a dense log has one event in ten
 * lines; building and serialising an object per event was a tenth of the command's time).
 */
export function eventJsonLine(e: LocatedEvent): string {
  return jsonHead(e) + e.line + jsonTail(e);
}

/** eventJsonLine up to the line number, which is all that differs between repeats of a message. */
const jsonHead = (e: KernelEvent): string =>
  `{"kind":${JSON.stringify(e.kind)},"bdf":${e.bdf === null ? 'null' : JSON.stringify(e.bdf)},"line":`;

/** eventJsonLine after the line number. */
function jsonTail(e: KernelEvent): string {
  let s = '';
  if (e.xid !== undefined) s += `,"xid":${e.xid}`;
  if (e.severity !== undefined) s += `,"severity":${JSON.stringify(e.severity)}`;
  if (e.outcome !== undefined) s += `,"outcome":${JSON.stringify(e.outcome)}`;
  return `${s},"text":${JSON.stringify(e.text)}}\n`;
}

/** Distinct messages remembered by writeJsonEvents before it starts afresh, and the longest
 * remembered (printk records are at most 1–2 KiB): at most a few MB, whatever the input. */
const MEMO_LIMIT = 4096;
const MEMO_TEXT_LIMIT = 2048;
/** Output is handed to stdout in pieces of about this many characters. */
const CHUNK = 1 << 16;

/**
 * --json: classifies each record as the scan completes it and prints its line, keeping no record
 * or event object alive. A dense log repeats the same few messages (an AER storm prints the same
 * records for every error, an Xid flood the same Xid): classifyMessage is a pure function of the
 * text, so each distinct text is classified and serialised once and a repeat costs one map
 * look-up; only the line number is new. Returns the number of events printed.
 */
function writeJsonEvents(bytes: Uint8Array, io: CliIo): number {
  // text → the event's JSON around its line number, or null when the text is no event.
  const memo = new Map<string, { readonly head: string; readonly tail: string } | null>();
  let out = '';
  let count = 0;
  scanLogRecords(bytes, (r) => {
    let json = memo.get(r.text);
    if (json === undefined) {
      const e = classifyMessage(r.text);
      json = e === null ? null : { head: jsonHead(e), tail: jsonTail(e) };
      if (r.text.length <= MEMO_TEXT_LIMIT) {
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(r.text, json);
      }
    }
    if (json === null) return;
    count++;
    out += json.head + r.line + json.tail;
    if (out.length >= CHUNK) {
      io.stdout(out);
      out = '';
    }
  });
  if (out !== '') io.stdout(out);
  return count;
}

async function readInput(file: string | undefined, io: CliIo): Promise<Result<Uint8Array>> {
  if (file !== undefined && file !== '-')
    return readUserInput(file, { allocate: allocateLogBuffer, signal: io.signal });
  const piped = await readStreamBytes(io.stdin, undefined, io.signal);
  if (!piped.ok) return piped;
  const into = allocateLogBuffer(piped.value.length);
  into.set(piped.value);
  return { ok: true, value: into };
}

export const explainCommand: CommandDef = {
  name: 'explain',
  summary: 'explain GPU, PCIe and Thunderbolt trouble in a kernel log',
  usage: 'explain [FILE] [--json]',
  details: [
    'FILE may be dmesg output (raw, -T, -H), journalctl output (any locale, -o short-iso,',
    '-o json), a syslog/kern.log file or grep output. Without FILE (or with -), the log is read',
    'from standard input, e.g.:  journalctl -k -b -1 | egpu explain',
    '',
    'Exit status: 0 when the log was read (trouble found or not), 1 when FILE cannot be read,',
    '2 for usage errors, 3 when the input is empty or does not look like a kernel log (fewer',
    'than half of its first lines look like log lines, and no event was found), 130/143 when',
    'Ctrl+C or SIGTERM ends the wait for input (e.g. a FIFO).',
  ].join('\n'),
  flags: { ...JSON_FLAG },
  positionals: { min: 0, max: 1 },
  async run(args, io) {
    const file = args.positionals[0];
    if (file === undefined && io.stdinIsTTY) {
      io.stderr(
        'egpu explain: give a log FILE, or pipe a log in (e.g. journalctl -k -b | egpu explain)\n',
      );
      return 2;
    }
    const input = await readInput(file, io);
    if (!input.ok && input.error.code === 'cancelled') {
      io.stderr(`egpu explain: ${input.error.message}; nothing was read\n`);
      // 128 + the signal's number, as a shell reports a command a signal ended.
      return io.signal.reason === 'SIGTERM' ? 143 : 130;
    }
    if (!input.ok) {
      io.stderr(`egpu explain: ${input.error.message}\n`);
      return 1;
    }
    const json = flagBool(args, 'json');
    let events: LocatedEvent[] = [];
    let eventCount: number;
    let lineCount = 0;
    if (json) {
      eventCount = writeJsonEvents(input.value, io);
    } else {
      const scan = scanLogBytes(input.value);
      events = classifyRecords(scan.records);
      eventCount = events.length;
      lineCount = scan.lineCount;
    }
    if (eventCount === 0) {
      const shape = sampleLogShape(input.value);
      const what = file === undefined || file === '-' ? 'the input' : file;
      if (shape.sampled === 0) {
        // Nothing to read is not "no trouble found": a pipe whose command failed looks like this.
        io.stderr(
          `egpu explain: ${what} is empty. Give it the output of dmesg or journalctl -k, e.g.  journalctl -k -b | egpu explain\n`,
        );
        return 3;
      }
      if (!looksLikeKernelLog(shape)) {
        io.stderr(
          `egpu explain: ${what} does not look like a kernel log (${shape.recognised} of the ` +
            `${shape.sampled} lines read look like log lines). Give it the output of dmesg or ` +
            `journalctl -k, e.g.  journalctl -k -b | egpu explain\n`,
        );
        return 3;
      }
    }
    if (json) return 0;
    io.stdout(formatDiagnosis(diagnose(events, { lineCount })));
    return 0;
  },
};
