// The files that tell another eGPU Guard process about ejects: under way (an intent), and ended
// safe-to-unplug (a record kept until the GPU is back). Real files in a temporary folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEjectIntents } from './eject-intent.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function intents(now = () => 1000, alive = (): boolean => true) {
  const runtime = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-intents-'));
  dirs.push(runtime);
  return { runtime, store: createEjectIntents(`${runtime}/ejecting`, now, alive) };
}

describe('eject intents', () => {
  it('an intent lives while its owner does and is cleared at the end', () => {
    let alive = true;
    const { store } = intents(
      () => 1000,
      () => alive,
    );
    expect(store.announce('0000:0a:00.0', ['eject the drive first']).ok).toBe(true);
    expect(store.isEjecting('0000:0a:00.0')).toBe(true);
    expect(store.unplugWarnings('0000:0a:00.0')).toEqual(['eject the drive first']);
    alive = false;
    expect(store.isEjecting('0000:0a:00.0')).toBe(false);
    store.clear('0000:0a:00.0');
    expect(store.isEjecting('0000:0a:00.0')).toBe(false);
  });

  it('a safe eject is remembered beside the intents until forgotten; junk there is skipped', () => {
    const { runtime, store } = intents();
    expect(store.ejected()).toEqual([]);
    store.recordEjected('0000:0a:00.0', ['eject the drive first']);
    store.recordEjected('0000:22:00.0');
    fs.writeFileSync(`${runtime}/ejected/0000:49:00.0`, 'not json');
    fs.writeFileSync(`${runtime}/ejected/notes.txt`, '{"at": 1}');
    expect(fs.readdirSync(runtime).sort()).toEqual(['ejected']);
    expect([...store.ejected()].sort((a, b) => (a.bdf < b.bdf ? -1 : 1))).toEqual([
      { bdf: '0000:0a:00.0', at: 1000, unplugWarnings: ['eject the drive first'] },
      { bdf: '0000:22:00.0', at: 1000, unplugWarnings: [] },
    ]);
    store.forgetEjected('0000:0a:00.0');
    store.forgetEjected('0000:01:00.0'); // never recorded: nothing happens
    expect(store.ejected().map((r) => r.bdf)).toEqual(['0000:22:00.0']);
  });
});
