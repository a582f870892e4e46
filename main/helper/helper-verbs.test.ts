// Valid verbs on every scenario: each does exactly one write, to exactly the file it should, with
// exactly the value it should (no other writable attribute moves, and the whole tree hashes the
// same once the test undid its own changes), or records exactly the argv it would run. Targets
// come from the scenarios themselves: every function of every enclosure.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PciFunctionSpec, Scenario } from '../sim/scenario.js';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { tb3Nvidia } from '../sim/scenarios/tb3-nvidia.js';
import { pciDevicePath, tbRouterPath } from '../sim/sysroot-writer.js';
import { changedEntries, makeRoot, readIn, runInProcess, snapshot } from './test/helper-fixture.js';

const isDisplay = (classCode: number): boolean => classCode >> 16 === 0x03;

/** Each enclosure's functions, grouped under its top bridge (the one whose parent is outside). */
function enclosures(s: Scenario): PciFunctionSpec[][] {
  const inside = new Map(s.pci.filter((p) => p.enclosure).map((p) => [p.bdf, p]));
  const topOf = (p: PciFunctionSpec): string => {
    const parent = p.parent === null ? undefined : inside.get(p.parent);
    return parent === undefined ? p.bdf : topOf(parent);
  };
  const groups = new Map<string, PciFunctionSpec[]>();
  for (const p of inside.values()) groups.set(topOf(p), [...(groups.get(topOf(p)) ?? []), p]);
  return [...groups.values()];
}

/** Peripheral routers at the end of a chain: the enclosures (docks sit in between). */
const leafRouters = (s: Scenario) =>
  s.thunderbolt.routers.filter(
    (r) => r.parent !== undefined && !s.thunderbolt.routers.some((c) => c.parent === r.id),
  );

/** What a function of an enclosure is, for the helper's rules. */
function gpuPart(
  s: Scenario,
  f: PciFunctionSpec,
): 'display' | 'function' | 'bridge' | 'bridge-shared' | 'other' {
  const below = (b: string): PciFunctionSpec[] =>
    s.pci.filter((p) => p.parent === b).flatMap((p) => [p, ...below(p.bdf)]);
  const slot = (x: string): string => x.slice(0, -2);
  const gpuSlots = new Set(s.pci.filter((p) => isDisplay(p.classCode)).map((p) => slot(p.bdf)));
  const isPart = (p: PciFunctionSpec): boolean =>
    p.classCode >> 8 === 0x0604 || gpuSlots.has(slot(p.bdf));
  if (isDisplay(f.classCode)) return 'display';
  if (f.classCode >> 8 === 0x0604) {
    const all = below(f.bdf);
    if (!all.some((p) => isDisplay(p.classCode))) return 'other';
    return all.every(isPart) ? 'bridge' : 'bridge-shared';
  }
  return gpuSlots.has(slot(f.bdf)) ? 'function' : 'other';
}

/** Whether a domain's tunnels (the enclosures of a scenario with routers in it) carry more. */
function tunnelsCarryMore(s: Scenario, domain: string): boolean {
  const routers = s.thunderbolt.routers.some((r) => r.domain === domain && r.parent !== undefined);
  return (
    routers &&
    enclosures(s).some((group) =>
      group.some((f) => gpuPart(s, f) === 'other' && f.classCode >> 8 !== 0x0604),
    )
  );
}

/** Every file a helper verb can write: the attributes it writes by name, wherever they are. */
function writableSurface(dir: string): string[] {
  const names = new Set(['remove', 'rescan', 'bind', 'unbind', 'authorized', 'uevent']);
  const out: string[] = [];
  const walk = (p: string): void => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(p, e.name));
      else if (e.isFile() && names.has(e.name)) out.push(path.join(p, e.name));
    }
  };
  walk(dir);
  return out;
}

/** Files of the surface whose size or mtime moved since `before`. */
function touched(surface: readonly string[], before: Map<string, string>): string[] {
  const now = stamp(surface);
  return surface.filter((f) => now.get(f) !== before.get(f));
}
function stamp(surface: readonly string[]): Map<string, string> {
  return new Map(
    surface.map((f) => {
      const st = fs.statSync(f);
      return [f, `${st.size}:${st.mtimeMs}`];
    }),
  );
}

/**
 * Per verb: exit 0 and exactly `appended` added to the file behind `target`, and no other file
 * the helper could write was touched. Per scenario, a content hash of the whole tree before and
 * after (every test change is undone) catches anything else.
 */
function expectWrite(
  dir: string,
  surface: readonly string[],
  argv: readonly string[],
  target: string,
  appended: string,
): void {
  const file = path.join(dir, target);
  const real = path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
  const original = fs.readFileSync(real, 'utf8');
  const before = stamp(surface);
  const r = runInProcess(['--test-root', dir, ...argv]);
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  expect(touched(surface, before)).toEqual([real]);
  expect(fs.readFileSync(real, 'utf8')).toBe(original + appended);
  fs.writeFileSync(real, original);
}

