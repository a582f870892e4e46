// The 124 real kernel logs in fixtures/realdmesg/logs (pasted into public mailing-list threads;
// see its README.md) as a regression: nothing crashes, the fast scan equals the line-by-line
// path, every log is taken for a kernel log, and the events found are exactly the reviewed
// snapshot in fixtures/realdmesg/events.tsv (one line per log: each kind and bdf with its count).
// None of these logs holds a GPU-driver event (Xid, amdgpu reset, i915 hang), so no gpu-* or
// display kind may ever appear in them. To re-record after a deliberate change:
//   EGPU_UPDATE_REALDMESG=1 npx vitest run main/diagnose/realdmesg.test.ts
// and review the diff line by line.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyRecords, type LocatedEvent } from './classify.js';
import { readLogRecords } from './log-reader.js';
import { decodeLogBytes, scanLogBytes } from './log-scan.js';
import { looksLikeKernelLog, sampleLogShape } from './log-shape.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/realdmesg');
const SNAPSHOT = path.join(DIR, 'events.tsv');
const logs = readdirSync(path.join(DIR, 'logs'))
  .filter((f) => f.endsWith('.log'))
  .sort();

/** `kind[:severity] bdf-or-router ×count`, in order of first appearance. */
function summary(events: readonly LocatedEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.kind}${e.severity === undefined ? '' : `:${e.severity}`} ${e.bdf ?? e.router ?? '-'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n === 1 ? k : `${k} ×${n}`)).join(', ');
}

describe('realdmesg logs', () => {
  const results = logs.map((name) => {
    const bytes = readFileSync(path.join(DIR, 'logs', name));
    return { name, bytes, events: classifyRecords(scanLogBytes(bytes).records) };
  });

  it('has the 124 logs', () => {
    expect(logs).toHaveLength(124);
  });

  it('gives exactly the reviewed events per log', () => {
    const actual = results.map((r) => `${r.name}\t${r.events.length}\t${summary(r.events)}\n`);
    const text = `log\tevents\tkind bdf ×count\n${actual.join('')}`;
    if (process.env['EGPU_UPDATE_REALDMESG'] === '1') writeFileSync(SNAPSHOT, text);
    expect(text).toBe(readFileSync(SNAPSHOT, 'utf8'));
  });

  it('finds no GPU-driver event: these logs hold none', () => {
    for (const r of results) {
      const gpu = r.events.filter((e) => e.kind.startsWith('gpu-') || e.kind.startsWith('display'));
      expect(gpu, r.name).toStrictEqual([]);
    }
  });

  it('fast scan gives the same events as the line-by-line path', () => {
    for (const r of results) {
      expect(r.events, r.name).toStrictEqual(
        classifyRecords(readLogRecords(decodeLogBytes(r.bytes))),
      );
    }
  });

  it('takes every one for a kernel log', () => {
    for (const r of results) expect(looksLikeKernelLog(sampleLogShape(r.bytes)), r.name).toBe(true);
  });
});
