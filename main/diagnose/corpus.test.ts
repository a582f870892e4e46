// The hand-labelled corpora: fixtures/logcorpus (excerpts from bug reports, blogs and forums)
// and fixtures/realdmesg/cases (excerpts of kernel logs pasted into public mailing-list threads;
// see its README.md). Every case must give exactly the labelled events — same order, kind, bdf,
// line, xid, severity, outcome; nothing extra — through both the line-by-line path and the fast
// scan.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyRecords, type LocatedEvent } from './classify.js';
import { readLogRecords } from './log-reader.js';
import { decodeLogBytes, scanLogBytes } from './log-scan.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const CORPORA = [
  { name: 'log corpus', dir: path.join(FIXTURES, 'logcorpus'), size: 15 },
  { name: 'realdmesg corpus', dir: path.join(FIXTURES, 'realdmesg/cases'), size: 30 },
];

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

for (const corpus of CORPORA) {
  describe(corpus.name, () => {
    const cases = readdirSync(corpus.dir)
      .filter((d) => d.startsWith('case-'))
      .sort();
    it(`has the ${corpus.size} labelled cases`, () => {
      expect(cases).toHaveLength(corpus.size);
    });

    for (const name of cases) {
      const bytes = readFileSync(path.join(corpus.dir, name, 'input.log'));
      const expected = (
        JSON.parse(readFileSync(path.join(corpus.dir, name, 'expected.json'), 'utf8')) as {
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
}
