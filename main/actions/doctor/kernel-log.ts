// Recent kernel trouble for the doctor and its report: this boot's kernel messages from the
// journal (`journalctl -k -o json`, -k implies this boot), classified and grouped exactly as
// `egpu explain` does (diagnose/classify.ts, diagnose/diagnosis.ts). Line numbers in the
// diagnosis count kernel messages in the order read.

import { classifyMessage, type LocatedEvent } from '../../diagnose/classify.js';
import { diagnose } from '../../diagnose/diagnosis.js';
import type { CommandRunner } from '../../platform/command-runner.js';
import { parseJournalLine } from '../../platform/journal-parse.js';
import type { KernelLogFacts } from './doctor-model.js';

/** At most this many of the newest kernel messages are read (a busy boot has tens of thousands). */
export const KERNEL_LOG_ENTRIES = 20_000;

const isoOf = (realtimeUs: string | undefined): string | null => {
  if (realtimeUs === undefined) return null;
  const ms = Number(BigInt(realtimeUs) / 1000n);
  return Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : null;
};

/** `journalctl -o json` output → events, the diagnosis and the lines behind it. Pure, total. */
export function kernelLogFromJournalJson(
  stdout: string,
  source: string,
): KernelLogFacts & { readonly count: number } {
  const events: LocatedEvent[] = [];
  const lines = new Map<number, { text: string; time: string | null }>();
  let n = 0;
  for (const raw of stdout.split('\n')) {
    const parsed = parseJournalLine(raw, 0);
    if (parsed.kind !== 'record') continue;
    n++;
    const e = classifyMessage(parsed.record.message);
    if (e === null) continue;
    events.push({ ...e, line: n });
    lines.set(n, { text: parsed.record.message, time: isoOf(parsed.record.realtimeUs) });
  }
  return {
    source: `${source} (${n} kernel message${n === 1 ? '' : 's'})`,
    diagnosis: diagnose(events, { lineCount: n }),
    lines,
    count: n,
  };
}

export async function readKernelLog(
  runner: CommandRunner,
  selector: readonly string[],
  journalctl = 'journalctl',
): Promise<KernelLogFacts> {
  const args = [...selector, '-o', 'json', '--no-pager', '-n', String(KERNEL_LOG_ENTRIES)];
  const shown = `journalctl ${args.join(' ')}`;
  const r = await runner.run({
    file: journalctl,
    args,
    timeoutMs: 30_000,
    maxOutputBytes: 64 * 1024 * 1024,
  });
  if (!r.ok) return { source: `${shown}: ${r.error.message}`, diagnosis: null, lines: new Map() };
  if (r.value.exitCode !== 0) {
    const why = r.value.stderr.trim().split('\n').pop() ?? '';
    return {
      source: `${shown} exited with ${r.value.exitCode ?? r.value.signal ?? '?'}${why ? `: ${why}` : ''}`,
      diagnosis: null,
      lines: new Map(),
    };
  }
  return kernelLogFromJournalJson(r.value.stdout, shown);
}