function expectNoWrite(
  dir: string,
  surface: readonly string[],
  argv: readonly string[],
  code: number,
  said: RegExp,
): void {
  const before = stamp(surface);
  const r = runInProcess(['--test-root', dir, ...argv]);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(said);
  expect(touched(surface, before)).toEqual([]);
}

/** Like expectNoWrite, for tests that reshape the tree: nothing anywhere in it may change. */
function expectTreeUntouched(
  dir: string,
  argv: readonly string[],
  code: number,
  said: RegExp,
): void {
  const before = snapshot(dir, true);
  const r = runInProcess(['--test-root', dir, ...argv]);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(said);
  expect(changedEntries(before, snapshot(dir, true))).toEqual([]);
}

function expectCommand(dir: string, argv: readonly string[], recorded: readonly string[]): void {
  const r = runInProcess(['--test-root', dir, ...argv]);
  expect(r.code, r.stderr).toBe(0);
  expect(readIn(dir, '/run/egpu-guard/helper-commands.log')).toBe(`${JSON.stringify(recorded)}\n`);
  fs.rmSync(path.join(dir, 'run/egpu-guard'), { recursive: true });
}

describe.each(SCENARIOS.map((s) => [s.name, s] as const))(
  'valid verbs on %s',
  (_name, scenario) => {
    it('does exactly the write each verb stands for', () => {
      const root = makeRoot(scenario);
      const dir = root.dir;
      const surface = writableSurface(dir);
      const pristine = snapshot(dir);
      try {
        for (const functions of enclosures(scenario)) {
          for (const f of functions) {
            const dev = pciDevicePath(scenario, f.bdf);
            const kind = gpuPart(scenario, f);
            if (kind === 'other' && f.classCode >> 8 === 0x0604) {
              // A bridge above a drive or a dock's USB controller: never removed, never unbound.
              expectNoWrite(dir, surface, ['remove', f.bdf], 2, /more than a GPU below it/);
              expectNoWrite(dir, surface, ['unbind', f.bdf], 2, /is a bridge/);
              continue;
            }
            if (kind === 'other') {
              expectNoWrite(dir, surface, ['remove', f.bdf], 2, /neither a display controller/);
              expectNoWrite(dir, surface, ['unbind', f.bdf], 2, /neither a display controller/);
              continue;
            }
            if (kind === 'bridge-shared') {
              expectNoWrite(dir, surface, ['remove', f.bdf], 2, /more than a GPU below it/);
            } else {
              expectWrite(dir, surface, ['remove', f.bdf], `${dev}/remove`, '1\n');
            }
            if (kind !== 'function' && kind !== 'display') {
              // A bridge's driver is pcieport: never unbound.
              expectNoWrite(dir, surface, ['unbind', f.bdf], 2, /is a bridge/);
            } else if (f.driver !== undefined) {
              expectWrite(
                dir,
                surface,
                ['unbind', f.bdf],
                `/sys/bus/pci/drivers/${f.driver}/unbind`,
                `${f.bdf}\n`,
              );
            }
          }
          const gpu = functions.find((f) => isDisplay(f.classCode));
          if (gpu?.driver !== undefined) {
            const dev = pciDevicePath(scenario, gpu.bdf);
            // Bound already: nothing to do. Unbound: one write to the driver's bind.
            expectNoWrite(dir, surface, ['bind', gpu.bdf, gpu.driver], 0, /already bound/);
            const link = path.join(dir, dev, 'driver');
            const saved = fs.readlinkSync(link);
            fs.unlinkSync(link);
            expectWrite(
              dir,
              surface,
              ['bind', gpu.bdf, gpu.driver],
              `/sys/bus/pci/drivers/${gpu.driver}/bind`,
              `${gpu.bdf}\n`,
            );
            fs.symlinkSync(saved, link);
          }
          if (gpu?.drm !== undefined) {
            const card = `card${gpu.drm.card}`;
            expectWrite(
              dir,
              surface,
              ['drm-release', card],
              `/sys/class/drm/${card}/uevent`,
              'remove\n',
            );
          }
        }
        for (const router of leafRouters(scenario)) {
          const authorized = `${tbRouterPath(scenario, router)}/authorized`;
          const domain = scenario.thunderbolt.domains.find((d) => d.name === router.domain);
          expectNoWrite(dir, surface, ['tb-authorize', router.id], 2, /already authorized/);
          if (domain?.deauthorization === 1 && tunnelsCarryMore(scenario, domain.name)) {
            expectNoWrite(dir, surface, ['tb-deauthorize', router.id], 2, /carry more than GPUs/);
          } else if (domain?.deauthorization === 1) {
            expectWrite(dir, surface, ['tb-deauthorize', router.id], authorized, '0\n');
            fs.writeFileSync(path.join(dir, authorized), '0\n');
            expectWrite(dir, surface, ['tb-authorize', router.id], authorized, '1\n');
            expectNoWrite(dir, surface, ['tb-deauthorize', router.id], 0, /already de-authorized/);
            fs.writeFileSync(path.join(dir, authorized), `${router.authorized}\n`);
          } else {
            expectNoWrite(dir, surface, ['tb-deauthorize', router.id], 2, /does not support/);
          }
        }
        // Display controllers outside any enclosure are never detached.
        const inside = new Set(enclosures(scenario).flatMap((group) => group.map((f) => f.bdf)));
        for (const f of scenario.pci.filter((p) => isDisplay(p.classCode) && !inside.has(p.bdf))) {
          expectNoWrite(dir, surface, ['remove', f.bdf], 2, /not removable/);
          expectNoWrite(dir, surface, ['unbind', f.bdf], 2, /not removable/);
        }
        expectWrite(dir, surface, ['rescan'], '/sys/bus/pci/rescan', '1\n');
        expect(changedEntries(pristine, snapshot(dir))).toEqual([]);
      } finally {
        root.cleanup();
      }
    }, 120_000);
  },
);

