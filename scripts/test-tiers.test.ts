// No test that starts a real part runs in the unit tier (npm run test:unit must stay fast and
// need nothing but Node), and every listed system test exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEM_MARKERS, SYSTEM_TESTS } from './test-tiers.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'fixtures')
      out.push(...testFiles(rel));
    else if (e.isFile() && e.name.endsWith('.test.ts')) out.push(rel);
  }
  return out;
}

const isSystem = (file: string): boolean => SYSTEM_TESTS.some((g) => path.matchesGlob(file, g));

describe('test tiers', () => {
  const all = ['main', 'electron', 'renderer', 'scripts'].flatMap(testFiles);

  it('puts every test that starts a real part in the system tier', () => {
    const misplaced = all.filter(
      (f) =>
        f !== 'scripts/test-tiers.test.ts' &&
        !isSystem(f) &&
        SYSTEM_MARKERS.test(fs.readFileSync(path.join(ROOT, f), 'utf8')),
    );
    expect(misplaced).toEqual([]);
  });

  it('lists only system tests that exist', () => {
    for (const g of SYSTEM_TESTS)
      expect(
        all.some((f) => path.matchesGlob(f, g)),
        g,
      ).toBe(true);
  });
});
