import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../common/inventory-model.js';
import { readInventory } from '../inventory/inventory.js';
import { scenarioByName } from '../sim/scenarios/index.js';
import { makeSysroot } from '../sim/sysroot-fixture.js';
import { StateModel } from '../state/state-model.js';
import {
  isTrustedEnclosure,
  knownEnclosuresPathFor,
  loadKnownEnclosures,
  mergeKnownEnclosures,
  saveKnownEnclosures,
  trustedEnclosureIds,
  type EnclosureTrust,
} from './known-enclosures.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const CORE_X = 'dc010000-0000-8508-a22d-32ca6421cb16';
const NONE: EnclosureTrust = { enclosures: [], knownGpus: [], boltStored: new Set() };

function tb3(): Inventory {
  const f = makeSysroot(scenarioByName('tb3-nvidia')!);
  cleanups.push(() => f.cleanup());
  return readInventory(f.root);
}

describe('known enclosures', () => {
  it('remembers the enclosure a GPU attached behind, once, and keeps it when the GPU moves on', () => {
    const inv = tb3();
    const first = mergeKnownEnclosures([], inv);
    expect(first).toEqual([{ uniqueId: CORE_X, name: 'Razer Core X', gpus: ['0000:0a:00.0'] }]);
    expect(mergeKnownEnclosures(first!, inv)).toBeNull();
    // The same card in another enclosure: the Core X stays known.
    const moved: Inventory = {
      ...inv,
      gpus: inv.gpus.map((g) =>
        g.enclosure === null ? g : { ...g, enclosure: { ...g.enclosure, uniqueId: 'other-uid' } },
      ),
    };
    expect(mergeKnownEnclosures(first!, moved)?.map((e) => e.uniqueId)).toEqual([
      CORE_X,
      'other-uid',
    ]);
  });

  it('a router that is not authorized carries nothing yet, so it is not remembered', () => {
    const inv = tb3();
    const waiting: Inventory = {
      ...inv,
      gpus: inv.gpus.map((g) =>
        g.enclosure === null ? g : { ...g, enclosure: { ...g.enclosure, authorized: 0 } },
      ),
    };
    expect(mergeKnownEnclosures([], waiting)).toBeNull();
  });

  it('lives beside known-gpus.json; a missing or corrupt file trusts nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-enclosures-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = knownEnclosuresPathFor(path.join(dir, 'known-gpus.json'))!;
    expect(file).toBe(path.join(dir, 'known-enclosures.json'));
    expect(loadKnownEnclosures(file)).toEqual([]);
    saveKnownEnclosures(file, [{ uniqueId: CORE_X, name: 'Razer Core X', gpus: ['x'] }]);
    expect(loadKnownEnclosures(file)).toEqual([
      { uniqueId: CORE_X, name: 'Razer Core X', gpus: ['x'] },
    ]);
    fs.writeFileSync(file, '[{"uniqueId": "", "name": "x", "gpus": []}, 7');
    expect(loadKnownEnclosures(file)).toEqual([]);
    fs.writeFileSync(file, '[{"uniqueId": "", "name": "x", "gpus": []}, {"uniqueId": 3}]');
    expect(loadKnownEnclosures(file)).toEqual([]);
    expect(knownEnclosuresPathFor(null)).toBeNull();
  });

  it('trust is per GPU for remembered enclosures; bolt-stored devices are trusted for any GPU', () => {
    const trust: EnclosureTrust = {
      ...NONE,
      enclosures: [{ uniqueId: CORE_X, name: 'Razer Core X', gpus: ['0000:0a:00.0'] }],
      boltStored: new Set(['dock']),
    };
    expect(isTrustedEnclosure(trust, CORE_X, null)).toBe(true);
    expect(isTrustedEnclosure(trust, CORE_X, '0000:0a:00.0')).toBe(true);
    expect(isTrustedEnclosure(trust, CORE_X, '0000:66:00.0')).toBe(false);
    expect(isTrustedEnclosure(trust, 'dock', '0000:66:00.0')).toBe(true);
    expect(isTrustedEnclosure(trust, 'stranger', null)).toBe(false);
    expect(isTrustedEnclosure(trust, null, null)).toBe(false);
    expect(trustedEnclosureIds(trust)).toEqual([CORE_X, 'dock']);
  });

  it('the snapshot marks each waiting device known or new', () => {
    const inv = tb3();
    const waiting: Inventory = {
      ...inv,
      gpus: inv.gpus.filter((g) => !g.external),
      thunderbolt: inv.thunderbolt.map((d) => ({
        ...d,
        routers: [
          ...d.routers.map((r) => (r.host ? r : { ...r, authorized: 0 })),
          { ...d.routers[1]!, router: '0-3', uniqueId: 'stranger', authorized: 0 },
        ],
      })),
    };
    const model = new StateModel();
    model.apply({ type: 'inventory', at: 1, inventory: waiting });
    const flags = () => model.snapshot().pendingDevices.map((d) => [d.router, d.known]);
    expect(flags()).toEqual([
      ['0-1', false],
      ['0-3', false],
    ]);
    model.setTrustedEnclosures([CORE_X]);
    expect(flags()).toEqual([
      ['0-1', true],
      ['0-3', false],
    ]);
  });
});
