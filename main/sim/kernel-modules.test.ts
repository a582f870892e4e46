// Recorded modprobe/systemctl lines applied by the simulated kernel: an in-use module stays and the
// refusal is reported the way modprobe words it; unused modules go (their PCI devices unbound
// first); loading a module loads its dependencies and binds its devices with new DRM minors.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_COMMAND_LOG } from './kernel-modules.js';
import { tb3Nvidia } from './scenarios/tb3-nvidia.js';
import { startSim, type SimFixture } from './test/sim-fixture.js';

let sim: SimFixture | undefined;
afterEach(() => sim?.cleanup());

const NVIDIA = ['nvidia_drm', 'nvidia_modeset', 'nvidia_uvm', 'nvidia'];
const command = (e: { kind: string }): boolean => e.kind === 'command';

describe('SimKernel: modules', () => {
  it('refuses to unload a module in use, as modprobe does, and changes nothing', async () => {
    const s = (sim = startSim(tb3Nvidia));
    await s.apply('module-unload', NVIDIA, command);
    const e = s.events.find(command);
    expect(e).toMatchObject({
      kind: 'command',
      ok: false,
      message: 'modprobe: FATAL: Module nvidia_drm is in use.',
    });
    for (const m of NVIDIA) expect(s.exists(`/sys/module/${m}`)).toBe(true);
    expect(JSON.parse(s.read(SIM_COMMAND_LOG).trim())).toEqual({
      argv: ['/usr/sbin/modprobe', '-r', ...NVIDIA],
      ok: false,
      message: 'modprobe: FATAL: Module nvidia_drm is in use.',
    });
  });

  it('unloads unused modules, unbinding their devices, and loads them back with dependencies', async () => {
    const s = (sim = startSim(tb3Nvidia));
    // Nothing holds the GPU any more: only the references the modules hold on each other remain.
    const refcnt = { nvidia_drm: 0, nvidia_modeset: 1, nvidia_uvm: 0, nvidia: 2 };
    for (const [m, n] of Object.entries(refcnt))
      fs.writeFileSync(path.join(s.dir, `sys/module/${m}/refcnt`), `${n}\n`);
    await s.apply('module-unload', NVIDIA, command);
    expect(s.events.find(command)).toMatchObject({ ok: true });
    for (const m of NVIDIA) expect(s.exists(`/sys/module/${m}`)).toBe(false);
    expect(s.exists('/sys/bus/pci/drivers/nvidia')).toBe(false);
    expect(s.udevSince(0).slice(-3)).toEqual([
      'remove card1',
      'remove renderD129',
      'unbind 0000:0a:00.0',
    ]);
    expect(s.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(true);
    expect(s.exists('/sys/module/i915')).toBe(true);

    const from = s.events.length;
    await s.apply('module-load', ['nvidia_drm'], command);
    expect(s.events.slice(from).find(command)).toMatchObject({
      ok: true,
      message: 'loaded nvidia_drm',
    });
    for (const m of ['nvidia', 'nvidia_modeset', 'nvidia_drm'])
      expect(s.exists(`/sys/module/${m}`)).toBe(true);
    expect(s.exists('/sys/module/nvidia_uvm')).toBe(false);
    expect(s.read('/sys/module/nvidia/refcnt')).toBe('1\n');
    expect(fs.readdirSync(path.join(s.dir, 'sys/module/nvidia_modeset/holders'))).toEqual([
      'nvidia_drm',
    ]);
    expect(s.udevSince(from)).toEqual([
      'add renderD130',
      'add card2',
      'add card2-DP-1',
      'add card2-DP-2',
      'add card2-HDMI-A-1',
      'bind 0000:0a:00.0',
    ]);
  });

  it('reports modules that are not there and units it only records', async () => {
    const s = (sim = startSim(tb3Nvidia));
    await s.apply('module-load', ['amdgpu'], command);
    expect(s.events.find(command)).toMatchObject({
      ok: false,
      message: 'modprobe: FATAL: Module amdgpu not found in directory /lib/modules/6.12.0-egpu-sim',
    });
    const from = s.events.length;
    await s.apply('restart-unit', ['display-manager'], command);
    expect(s.events.slice(from).find(command)).toMatchObject({
      argv: ['/usr/bin/systemctl', 'restart', 'display-manager.service'],
      ok: true,
    });
  });
});
