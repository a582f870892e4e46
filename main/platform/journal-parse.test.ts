import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cursorBootId, parseJournalLine } from './journal-parse.js';
import { journalUnavailableReason } from './journal-probe.js';

const line = (o: Record<string, unknown>): string => JSON.stringify(o);

describe('journal JSON lines', () => {
  it('reads a kernel entry with every field the record carries', () => {
    const r = parseJournalLine(
      line({
        __CURSOR: 's=1;i=2;b=0123456789abcdef0123456789abcdef;m=3;t=4;x=5',
        __REALTIME_TIMESTAMP: '1750001234567890',
        __MONOTONIC_TIMESTAMP: '8123405870',
        _BOOT_ID: '0123456789abcdef0123456789abcdef',
        _TRANSPORT: 'kernel',
        PRIORITY: '3',
        _KERNEL_SUBSYSTEM: 'pci',
        _KERNEL_DEVICE: '+pci:0000:06:00.0',
        _UDEV_DEVLINK: ['/dev/a', '/dev/b'],
        _HOSTNAME: null,
        MESSAGE: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
      }),
      42,
    );
    expect(r).toEqual({
      kind: 'record',
      journalTransport: 'kernel',
      record: {
        source: 'kernel',
        transport: 'journal',
        message: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
        cursor: 's=1;i=2;b=0123456789abcdef0123456789abcdef;m=3;t=4;x=5',
        realtimeUs: '1750001234567890',
        monotonicUs: '8123405870',
        priority: 3,
        kernelDevice: '+pci:0000:06:00.0',
        kernelSubsystem: 'pci',
        bootId: '0123456789abcdef0123456789abcdef',
        receivedAt: 42,
      },
    });
  });

  it('decodes a byte-array MESSAGE as UTF-8 with replacement and marks it lossy', () => {
    const bytes = [...Buffer.from('NVRM: bad '), 0xff, 0xfe, ...Buffer.from(' name é')];
    const r = parseJournalLine(line({ MESSAGE: bytes }), 0);
    expect(r.kind === 'record' && r.record).toMatchObject({
      message: 'NVRM: bad \ufffd\ufffd name é',
      lossy: true,
    });
    const valid = parseJournalLine(line({ MESSAGE: [...Buffer.from('ok é')] }), 0);
    expect(valid.kind === 'record' && valid.record.lossy).toBeUndefined();
  });

  it('joins a repeated MESSAGE, keeps newlines, and flags null', () => {
    const rep = parseJournalLine(line({ MESSAGE: ['one', [0x74, 0x77, 0x6f]] }), 0);
    expect(rep.kind === 'record' && rep.record.message).toBe('one\ntwo');
    const multi = parseJournalLine(line({ MESSAGE: 'line one\nline two' }), 0);
    expect(multi.kind === 'record' && multi.record.message).toBe('line one\nline two');
    const nul = parseJournalLine(line({ MESSAGE: null }), 0);
    expect(nul.kind === 'record' && nul.record).toMatchObject({
      message: '',
      messageMissing: true,
    });
  });

  it('says why a line is unparsed', () => {
    const reason = (l: string) => {
      const r = parseJournalLine(l, 0);
      return r.kind === 'unparsed' ? r.reason : 'record';
    };
    expect(reason('')).toBe('empty line');
    expect(reason('{"MESSAGE":')).toBe('not JSON');
    expect(reason('[1,2]')).toBe('not a JSON object');
    expect(reason('{"PRIORITY":"3"}')).toBe('no MESSAGE field');
    expect(reason('{"MESSAGE":{"a":1}}')).toBe('MESSAGE has an unexpected type');
    expect(reason('{"MESSAGE":[300]}')).toBe('MESSAGE has an unexpected type');
    expect(reason('\x1e{"MESSAGE":"seq"}')).toBe('record');
  });

  it('finds the boot id inside a cursor', () => {
    expect(cursorBootId('s=1;i=2;b=0123456789ABCDEF0123456789abcdef;m=3')).toBe(
      '0123456789abcdef0123456789abcdef',
    );
    expect(cursorBootId('garbage')).toBeUndefined();
  });

  it('recognizes journalctl diagnostics that mean "nothing readable" (texts from systemd 252)', () => {
    expect(journalUnavailableReason('No journal files were found.\n')).toMatch(/no journal files/);
    expect(
      journalUnavailableReason(
        "Hint: You are currently not seeing messages from other users and the system.\n      Users in groups 'adm', 'systemd-journal' can see all messages.\n",
      ),
    ).toMatch(/not permitted/);
    expect(
      journalUnavailableReason('No journal files were opened due to insufficient permissions.'),
    ).toMatch(/not permitted/);
    expect(journalUnavailableReason('Failed to open files: Permission denied')).toMatch(
      /not permitted/,
    );
    expect(journalUnavailableReason('')).toBeNull();
  });
});

describe('journal parser is total (fast-check)', () => {
  const value = fc.oneof(
    fc.string(),
    fc.constant(null),
    fc.array(fc.integer({ min: -5, max: 300 })),
    fc.array(fc.oneof(fc.string(), fc.array(fc.nat({ max: 255 })))),
    fc.dictionary(fc.string(), fc.string()),
    fc.double(),
  );
  it('never throws on random objects, random text, truncation and 1 MB lines', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('MESSAGE', 'PRIORITY', '__CURSOR', '_TRANSPORT', '_BOOT_ID', 'x'),
          value,
        ),
        (o) => {
          const l = JSON.stringify(o);
          parseJournalLine(l, 0);
          parseJournalLine(l.slice(0, Math.floor(l.length / 2)), 0);
        },
      ),
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void parseJournalLine(s, 0)));
    const big = JSON.stringify({ MESSAGE: 'x'.repeat(1024 * 1024) });
    expect(parseJournalLine(big, 0)).toEqual({ kind: 'unparsed', reason: 'line too long' });
    const bigBytes = JSON.stringify({
      MESSAGE: Array.from({ length: 100_000 }, (_, i) => i % 256),
    });
    expect(parseJournalLine(bigBytes, 0).kind).toBe('record');
  });
});
