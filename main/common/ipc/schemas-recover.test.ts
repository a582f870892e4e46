import { describe, expect, it } from 'vitest';
import { parseInput } from './schemas.js';

describe('recover inputs', () => {
  it('take an optional approve: one Thunderbolt unique_id, nothing else', () => {
    expect(parseInput('recover:plan', { bdf: null })).toMatchObject({ ok: true });
    expect(
      parseInput('recover:run', { bdf: null, approve: 'dc010000-0000-8508-a22d-32ca6421cb16' }),
    ).toEqual({
      ok: true,
      value: { bdf: null, approve: 'dc010000-0000-8508-a22d-32ca6421cb16' },
    });
    for (const approve of ['', '../../x', 'a b', 'x'.repeat(65), 7]) {
      expect(parseInput('recover:run', { bdf: null, approve })).toMatchObject({
        ok: false,
        error: { code: 'invalid-input' },
      });
    }
  });
});
