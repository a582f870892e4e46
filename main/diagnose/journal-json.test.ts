// MESSAGE shapes journald produces (systemd docs/JOURNAL_EXPORT_FORMATS.md): string, byte array
// (non-UTF-8), array (repeated field), null (over the field threshold); and lines that are not
// what they seem.

import { describe, expect, it } from 'vitest';
import { journalMessageText, parseJournalJsonLine } from './journal-json.js';

describe('journalMessageText', () => {
  it('takes strings as they are, newlines included', () => {
    expect(journalMessageText('line one\nline two')).toBe('line one\nline two');
  });

  it('decodes byte arrays as UTF-8, invalid bytes as U+FFFD', () => {
    const bytes = [...new TextEncoder().encode('thunderbolt 0-1: Café ')].concat([0xff]);
    expect(journalMessageText(bytes)).toBe('thunderbolt 0-1: Café \ufffd');
  });

  it('joins a repeated field, strings and byte arrays alike', () => {
    expect(journalMessageText(['a', [98, 99], 7, null])).toBe('a\nbc');
  });

  it('gives null for null, empty arrays, objects and numbers', () => {
    for (const v of [null, [], {}, 42, undefined, [[]]]) expect(journalMessageText(v)).toBeNull();
  });

  it('ignores byte values out of range instead of wrapping them', () => {
    expect(journalMessageText([65, 300, -1, 1.5, 66])).toBe('AB');
  });

  it('does not recurse into nested arrays (a hostile line cannot exhaust the stack)', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(journalMessageText(deep)).toBeNull();
  });
});

describe('parseJournalJsonLine', () => {
  it('reads an entry', () => {
    const line = JSON.stringify({
      __CURSOR: 's=1;i=2',
      _TRANSPORT: 'kernel',
      _UDEV_DEVLINK: ['/dev/dri/by-path/a', '/dev/dri/by-path/b'],
      MESSAGE: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
    });
    expect(parseJournalJsonLine(line)).toStrictEqual({
      kind: 'entry',
      message: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
    });
  });

  it('an entry without MESSAGE, or with a null one, has no message', () => {
    expect(parseJournalJsonLine('{"PRIORITY":"3"}')).toStrictEqual({
      kind: 'entry',
      message: null,
    });
    expect(parseJournalJsonLine('{"MESSAGE":null}')).toStrictEqual({
      kind: 'entry',
      message: null,
    });
  });

  it('malformed JSON and non-objects are unparsed', () => {
    for (const l of ['{"MESSAGE":"trunc', '{', '[1,2]', '"s"', '{"a":1}}', '{\u0000}']) {
      expect(parseJournalJsonLine(l)).toStrictEqual({ kind: 'unparsed' });
    }
  });

  it('does not take MESSAGE from the prototype chain', () => {
    expect(parseJournalJsonLine('{"__proto__":{"MESSAGE":"x"}}')).toStrictEqual({
      kind: 'entry',
      message: null,
    });
  });
});
