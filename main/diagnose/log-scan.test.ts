// The fast scan must give exactly the events of the line-by-line path, on any input: random
// mixtures of corpus lines, indented continuations, JSON lines, grep prefixes, CRLF, blanks and
// garbage; with the WebAssembly loops and with the JS fallback; and on the bench's generated log.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKernelLog } from '../../scripts/bench/kernel-log.mjs';
import { classifyRecords } from './classify.js';
import { readLogRecords, splitLogLines } from './log-reader.js';
import { allocateLogBuffer, decodeLogBytes, scanLogBytes, type ScanEngine } from './log-scan.js';

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/logcorpus');
const corpusLines = readdirSync(CORPUS)
  .filter((d) => d.startsWith('case-'))
  .flatMap((d) => splitLogLines(readFileSync(path.join(CORPUS, d, 'input.log'), 'utf8')));
const corpusEvents = readdirSync(CORPUS)
  .filter((d) => d.startsWith('case-'))
  .flatMap((d) =>
    classifyRecords(readLogRecords(readFileSync(path.join(CORPUS, d, 'input.log'), 'utf8'))),
  )
  .map((e) => e.text);

const enc = new TextEncoder();

function slow(bytes: Uint8Array) {
  const text = decodeLogBytes(bytes);
  return {
    events: classifyRecords(readLogRecords(text)),
    lines: splitLogLines(text).length,
  };
}

function fast(bytes: Uint8Array, engine: ScanEngine) {
  const r = scanLogBytes(bytes, engine);
  return { events: classifyRecords(r.records), lines: r.lineCount };
}

const json = (message: unknown): string => JSON.stringify({ PRIORITY: '3', MESSAGE: message });

/** Lines that stress record grouping and the scanner's shortcuts. */
const tricky: readonly string[] = [
  '',
  '   ',
  '...',
  '               NVRM: fallen off the bus and is not responding to commands.',
  '  [ 6] BadTLP',
  '\tcontinued with a tab: PCIe Bus Error: severity=Corrected, type=Physical Layer',
  '/var/log/kern.log:               NVRM: fallen off the bus',
  'kern.log.1:12:   pcieport 0000:00:1c.0: PCIe Bus Error: severity=Uncorrected (Fatal)',
  json('pcieport 0000:00:07.0: pciehp: Slot(4): Link Down'),
  json([...enc.encode('nvme 0000:03:00.0: PCIe Bus Error: severity=Corrected, x \xff')]),
  json(null),
  json(['NVRM: Xid (PCI:0000:01:00): 79, GPU has fallen off the bus.', 'second']),
  '{"MESSAGE":"\\u0050CIe Bus Error: severity=Corrected"}',
  '  {"MESSAGE":"thunderbolt 0-1: device disconnected"}',
  '\u001e{"MESSAGE":"thunderbolt 0-1: device disconnected"}',
  '{not json but starts like it: GPU HANG: ecode 1:2:3',
  ' pcieport 0000:00:1d.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer',
  'Feb  2 08:03:20 kernel: [37937.1] amdgpu 0000:03:00.0: amdgpu: GPU reset begin!',
  '\u00a0\u00a0NVRM: fallen off the bus (after non-breaking spaces)',
];

const lineArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...corpusLines) },
  { weight: 3, arbitrary: fc.constantFrom(...tricky) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.constantFrom(...corpusLines).map((l) => l.slice(0, l.length >> 1)) },
);

const logArb = fc
  .record({
    lines: fc.array(lineArb, { maxLength: 40 }),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    finalNewline: fc.boolean(),
  })
  .map(({ lines, crlf, bom, finalNewline }) => {
    const body = lines.join(crlf ? '\r\n' : '\n') + (finalNewline ? '\n' : '');
    return enc.encode((bom ? '\ufeff' : '') + body);
  });

describe('fast scan = line-by-line path', () => {
  it('on random mixtures of corpus lines, continuations, JSON and garbage', () => {
    fc.assert(
      fc.property(logArb, (bytes) => {
        const expected = slow(bytes);
        expect(fast(bytes, 'auto')).toStrictEqual(expected);
        expect(fast(bytes, 'js')).toStrictEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('on journalctl -o json logs with escaped, byte-array and array MESSAGEs', () => {
    // Any character may be written as \uXXXX, '/' as \/; MESSAGE may be bytes or an array.
    const escaped = (text: string, mask: number[]): string =>
      JSON.stringify(text).replace(/[^"\\]/g, (ch, i: number) =>
        (mask[i % mask.length] ?? 0) % 7 === 0
          ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
          : ch === '/' && (mask[i % mask.length] ?? 0) % 2 === 0
            ? '\\/'
            : ch,
      );
    const entry = fc
      .tuple(fc.constantFrom(...corpusLines), fc.nat(4), fc.array(fc.nat(50), { minLength: 1 }))
      .map(([line, form, mask]) => {
        const message = line.replace(/^\[[^\]]*\]\s*/, '');
        const value =
          form === 0
            ? escaped(message, mask)
            : form === 1
              ? JSON.stringify([...enc.encode(message)])
              : form === 2
                ? JSON.stringify([message, 'x'])
                : JSON.stringify(message);
        return form === 4
          ? `{"MESSAGE" : ${value}, "PRIORITY":"3"}`
          : `{"PRIORITY":"3","MESSAGE":${value}}`;
      });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(entry, fc.constantFrom(...tricky)), { maxLength: 30 }),
        (lines) => {
          const bytes = enc.encode(lines.join('\n'));
          expect(fast(bytes, 'auto')).toStrictEqual(slow(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(fast(bytes, 'auto')).toStrictEqual(slow(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('on a generated 30,000-line log with events from the corpus', () => {
    const text = generateKernelLog({
      lines: 30_000,
      eventShare: 0.02,
      seed: 7,
      events: corpusEvents,
    });
    const bytes = enc.encode(text);
    const expected = slow(bytes);
    expect(expected.events.length).toBeGreaterThan(300);
    expect(expected.lines).toBe(30_000);
    expect(fast(bytes, 'auto')).toStrictEqual(expected);
    expect(fast(bytes, 'js')).toStrictEqual(expected);
  });

  it('scans bytes read into the scanner’s own buffer in place', () => {
    const source = enc.encode(corpusLines.join('\n'));
    const into = allocateLogBuffer(source.length);
    into.set(source);
    expect(fast(into, 'auto')).toStrictEqual(slow(source));
  });

  it('counts lines like splitLogLines: final newline, none, empty input, a lone BOM', () => {
    for (const t of ['a\nb\n', 'a\nb', '', '\ufeff', '\n', '\n\n', 'x\r\n']) {
      const bytes = enc.encode(t);
      expect(scanLogBytes(bytes).lineCount).toBe(splitLogLines(decodeLogBytes(bytes)).length);
    }
  });
});
