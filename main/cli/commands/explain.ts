// `egpu explain [FILE] [--json]`: reads a kernel log (dmesg, journalctl in any locale or
// `-o json`, syslog/kern.log, grep output; FILE, `-` or piped stdin), finds GPU, PCIe and
// Thunderbolt trouble, and says per device what it means and what to do next. --json prints one
// event per line for scripts. Exit 0 whether or not trouble was found; 1 when FILE cannot be
// read; 2 for usage errors (main.ts); 130 (SIGINT) or 143 (SIGTERM) when interrupted while
// waiting for input — a FIFO nobody writes to, a pipe that never ends.

import type { Result } from '../../common/result.js';
import { classifyRecords, type LocatedEvent } from '../../diagnose/classify.js';
import { diagnose, formatDiagnosis } from '../../diagnose/diagnosis.js';
import { allocateLogBuffer, scanLogBytes } from '../../diagnose/log-scan.js';
import { readStreamBytes, readUserInput } from '../../platform/user-files.js';
import { JSON_FLAG, type CliIo, type CommandDef } from '../command.js';
import { flagBool } from '../args.js';

/** `{"kind","bdf","line","xid"?,"severity"?,"outcome"?,"text"}` in this key order. */
export function eventJsonLine(e: LocatedEvent): string {
  const out: Record<string, unknown> = { kind: e.kind, bdf: e.bdf, line: e.line };
  if (e.xid !== undefined) out['xid'] = e.xid;
  if (e.severity !== undefined) out['severity'] = e.severity;
  if (e.outcome !== undefined) out['outcome'] = e.outcome;
  out['text'] = e.text;
  return JSON.stringify(out) + '\n';
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
    '2 for usage errors, 130/143 when Ctrl+C or SIGTERM ends the wait for input (e.g. a FIFO).',
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
    const scan = scanLogBytes(input.value);
    const events = classifyRecords(scan.records);
    if (flagBool(args, 'json')) {
      io.stdout(events.map(eventJsonLine).join(''));
      return 0;
    }
    io.stdout(formatDiagnosis(diagnose(events, { lineCount: scan.lineCount })));
    return 0;
  },
};
