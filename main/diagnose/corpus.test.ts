// The hand-labelled corpus (fixtures/logcorpus, a byte-for-byte copy of shared/logcorpus):
// every case must give exactly the labelled events — same order, kind, bdf, line, xid,
// severity, outcome; nothing extra — through both the line-by-line path and the fast scan.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyRecords, type LocatedEvent } from './classify.js';
import { readLogRecords } from './log-reader.js';
import { decodeLogBytes, scanLogBytes } from './log-scan.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/logcorpus');
const cases = readdirSync(CORPUS)
  .filter((d) => d.startsWith('case-'))
  .sort();

type Expected = {
  kind: string;
  bdf: string | null;
  line: number;
  xid?: number;
  severity?: string;
  outcome?: string;
};

/** The labelled fields only (expected.json has no text and no router). */
const labelled = (e: LocatedEvent): Expected => ({
  kind: e.kind,
  bdf: e.bdf,
  line: e.line,
  ...(e.xid === undefined ? {} : { xid: e.xid }),
  ...(e.severity === undefined ? {} : { severity: e.severity }),
  ...(e.outcome === undefined ? {} : { outcome: e.outcome }),
});

describe('log corpus', () => {
  it('has the 15 labelled cases', () => {
    expect(cases).toHaveLength(15);
  });

  for (const name of cases) {
    const bytes = readFileSync(path.join(CORPUS, name, 'input.log'));
    const expected = (
      JSON.parse(readFileSync(path.join(CORPUS, name, 'expected.json'), 'utf8')) as {
        events: Expected[];
      }
    ).events;

    it(`${name}: line-by-line path gives exactly the labelled events`, () => {
      const events = classifyRecords(readLogRecords(decodeLogBytes(bytes)));
      expect(events.map(labelled)).toStrictEqual(expected);
    });

    it(`${name}: fast scan gives the same events as the line-by-line path`, () => {
      const slow = classifyRecords(readLogRecords(decodeLogBytes(bytes)));
      const fast = classifyRecords(scanLogBytes(bytes).records);
      expect(fast).toStrictEqual(slow);
    });
  }
});
