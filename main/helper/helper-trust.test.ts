// The helper is the last line of defense: an admin polkit rule for one verb of a group implies
// the others, so its own rules must refuse what no eject of a GPU needs — a tunnel that carries a
// drive, a bridge with a drive beside the GPU, the boot display's driver, a bridge's pcieport,
// an authorization that makes no sense — and its test-root command log must not follow links.
// Every refusal is exit 2 with the tree unchanged; run through the real helper child process.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../sim/scenario.js';
import { dgpuNvidiaEgpu } from '../sim/scenarios/dgpu-nvidia-egpu.js';
import { lab } from '../sim/scenarios/lab.js';
import { oculinkDirect } from '../sim/scenarios/oculink-direct.js';
import { oculinkTbDock } from '../sim/scenarios/oculink-tb-dock.js';
import { tb3Nvidia } from '../sim/scenarios/tb3-nvidia.js';
import { tb3NvidiaNvme } from '../sim/scenarios/tb3-nvidia-nvme.js';
import { pciDevicePath, tbRouterPath } from '../sim/sysroot-writer.js';
import { createHelperFs } from './io/helper-fs.js';
import { logToJournal, runProgram } from './io/programs.js';
import { runHelper } from './main.js';
import {
  changedEntries,
  makeRoot,
  readIn,
  runInProcess,
  runProcess,
  snapshot,
} from './test/helper-fixture.js';

const roots: { cleanup(): void }[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) r.cleanup();
});
const root = (s: Scenario): string => {
  const r = makeRoot(s);
  roots.push(r);
  return r.dir;
};

