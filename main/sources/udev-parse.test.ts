import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readUdevFixture } from './test/udev-transcript.js';
import {
  createUdevParser,
  parseUdevHeader,
  parseUevent,
  seqnumOf,
  type UdevBlock,
  type UdevParseItem,
} from './udev-parse.js';

const blocksOf = (items: UdevParseItem[]): UdevBlock[] =>
  items.flatMap((i) => (i.kind === 'block' ? [i.block] : []));

function parseAll(text: string): UdevParseItem[] {
  const p = createUdevParser();
  const out: UdevParseItem[] = [];
  for (const line of text.split('\n')) out.push(...p.push(line));
  out.push(...p.flush());
  return out;
}

describe('udev header', () => {
  it('parses the exact udevadm spacing for UDEV and KERNEL', () => {
    expect(
      parseUdevHeader(
        'UDEV  [1234.567890] remove   /devices/pci0000:00/0000:00:07.0/0000:06:00.0/drm/card1 (drm)',
      ),
    ).toEqual({
      origin: 'UDEV',
      monitorUs: 1234567890,
      action: 'remove',
      devpath: '/devices/pci0000:00/0000:00:07.0/0000:06:00.0/drm/card1',
      subsystem: 'drm',
    });
    expect(parseUdevHeader('KERNEL[1234.560001] unbind   /devices/x (pci)')?.origin).toBe('KERNEL');
    expect(parseUdevHeader('UDEV [1.5] add /devices/x ()')?.monitorUs).toBe(1_500_000);
    expect(parseUdevHeader('UDEV  [1.000000] add /devices/x')).toBeNull();
    expect(parseUdevHeader('ACTION=add')).toBeNull();
  });
});

describe('udev monitor parser', () => {
  it('reads the surprise-unplug transcript: banner, 13 blocks, values with "="', () => {
    const items = parseAll(readUdevFixture('amd-surprise-unplug.txt'));
    expect(items.filter((i) => i.kind === 'banner-end')).toHaveLength(1);
    expect(items.filter((i) => i.kind === 'unparsed')).toEqual([]);
    const blocks = blocksOf(items);
    expect(blocks.map((b) => `${b.action} ${b.subsystem}`)).toEqual([
      'remove thunderbolt',
      'remove drm',
      'remove drm',
      'remove drm',
      'remove drm',
      'unbind pci',
      'remove pci',
      'unbind pci',
      'remove pci',
      'unbind pci',
      'remove pci',
      'unbind pci',
      'remove pci',
    ]);
    const unbind = blocks.find((b) => b.action === 'unbind' && b.devpath.endsWith('06:00.0'));
    expect(unbind?.properties['DRIVER']).toBeUndefined();
    expect(unbind?.properties['PCI_SLOT_NAME']).toBe('0000:06:00.0');
    expect(seqnumOf(unbind?.properties ?? {})).toBe(5207);
    const card = blocks.find((b) => b.devpath.endsWith('/drm/card1'));
    expect(card?.properties['TAGS']).toBe(':seat:uaccess:master-of-seat:');
  });

  it('keeps everything after the first "=" and parses DRM HOTPLUG and WEDGED faithfully', () => {
    const blocks = blocksOf(parseAll(readUdevFixture('drm-hotplug-wedged.txt')));
    expect(blocks.map((b) => b.properties['HOTPLUG'] ?? '-')).toEqual(['1', '1', '1', '-']);
    expect(blocks[1]?.properties['CONNECTOR']).toBe('95');
    expect(blocks[3]?.properties).toMatchObject({
      WEDGED: 'rebind,bus-reset',
      PID: '4242',
      TASK: 'gnome-shell',
    });
    const p = createUdevParser();
    p.push('UDEV  [1.000001] change   /devices/x (drm)');
    p.push('FOO=a=b==c');
    expect(blocksOf(p.push(''))[0]?.properties['FOO']).toBe('a=b==c');
  });

  it('closes a block at the next header when no blank line separates them', () => {
    const items = parseAll(
      'KERNEL[1.000000] add      /devices/a (pci)\nKERNEL[2.000000] remove   /devices/a (pci)\n',
    );
    expect(blocksOf(items).map((b) => b.action)).toEqual(['add', 'remove']);
  });

  it('reports stray lines as unparsed and survives them', () => {
    const items = parseAll(
      'garbage\nUDEV  [1.000000] add      /devices/a (pci)\nno equals sign\nA=1\n\n',
    );
    expect(
      items
        .filter((i) => i.kind === 'unparsed')
        .map((i) => (i.kind === 'unparsed' ? i.reason : '')),
    ).toEqual(['outside an event block', 'not KEY=VALUE']);
    expect(blocksOf(items)[0]?.properties['A']).toBe('1');
  });

  it('reset() drops a half-read block from a dead child', () => {
    const p = createUdevParser();
    p.push('UDEV  [1.000000] add      /devices/a (pci)');
    p.push('A=1');
    p.reset();
    expect(p.push('')).toEqual([]);
  });

  it('treats __proto__ as an ordinary key', () => {
    const p = createUdevParser();
    p.push('UDEV  [1.000000] add      /devices/a (pci)');
    p.push('__proto__=x');
    const b = blocksOf(p.push(''))[0];
    expect(b?.properties['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(b?.properties)).toBeNull();
  });
});

describe('uevent files', () => {
  it('uses the same KEY=VALUE parser', () => {
    expect(parseUevent('DRIVER=amdgpu\nPCI_CLASS=30000\nMODALIAS=pci:v1=x\n\n')).toEqual({
      DRIVER: 'amdgpu',
      PCI_CLASS: '30000',
      MODALIAS: 'pci:v1=x',
    });
  });
});

describe('udev parsers are total (fast-check)', () => {
  const lineArb = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom(
      '',
      'UDEV  [1.000000] add      /devices/a (pci)',
      'A=1',
      'monitor will print the received events for:',
    ),
    fc
      .tuple(fc.constantFrom('UDEV', 'KERNEL'), fc.nat(), fc.string())
      .map(([o, n, s]) => `${o}[${n}.${n}] ${s} ${s} (${s})`),
  );

  it('never throws on random line sequences', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 60 }), (lines) => {
        const p = createUdevParser();
        for (const l of lines) p.push(l);
        p.flush();
      }),
    );
  });

  it('never throws on random uevent text and binary input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (t) => void parseUevent(t)));
    fc.assert(
      fc.property(fc.uint8Array(), (b) => void parseUevent(Buffer.from(b).toString('latin1'))),
    );
  });

  it('handles truncated fixtures and 1 MB lines', () => {
    const text = readUdevFixture('nvidia-planned-eject.txt');
    fc.assert(
      fc.property(fc.nat({ max: text.length }), (cut) => {
        parseAll(text.slice(0, cut));
      }),
      { numRuns: 200 },
    );
    const huge = 'A='.padEnd(1024 * 1024, 'x');
    const p = createUdevParser();
    p.push('UDEV  [1.000000] add      /devices/a (pci)');
    expect(p.push(huge)[0]).toMatchObject({ kind: 'unparsed', reason: 'line too long' });
    expect(p.push(''.padEnd(1024 * 1024, 'U'))[0]?.kind).toBe('unparsed');
    expect(Object.keys(parseUevent(huge))).toEqual([]);
  });
});