describe('recorded commands and edge cases (tb3-nvidia)', () => {
  it('records the exact argv of modprobe and systemctl instead of running them', () => {
    const root = makeRoot(tb3Nvidia);
    try {
      const d = root.dir;
      expectCommand(
        d,
        ['module-unload', 'nvidia_drm', 'nvidia_modeset', 'nvidia_uvm', 'nvidia'],
        ['/usr/sbin/modprobe', '-r', 'nvidia_drm', 'nvidia_modeset', 'nvidia_uvm', 'nvidia'],
      );
      expectCommand(d, ['module-load', 'amdgpu'], ['/usr/sbin/modprobe', 'amdgpu']);
      expectCommand(
        d,
        ['restart-unit', 'display-manager'],
        ['/usr/bin/systemctl', 'restart', 'display-manager.service'],
      );
      expectCommand(
        d,
        ['restart-unit', 'nvidia-persistenced.service'],
        ['/usr/bin/systemctl', 'restart', 'nvidia-persistenced.service'],
      );
    } finally {
      root.cleanup();
    }
  });

  it('treats "already gone" as success and reports kernel errors with their errno', () => {
    const root = makeRoot(tb3Nvidia);
    try {
      const d = root.dir;
      const dev = path.join(d, pciDevicePath(tb3Nvidia, '0000:0a:00.0'));
      // Unbound: nothing to unbind. Gone: nothing to remove.
      const saved = fs.readlinkSync(`${dev}/driver`);
      fs.unlinkSync(`${dev}/driver`);
      expectTreeUntouched(d, ['unbind', '0000:0a:00.0'], 0, /no driver bound/);
      fs.symlinkSync(saved, `${dev}/driver`);
      // A driver that is not loaded, and a function bound to another driver.
      fs.unlinkSync(path.join(d, pciDevicePath(tb3Nvidia, '0000:0a:00.1'), 'driver'));
      fs.renameSync(path.join(d, 'sys/bus/pci/drivers/snd_hda_intel'), path.join(d, 'tmp-snd'));
      expectTreeUntouched(d, ['bind', '0000:0a:00.1', 'snd_hda_intel'], 1, /not loaded \(ENOENT\)/);
      fs.renameSync(path.join(d, 'tmp-snd'), path.join(d, 'sys/bus/pci/drivers/snd_hda_intel'));
      const audio = path.join(d, pciDevicePath(tb3Nvidia, '0000:0a:00.1'));
      fs.symlinkSync(
        path.relative(audio, path.join(d, 'sys/bus/pci/drivers/nvidia')),
        `${audio}/driver`,
      );
      expectTreeUntouched(
        d,
        ['bind', '0000:0a:00.1', 'snd_hda_intel'],
        1,
        /bound to nvidia \(EBUSY\)/,
      );
      // The write itself fails: the errno is in the message, exit 1.
      fs.rmSync(`${dev}/remove`);
      fs.mkdirSync(`${dev}/remove`);
      expectTreeUntouched(d, ['remove', '0000:0a:00.0'], 1, /remove failed: EISDIR/);
      // A symlink planted as the attribute is not followed (O_NOFOLLOW): nothing written anywhere.
      fs.rmdirSync(`${dev}/remove`);
      fs.symlinkSync('../../../../../../../../etc/passwd', `${dev}/remove`);
      expectTreeUntouched(d, ['remove', '0000:0a:00.0'], 1, /ELOOP/);
      fs.unlinkSync(`${dev}/remove`);
      fs.unlinkSync(path.join(d, 'sys/bus/pci/devices/0000:0a:00.0'));
      expectTreeUntouched(d, ['remove', '0000:0a:00.0'], 0, /already gone/);
      expectTreeUntouched(d, ['unbind', '0000:0a:00.0'], 0, /already gone/);
      expectTreeUntouched(d, ['drm-release', 'card7'], 0, /already gone/);
      expectTreeUntouched(d, ['tb-authorize', '0-3'], 1, /ENOENT/);
    } finally {
      root.cleanup();
    }
  });
});
