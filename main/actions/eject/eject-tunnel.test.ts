// An eject takes down nothing but the GPU, proven against the simulated kernel through the real
// helper: a drive on the enclosure's tunnel stays connected (and the result says to eject it
// first), an OCuLink eGPU's eject leaves a Thunderbolt dock alone, every function of a GPU
// directly behind the external port goes, and a one-click (unattended) run never runs a plan
// that warns about the unplug.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EjectOptions, StepProgress } from '../../common/actions-model.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { startSim, type SimFixture } from '../../sim/test/sim-fixture.js';
import type { EjectService } from './eject-service.js';
import { simEjectService } from './test/sim-eject-service.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(scenario: string): { sim: SimFixture; service: EjectService } {
  const sim = startSim(scenarioByName(scenario)!);
  cleanups.push(() => sim.cleanup());
  // The sysroot's own /proc/self/mountinfo: the mounts of the simulated machine.
  const root = createSystemRoot({ root: sim.dir, proc: path.join(sim.dir, 'proc') });
  const service = simEjectService(sim.dir, root, (stop) => cleanups.push(stop));
  return { sim, service };
}

async function eject(service: EjectService, bdf: string, extra: Partial<EjectOptions> = {}) {
  const progress: StepProgress[] = [];
  const final = await service.run(
    bdf,
    { closePids: [], force: false, ...extra },
    (p) => progress.push(p),
    () => false,
  );
  return { final, progress, done: progress.filter((p) => p.status === 'done').map((p) => p.step) };
}

describe('eject: nothing but the GPU', () => {
  it('an NVMe drive on the same tunnel stays connected, and the result says to eject it first', async () => {
    const { sim, service } = setup('tb3-nvidia-nvme');
    const { final, done } = await eject(service, '0000:0a:00.0');
    expect(final.result, final.detail).toBe('safe-to-unplug');
    expect(done).not.toContain('drop-tunnel');
    expect(final.detail).toBe(
      'NVIDIA GeForce RTX 3070 is removed. Sonnet Echo III also carries NVMe drive Samsung SSD 980 PRO 1TB (/dev/nvme0n1, mounted at /run/media/alice/Projects) on the same Thunderbolt tunnel. The tunnel stays up, so the drive stays connected: eject it in your file manager first, then unplug.',
    );
    expect(final.unplugWarnings).toHaveLength(1);
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(false);
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.1')).toBe(false);
    // The drive, its block device and the tunnel are all still there.
    expect(sim.exists('/sys/bus/pci/devices/0000:0b:00.0')).toBe(true);
    expect(sim.exists('/sys/block/nvme0n1/device/model')).toBe(true);
    expect(sim.read('/sys/bus/thunderbolt/devices/0-1/authorized').trim().split('\n').pop()).toBe(
      '1',
    );
  });

  it('a one-click (unattended) run refuses that plan and changes nothing', async () => {
    const { sim, service } = setup('tb3-nvidia-nvme');
    const { final, progress } = await eject(service, '0000:0a:00.0', { unattended: true });
    expect(final.result).toBe('blocked');
    expect(final.detail).toMatch(
      /the drive stays connected: eject it in your file manager first, then unplug\. Review the plan in the window before ejecting\.$/,
    );
    expect(progress).toEqual([]);
    expect(sim.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(true);
  });

  it('an OCuLink eGPU beside a Thunderbolt dock: the dock, its drive and its tunnel stay', async () => {
    const { sim, service } = setup('oculink-tb-dock');
    const { final, done } = await eject(service, '0000:32:00.0');
    expect(final.result, final.detail).toBe('safe-to-unplug');
    expect(done).toEqual(['unbind', 'remove', 'confirm-removal', 'safe-to-unplug']);
    expect(sim.exists('/sys/bus/pci/devices/0000:32:00.1')).toBe(false);
    expect(sim.exists('/sys/bus/pci/devices/0000:22:00.0')).toBe(true);
    expect(sim.exists('/sys/block/nvme1n1')).toBe(true);
    expect(sim.read('/sys/bus/thunderbolt/devices/0-1/authorized')).toBe('1\n');
  });

  it('a GPU directly behind the external port: its audio function goes too, and is checked', async () => {
    const { sim, service } = setup('oculink-direct');
    const { final, progress } = await eject(service, '0000:01:00.0');
    expect(final.result, final.detail).toBe('safe-to-unplug');
    expect(sim.exists('/sys/bus/pci/devices/0000:01:00.0')).toBe(false);
    expect(sim.exists('/sys/bus/pci/devices/0000:01:00.1')).toBe(false);
    expect(progress.find((p) => p.step === 'confirm-removal' && p.status === 'done')?.detail).toBe(
      '0000:01:00.0, 0000:01:00.1 are gone from the PCI bus',
    );
  });
});

describe('the simulated kernel drops what rides a tunnel', () => {
  it('de-authorizing the chassis takes the NVMe drive and its block device with it', async () => {
    const { sim } = setup('tb3-nvidia-nvme');
    // The write the old eject's tb-deauthorize made (the helper now refuses it), straight to sysfs.
    const seen = sim.next((e) => e.kind === 'applied' && e.control === 'tb-authorized');
    fs.appendFileSync(path.join(sim.dir, 'sys/bus/thunderbolt/devices/0-1/authorized'), '0\n');
    await seen;
    expect(sim.exists('/sys/bus/pci/devices/0000:0b:00.0')).toBe(false);
    expect(sim.exists('/sys/block/nvme0n1')).toBe(false);
    expect(sim.exists('/dev/nvme0n1p1')).toBe(false);
  });
});
