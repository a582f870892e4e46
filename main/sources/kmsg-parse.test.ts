import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKmsgParser, parseKmsgHeader, unescapeKmsg, type KmsgItem } from './kmsg-parse.js';

const records = (items: KmsgItem[]) =>
  items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));

describe('/dev/kmsg records', () => {
  it('parses the ABI example with its continuation lines (dev-kmsg, §5.4)', () => {
    const p = createKmsgParser();
    const out = records(
      p.push(
        '6,5123,8123401991,-;pcieport 0000:00:07.0: pciehp: Slot(4): Link Down\n SUBSYSTEM=pci\n DEVICE=+pci:0000:00:07.0\n',
      ),
    );
    expect(out).toEqual([
      {
        facility: 0,
        level: 6,
        sequence: '5123',
        monotonicUs: '8123401991',
        flags: '-',
        text: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
        lossy: false,
        dict: { SUBSYSTEM: 'pci', DEVICE: '+pci:0000:00:07.0' },
      },
    ]);
  });

  it('ignores unknown prefix fields (caller=) and reads facility and level from the priority', () => {
    const h = parseKmsgHeader('30,7,100,c,caller=T123,future=1;systemd[1]: hello');
    expect(h).toMatchObject({
      facility: 3,
      level: 6,
      sequence: '7',
      flags: 'c',
      rawText: 'systemd[1]: hello',
    });
    expect(parseKmsgHeader('no semicolon')).toBeNull();
    expect(parseKmsgHeader('x,1,2,-;text')).toBeNull();
  });

  it('unescapes \\xNN and decodes UTF-8, marking invalid bytes lossy', () => {
    expect(unescapeKmsg('caf\\xc3\\xa9 \\x5c')).toEqual({ text: 'café \\', lossy: false });
    expect(unescapeKmsg('DROM \\xff\\xfe')).toEqual({ text: 'DROM \ufffd\ufffd', lossy: true });
    expect(unescapeKmsg('\\xZZ')).toEqual({ text: '\\xZZ', lossy: false });
  });

  it('splits several records in one read and waits for an unterminated line', () => {
    const p = createKmsgParser();
    expect(records(p.push('6,1,10,-;one\n6,2,20,-;tw'))).toHaveLength(1);
    const rest = records(p.push('o\n'));
    expect(rest.map((r) => r.text)).toEqual(['two']);
    expect(p.push(' DEVICE=orphan\n')).toEqual([
      { kind: 'unparsed', reason: 'continuation without a record' },
    ]);
    expect(p.push('garbage\n')).toEqual([{ kind: 'unparsed', reason: 'not a kmsg record' }]);
  });

  it('is total on random, binary, truncated and 1 MB input (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary' }),
            fc.string(),
            fc.constant('6,1,2,-;x\n DEVICE=y\n'),
          ),
        ),
        (chunks) => {
          const p = createKmsgParser();
          for (const c of chunks) p.push(c);
          p.flush();
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.uint8Array(),
        (b) => void createKmsgParser().push(Buffer.from(b).toString('latin1')),
      ),
    );
    const p = createKmsgParser();
    expect(p.push('6,1,2,-;' + 'x'.repeat(1024 * 1024))).toEqual([
      { kind: 'unparsed', reason: 'line too long' },
    ]);
    expect(records(p.push('\n6,3,4,-;after\n')).map((r) => r.text)).toEqual(['after']);
  });
});
