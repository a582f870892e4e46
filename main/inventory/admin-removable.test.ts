// The administrator's removable list from the inventory's side: parsing, the ownership rule, what
// `egpu status` reports for an OCuLink eGPU the firmware does not mark, and the eject plan that
// follows — the same verdict the helper reaches (main/helper/admin-removable.test.ts).

import { afterEach, describe, expect, it } from 'vitest';
import { planEject } from '../actions/eject/eject-planner.js';
import { ejectFacts } from '../actions/eject/test/facts-fixture.js';
import { distrustReason, parseRemovableConfig } from '../common/removable-config.js';
import { makeSysroot, writeRemovableList, type SysrootFixture } from '../sim/sysroot-fixture.js';
import { oculinkUnmarked } from '../sim/scenarios/variants.js';
import { readAdminRemovable } from './admin-removable.js';
import { readInventory } from './inventory.js';

const DOCK_PORT = '0000:01:00.0';
const EGPU = '0000:03:00.0';
const IGPU = '0000:c5:00.0';
const AS_ROOT = process.getuid?.() === 0;

describe('removable.conf parsing and trust', () => {
  it('reads PCI addresses, one a line, with comments; reports what is not one', () => {
    expect(
      parseRemovableConfig(
        '# OCuLink dock\n0000:01:00.0  # upstream port\n\n01:00.0\n0000:03:00\nnot-a-bdf\n0000:zz:00.0\n',
      ),
    ).toEqual({
      addresses: ['0000:01:00.0', '0000:03:00.0'],
      invalid: ['line 6: "not-a-bdf"', 'line 7: "0000:zz:00.0"'],
    });
    expect(parseRemovableConfig('')).toEqual({ addresses: [], invalid: [] });
  });

  it('trusts only root-owned, not group- or world-writable, non-symlink files in such a folder', () => {
    const dir = { kind: 'dir', uid: 0, mode: 0o755 } as const;
    const file = { kind: 'file', uid: 0, mode: 0o644 } as const;
    expect(distrustReason(dir, file)).toBeNull();
    expect(distrustReason(dir, null)).toBeNull();
    expect(distrustReason(dir, { ...file, mode: 0o664 })).toMatch(/writable by group or others/);
    expect(distrustReason(dir, { ...file, mode: 0o646 })).toMatch(/writable by group or others/);
    expect(distrustReason(dir, { ...file, uid: 1000 })).toMatch(/does not belong to root/);
    expect(distrustReason(dir, { ...file, kind: 'symlink' })).toMatch(/not a regular file/);
    expect(distrustReason({ ...dir, mode: 0o777 }, file)).toMatch(/egpu-guard is writable/);
    expect(distrustReason({ ...dir, uid: 1000 }, file)).toMatch(/egpu-guard does not belong/);
    expect(distrustReason(null, file)).toMatch(/is not a folder/);
  });
});

describe.skipIf(!AS_ROOT)('an OCuLink eGPU the firmware does not mark', () => {
  let f: SysrootFixture;
  afterEach(() => f.cleanup());
  const list = (text: string, mode = 0o644): void => writeRemovableList(f, text, mode);
  const egpu = () => readInventory(f.root).gpus.find((g) => g.bdf === EGPU)!;
  const plan = () => planEject(ejectFacts(readInventory(f.root), EGPU));

  it('looks internal without the list, and the plan says how to fix that', () => {
    f = makeSysroot(oculinkUnmarked);
    expect(readAdminRemovable(f.root)).toEqual({ state: 'absent' });
    expect(egpu()).toMatchObject({ external: false, enclosureTop: null });
    const p = plan();
    expect(p.result).toBe('blocked');
    expect(p.blockers[0]?.reason).toMatch(
      /internal GPU as far as the kernel can tell.*list it .* in \/etc\/egpu-guard\/removable\.conf/,
    );
  });

  it('is external with the dock listed: evidence, enclosure top, and a plan that removes the dock', () => {
    f = makeSysroot(oculinkUnmarked);
    list(`${DOCK_PORT}\n${IGPU}\n`);
    expect(readAdminRemovable(f.root)).toEqual({
      state: 'trusted',
      addresses: [DOCK_PORT, IGPU],
      invalid: [],
    });
    expect(egpu()).toMatchObject({
      external: true,
      enclosureTop: DOCK_PORT,
      externalEvidence: expect.arrayContaining([
        {
          kind: 'admin-listed',
          device: DOCK_PORT,
          detail: `/etc/egpu-guard/removable.conf lists ${DOCK_PORT} as removable, and so the devices below it`,
        },
      ]),
    });
    // The boot display stays internal even when listed.
    expect(readInventory(f.root).gpus.find((g) => g.bdf === IGPU)).toMatchObject({
      external: false,
      enclosureTop: null,
    });
    const p = plan();
    expect(p.result).toBe('ready');
    expect(p.steps.find((s) => s.step === 'remove')?.helper).toEqual(['remove', DOCK_PORT]);
  });

  it('ignores a list others may write, and says why', () => {
    f = makeSysroot(oculinkUnmarked);
    list(`${DOCK_PORT}\n`, 0o666);
    expect(readAdminRemovable(f.root)).toEqual({
      state: 'ignored',
      reason: '/etc/egpu-guard/removable.conf is writable by group or others',
    });
    expect(egpu().external).toBe(false);
  });
});
