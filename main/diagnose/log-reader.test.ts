// Records: continuation lines, line numbers, JSON lines, line endings.

import { describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS, readLogRecords, splitLogLines } from './log-reader.js';

const texts = (log: string): [number, string][] => readLogRecords(log).map((r) => [r.line, r.text]);

describe('readLogRecords', () => {
  it('joins the NVRM "fallen off the bus" triple into one record on its first line', () => {
    const log = [
      '[ 1843.308145] NVRM: The NVIDIA GPU 0000:b3:00.0',
      '               NVRM: (PCI ID: 10de:26b5) installed in this system has',
      '               NVRM: fallen off the bus and is not responding to commands.',
      '[ 1843.439662] NVRM: The NVIDIA probe routine failed for 1 device(s).',
    ].join('\n');
    expect(texts(log)).toStrictEqual([
      [
        1,
        'NVRM: The NVIDIA GPU 0000:b3:00.0\nNVRM: (PCI ID: 10de:26b5) installed in this system has\nNVRM: fallen off the bus and is not responding to commands.',
      ],
      [4, 'NVRM: The NVIDIA probe routine failed for 1 device(s).'],
    ]);
  });

  it('continues dmesg -T and journalctl records too', () => {
    const log = [
      '[Thu May 17 15:09:35 2018] NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:',
      '                           NVRM: BAR1 is 0M @ 0x0 (PCI:0000:0a:00.0)',
      'Jun 12 16:30:32 host kernel: NVRM: A GPU crash dump has been created. If possible, please run',
      '                             NVRM: nvidia-bug-report.sh as root to collect this data before',
    ].join('\n');
    expect(texts(log).map(([l, t]) => [l, t.split('\n').length])).toStrictEqual([
      [1, 2],
      [3, 2],
    ]);
  });

  it('keeps equally indented bare lines as separate records (a pasted excerpt)', () => {
    const log = [
      ' pcieport 0000:00:1d.0: AER: PCIe Bus Error: severity=Corrected',
      ' pcieport 0000:00:1d.0: AER: device [8086:a330] error status/mask=00000001/00002000',
      ' nvme 0000:03:00.0: AER: PCIe Bus Error: severity=Corrected',
    ].join('\n');
    expect(texts(log).map(([l]) => l)).toStrictEqual([1, 2, 3]);
  });

  it('lets deeper-indented bare lines continue (a traceback)', () => {
    const log = ['Traceback (most recent call last):', '  File "x.py", line 75, in cb', 'Error: y'];
    expect(texts(log.join('\n')).map(([l]) => l)).toStrictEqual([1, 3]);
  });

  it('counts blank and elision lines but never puts them in a record', () => {
    const log = ['[ 1.0] first', '', '...', '               not a continuation', '[ 2.0] x'];
    expect(texts(log.join('\n'))).toStrictEqual([
      [1, 'first'],
      [4, 'not a continuation'],
      [5, 'x'],
    ]);
  });

  it('handles CRLF, a BOM and a missing final newline', () => {
    expect(texts('\ufeff[ 1.0] a\r\n[ 2.0] b\r\n')).toStrictEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(texts('[ 1.0] a')).toStrictEqual([[1, 'a']]);
  });

  it('reads journalctl -o json: each line one record; numbers count JSON lines', () => {
    const log = [
      JSON.stringify({ MESSAGE: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down' }),
      JSON.stringify({ MESSAGE: null }),
      '{"MESSAGE": "truncated',
      JSON.stringify({ MESSAGE: [78, 86, 82, 77, 58, 32, 255] }),
      '  indented text after JSON is its own record',
    ].join('\n');
    expect(texts(log)).toStrictEqual([
      [1, 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down'],
      [4, 'NVRM: \ufffd'],
      [5, 'indented text after JSON is its own record'],
    ]);
  });

  it('keeps a multi-line journal MESSAGE as one record', () => {
    const msg = 'NVRM: The NVIDIA GPU 0000:b3:00.0\nNVRM: fallen off the bus.';
    expect(texts(JSON.stringify({ MESSAGE: msg }))).toStrictEqual([[1, msg]]);
  });

  it('bounds a record at MAX_RECORD_CHARS however long its lines are', () => {
    const huge = `[ 1.0] ${'x'.repeat(1_000_000)}\n${'   y'.repeat(10)}\n`;
    const [record] = readLogRecords(huge);
    expect(record?.text.length).toBe(MAX_RECORD_CHARS);
  });

  it('splitLogLines drops only the empty line after a final newline', () => {
    expect(splitLogLines('a\n\n')).toStrictEqual(['a', '']);
    expect(splitLogLines('')).toStrictEqual([]);
    expect(splitLogLines('\n')).toStrictEqual(['']);
  });
});
