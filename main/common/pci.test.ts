// BDF parsing: 4-digit domains, and the 5-digit ones Intel VMD creates (0x10000 and up).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBdf, normalizeBdf, slotOf } from './pci.js';

describe('normalizeBdf', () => {
  it('normalises the forms the kernel and users write', () => {
    expect(normalizeBdf('0000:06:00.0')).toBe('0000:06:00.0');
    expect(normalizeBdf('06:00.1')).toBe('0000:06:00.1');
    expect(normalizeBdf('0001:6C:00')).toBe('0001:6c:00.0');
    expect(normalizeBdf(' 10001:80:02.0 ')).toBe('10001:80:02.0');
    expect(normalizeBdf('1000A:01:00')).toBe('1000a:01:00.0');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['00000:00:1c.0', '100001:80:02.0', '123:00:00.0', '0000:06:00.8', 'x', ''])
      expect(normalizeBdf(bad), bad).toBeNull();
  });

  it('gives canonical text that isBdf accepts, and is stable', () => {
    const hex = (n: number) => fc.integer({ min: 0, max: 16 ** n - 1 }).map((v) => v.toString(16));
    fc.assert(
      fc.property(
        fc.oneof(
          hex(4).map((d) => d.padStart(4, '0')),
          fc.integer({ min: 0x10000, max: 0xfffff }).map((v) => v.toString(16)),
        ),
        hex(2),
        hex(2),
        fc.integer({ min: 0, max: 7 }),
        (domain, bus, dev, fn) => {
          const text = `${domain.toUpperCase()}:${bus.padStart(2, '0')}:${dev.padStart(2, '0')}.${fn}`;
          const bdf = normalizeBdf(text);
          expect(bdf).not.toBeNull();
          expect(isBdf(bdf!)).toBe(true);
          expect(normalizeBdf(bdf!)).toBe(bdf);
        },
      ),
    );
  });
});

describe('isBdf', () => {
  it('accepts canonical 4- and 5-digit domains only', () => {
    expect(isBdf('0000:00:1c.0')).toBe(true);
    expect(isBdf('10001:80:02.0')).toBe(true);
    expect(slotOf('10001:80:02.0')).toBe('10001:80:02');
    for (const bad of [
      '00000:00:1c.0',
      '10001:80:02.0/..',
      '0000:0A:00.0',
      'pci10001:80',
      '0a:00.0',
    ])
      expect(isBdf(bad), bad).toBe(false);
  });
});
