// Is it a kernel log? Every log format and real paste counts; programs, images, prose, source
// code and JSON documents do not.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksLikeKernelLog, sampleLogShape } from './log-shape.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const looks = (text: string | Uint8Array): boolean =>
  looksLikeKernelLog(sampleLogShape(typeof text === 'string' ? Buffer.from(text) : text));

describe('looksLikeKernelLog', () => {
  it('takes every corpus case for a kernel log', () => {
    for (const dir of ['logcorpus', 'realdmesg/cases']) {
      for (const c of readdirSync(path.join(FIXTURES, dir)).filter((d) => d.startsWith('case-')))
        expect(looks(readFileSync(path.join(FIXTURES, dir, c, 'input.log'))), c).toBe(true);
    }
  });

  it('takes quiet logs in any format for kernel logs, and an empty input too', () => {
    expect(looks('')).toBe(true);
    expect(looks('\n\n')).toBe(true);
    expect(
      looks('[    0.000000] Linux version 6.8.0\n[    0.000000] Command line: ro quiet\n'),
    ).toBe(true);
    expect(looks('Mar 05 10:00:00 host kernel: usb 3-1: new high-speed USB device\n')).toBe(true);
    expect(looks('{"MESSAGE":"usb 3-1: new device","PRIORITY":"6"}\n')).toBe(true);
    expect(looks('usb 3-1: new high-speed USB device number 4\nACPI: PM: Waking up\n')).toBe(true);
    expect(looks('    [ 1.0] x\n    [ 2.0] y\n')).toBe(true);
  });

  it('refuses a program, an image, prose, source code and JSON', () => {
    const binary = Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i * 2654435761) >>> 24));
    expect(looks(binary)).toBe(false);
    expect(looks(readFileSync(process.execPath).subarray(0, 300_000))).toBe(false);
    expect(looks('Hello Anna,\n\nthe new cable works. See you on Monday.\n\nBest, Tom\n')).toBe(
      false,
    );
    expect(looks(readFileSync(fileURLToPath(import.meta.url)))).toBe(false);
    expect(looks('{\n  "name": "x",\n  "version": "1.0.0",\n  "scripts": {}\n}\n')).toBe(false);
  });

  it('is total', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
        const s = sampleLogShape(b);
        expect(s.recognised).toBeLessThanOrEqual(s.sampled);
      }),
    );
  });
});
