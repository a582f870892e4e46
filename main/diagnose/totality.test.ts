// Parsers are total (docs/architecture.md, "Rules"): no reader, classifier or diagnosis function
// throws on random strings, random bytes decoded as latin1 or UTF-8, truncated corpus lines, or
// 1 MB lines.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyMessage, classifyRecords } from './classify.js';
import { diagnose, formatDiagnosis } from './diagnosis.js';
import { journalMessageText, parseJournalJsonLine } from './journal-json.js';
import { explainEvent } from './kind-catalogue.js';
import { parseLogLine, stripLogPrefix } from './log-line.js';
import { readLogRecords, splitLogLines } from './log-reader.js';
import { scanLogBytes } from './log-scan.js';
import { parseRecoveryAction } from './xid-catalogue.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/logcorpus');
const corpusLines = readdirSync(CORPUS)
  .filter((d) => d.startsWith('case-'))
  .flatMap((d) => splitLogLines(readFileSync(path.join(CORPUS, d, 'input.log'), 'utf8')));

/** Everything a text goes through in `egpu explain`, plus the per-line entry points. */
function everything(text: string): void {
  parseLogLine(text);
  stripLogPrefix(text);
  parseJournalJsonLine(text);
  parseRecoveryAction(text);
  const single = classifyMessage(text);
  if (single !== null) explainEvent(single);
  const events = classifyRecords(readLogRecords(text));
  const scanned = classifyRecords(scanLogBytes(new TextEncoder().encode(text)).records);
  expect(scanned).toStrictEqual(events);
  formatDiagnosis(diagnose(events, { lineCount: 1 }));
}

const bytesAs = (encoding: 'latin1' | 'utf8') =>
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b).toString(encoding));

describe('totality', () => {
  it('random strings, full Unicode included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), everything), {
      numRuns: 300,
    });
  });

  it('random bytes decoded as latin1 and as UTF-8 (NUL, CR, invalid sequences)', () => {
    fc.assert(fc.property(bytesAs('latin1'), everything), { numRuns: 200 });
    fc.assert(fc.property(bytesAs('utf8'), everything), { numRuns: 200 });
  });

  it('corpus lines cut anywhere, alone and glued together', () => {
    const cut = fc
      .tuple(fc.constantFrom(...corpusLines), fc.nat(), fc.nat())
      .map(([l, a, b]) =>
        l.slice(Math.min(a, b) % (l.length + 1), Math.max(a, b) % (l.length + 1)),
      );
    fc.assert(fc.property(cut, everything), { numRuns: 300 });
    fc.assert(
      fc.property(fc.array(cut, { maxLength: 12 }), (parts) => everything(parts.join('\n'))),
      { numRuns: 200 },
    );
  });

  it('random JSON values as journal lines and MESSAGE fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        journalMessageText(v);
        everything(JSON.stringify({ MESSAGE: v }));
        everything(JSON.stringify(v));
      }),
      { numRuns: 200 },
    );
  });

  it('1 MB lines: plain, all-spaces, all-brackets, all-digits, and a keyword at the end', () => {
    const mb = 1024 * 1024;
    const lines = [
      'x'.repeat(mb),
      ' '.repeat(mb) + 'PCIe Bus Error: severity=Corrected',
      '['.repeat(mb),
      '9'.repeat(mb) + ':',
      `[ 1.0] ${'a:'.repeat(mb / 2)}`,
      `Apr  9 12:59:18 ${'h'.repeat(mb)} kernel: x`,
      `{"MESSAGE":"${'NVRM: Xid ('.repeat(mb / 11)}"}`,
      `pcieport 0000:00:07.0: ${'Slot('.repeat(mb / 5)}): Link Down`,
      `NVRM: Xid (PCI:0000:01:00${' '.repeat(mb)}): 79`,
    ];
    for (const line of lines) everything(line);
  });
});