async function expectRefused(dir: string, argv: string[], said: RegExp): Promise<void> {
  const before = snapshot(dir, true);
  const r = await runProcess(['--test-root', dir, ...argv]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(said);
  expect(changedEntries(before, snapshot(dir, true))).toEqual([]);
}

async function expectDone(dir: string, argv: string[]): Promise<void> {
  const r = await runProcess(['--test-root', dir, ...argv]);
  expect(r.code, r.stderr).toBe(0);
}

describe('helper: tb-deauthorize only for a tunnel that carries nothing but GPUs', () => {
  it('refuses the router of a chassis whose tunnel also carries an NVMe drive', async () => {
    await expectRefused(
      root(tb3NvidiaNvme),
      ['tb-deauthorize', '0-1'],
      /tunnels carry more than GPUs \(0000:0b:00\.0 \(class 0x010802\)\)/,
    );
  });

  it('refuses a dock with a drive and no GPU (the OCuLink eGPU beside it is not its business)', async () => {
    await expectRefused(root(oculinkTbDock), ['tb-deauthorize', '0-1'], /carry more than GPUs/);
  });

  it('still de-authorizes the plain eGPU enclosure', async () => {
    const dir = root(tb3Nvidia);
    await expectDone(dir, ['tb-deauthorize', '0-1']);
    expect(
      readIn(dir, `${tbRouterPath(tb3Nvidia, tb3Nvidia.thunderbolt.routers[1]!)}/authorized`),
    ).toBe('1\n0\n');
  });
});

describe('helper: tb-authorize refuses what can never be right', () => {
  it('an already authorized router, and one behind an unauthorized router', async () => {
    const dir = root(lab);
    await expectRefused(dir, ['tb-authorize', '1-301'], /1-301 is already authorized/);
    for (const id of ['1-1', '1-301']) {
      const r = lab.thunderbolt.routers.find((x) => x.id === id)!;
      fs.writeFileSync(path.join(dir, tbRouterPath(lab, r), 'authorized'), '0\n');
    }
    await expectRefused(dir, ['tb-authorize', '1-301'], /sits behind 1-1, which is not authorized/);
    await expectDone(dir, ['tb-authorize', '1-1']);
  });

  it('the host router and nonsense states', async () => {
    const dir = root(tb3Nvidia);
    await expectRefused(dir, ['tb-authorize', '0-0'], /not a Thunderbolt device router/);
    const r = tb3Nvidia.thunderbolt.routers[1]!;
    fs.writeFileSync(path.join(dir, tbRouterPath(tb3Nvidia, r), 'authorized'), 'garbage\n');
    await expectRefused(dir, ['tb-authorize', '0-1'], /no readable authorized state/);
  });
});

describe('helper: remove and unbind stay on the GPU', () => {
  it('refuses a bridge with an NVMe beside the GPU below it; the GPU’s own port is fine', async () => {
    const dir = root(tb3NvidiaNvme);
    await expectRefused(
      dir,
      ['remove', '0000:08:00.0'],
      /0000:08:00\.0 has more than a GPU below it \(0000:0b:00\.0 \(class 0x010802\)\)/,
    );
    await expectRefused(dir, ['remove', '0000:0b:00.0'], /neither a display controller/);
    await expectDone(dir, ['remove', '0000:09:01.0']);
  });

  it('never unbinds an enclosure bridge (pcieport)', async () => {
    await expectRefused(
      root(tb3Nvidia),
      ['unbind', '0000:08:00.0'],
      /0000:08:00\.0 is a bridge: eGPU Guard never unbinds a bridge's driver \(pcieport\)/,
    );
  });
});

describe('helper: module-unload keeps the machine’s own display', () => {
  it('refuses i915 while it drives the boot display', async () => {
    await expectRefused(
      root(tb3Nvidia),
      ['module-unload', 'i915'],
      /i915 drives 0000:00:02\.0, which is not an external GPU/,
    );
  });

  it('refuses the NVIDIA stack while an internal NVIDIA dGPU uses it; allows it for the eGPU alone', async () => {
    await expectRefused(
      root(dgpuNvidiaEgpu),
      ['module-unload', 'nvidia_drm', 'nvidia_modeset', 'nvidia'],
      /nvidia_drm drives 0000:01:00\.0/,
    );
    await expectDone(root(tb3Nvidia), ['module-unload', 'nvidia_drm', 'nvidia_modeset', 'nvidia']);
  });
});

describe('helper: the test-root command log', () => {
  it('does not follow a symlink planted as the log or as a folder on its way', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-outside-'));
    roots.push({ cleanup: () => fs.rmSync(outside, { recursive: true, force: true }) });
    const victim = path.join(outside, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    const dir = root(oculinkDirect);
    fs.mkdirSync(path.join(dir, 'run/egpu-guard'), { recursive: true });
    fs.symlinkSync(victim, path.join(dir, 'run/egpu-guard/helper-commands.log'));
    const r = await runProcess(['--test-root', dir, 'module-load', 'amdgpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/command log: ELOOP/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');

    const dir2 = root(oculinkDirect);
    fs.rmSync(path.join(dir2, 'run'), { recursive: true, force: true });
    fs.symlinkSync(outside, path.join(dir2, 'run'));
    const r2 = await runProcess(['--test-root', dir2, 'module-load', 'amdgpu']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/command log: ELOOP/);
    expect(fs.readdirSync(outside)).toEqual(['victim']);
  });

  it('refuses a test root the caller does not own', () => {
    const dir = root(oculinkDirect);
    const out: string[] = [];
    const code = runHelper(
      ['--test-root', dir, 'rescan'],
      {},
      { stdout: () => undefined, stderr: (t) => out.push(t) },
      { fs: { ...createHelperFs(), uid: () => 4242 }, runProgram, journal: logToJournal },
    );
    expect(code).toBe(2);
    expect(out.join('')).toMatch(/not owned by the caller \(uid 4242\)/);
    expect(readIn(dir, '/sys/bus/pci/rescan')).toBe('');
  });
});

describe('helper: every function of a GPU directly behind the external port', () => {
  it('removes the audio function while the display function is still there', () => {
    const dir = root(oculinkDirect);
    const r = runInProcess(['--test-root', dir, 'remove', '0000:01:00.1']);
    expect(r.code, r.stderr).toBe(0);
    expect(readIn(dir, `${pciDevicePath(oculinkDirect, '0000:01:00.1')}/remove`)).toBe('1\n');
  });
});

// The list is trusted only when root owns it: the files a test writes belong to root only when
// the tests run as root (as CI does).
describe.skipIf(process.getuid?.() !== 0)('helper: a GPU listed in removable.conf', () => {
  it('covers the other functions of its slot (its HDMI audio), never the boot display', async () => {
    const unmarked: Scenario = {
      ...oculinkDirect,
      name: 'oculink-direct-unmarked',
      pci: oculinkDirect.pci.map((p) => {
        const { removable: _removable, ...rest } = p;
        return rest;
      }),
    };
    const dir = root(unmarked);
    fs.mkdirSync(path.join(dir, 'etc/egpu-guard'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'etc/egpu-guard/removable.conf'), '0000:01:00.0\n', {
      mode: 0o644,
    });
    await expectDone(dir, ['remove', '0000:01:00.1']);
    await expectDone(dir, ['remove', '0000:01:00.0']);
    await expectRefused(dir, ['remove', '0000:c5:00.0'], /not removable/);
  });
});
