// The simulated kernel applying the real helper's PCI and DRM writes in a test root: remove of the
// enclosure's top bridge (everything below goes, udev blocks in kernel order), rescan with new DRM
// minors, unbind/bind, two writes in a row, the synthetic DRM remove, and the exact log formats.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HELPER_BIN } from '../helper/test/helper-fixture.js';
import { SIM_KERNEL_LOG, SIM_UDEV_LOG } from './kernel-output.js';
import { dgpuNvidiaEgpu } from './scenarios/dgpu-nvidia-egpu.js';
import { lab } from './scenarios/lab.js';
import { tb3Nvidia } from './scenarios/tb3-nvidia.js';
import { usb4Amd } from './scenarios/usb4-amd.js';
import { pciDevicePath } from './sysroot-writer.js';
import { applied, startSim, type SimFixture } from './test/sim-fixture.js';

let sim: SimFixture | undefined;
afterEach(() => sim?.cleanup());

const TB3_ENCLOSURE = ['0000:08:00.0', '0000:09:01.0', '0000:0a:00.0', '0000:0a:00.1'];

describe('SimKernel: remove and rescan', () => {
  it('removes the top bridge and everything below it, in kernel order', async () => {
    const s = (sim = startSim(tb3Nvidia));
    const gpuDir = pciDevicePath(tb3Nvidia, '0000:0a:00.0');
    const done = s.next(applied('pci-remove', '0000:08:00.0'));
    const r = await s.helper.run('remove', ['0000:08:00.0']);
    expect(r.ok).toBe(true);
    await done;
    expect(s.udevSince(0)).toEqual([
      'remove card1-DP-1',
      'remove card1-DP-2',
      'remove card1-HDMI-A-1',
      'remove card1',
      'remove renderD129',
      'unbind 0000:0a:00.0',
      'remove 0000:0a:00.0',
      'unbind 0000:0a:00.1',
      'remove 0000:0a:00.1',
      'unbind 0000:09:01.0',
      'remove 0000:09:01.0',
      'unbind 0000:08:00.0',
      'remove 0000:08:00.0',
    ]);
    for (const bdf of TB3_ENCLOSURE) expect(s.exists(`/sys/bus/pci/devices/${bdf}`)).toBe(false);
    for (const gone of [
      gpuDir,
      pciDevicePath(tb3Nvidia, '0000:08:00.0'),
      '/sys/bus/pci/drivers/nvidia/0000:0a:00.0',
      '/sys/bus/pci/drivers/snd_hda_intel/0000:0a:00.1',
      '/sys/class/drm/card1',
      '/sys/class/drm/renderD129',
      '/sys/class/drm/card1-DP-1',
      '/sys/dev/char/226:1',
      '/sys/dev/char/226:129',
      '/dev/dri/card1',
      '/dev/dri/renderD129',
      '/proc/driver/nvidia/gpus/0000:0a:00.0',
    ]) {
      expect(s.exists(gone), gone).toBe(false);
    }
    // The rest of the machine is untouched.
    for (const kept of [
      '/sys/class/drm/card0',
      '/dev/dri/card0',
      '/sys/bus/pci/devices/0000:06:01.0',
    ]) {
      expect(s.exists(kept), kept).toBe(true);
    }
  });

  it('brings the devices back on rescan with new DRM minors (never recycled)', async () => {
    const s = (sim = startSim(tb3Nvidia));
    await s.apply('remove', ['0000:08:00.0'], applied('pci-remove'));
    const from = s.events.length;
    const done = s.next(applied('pci-rescan'));
    await s.helper.run('rescan', []);
    await done;
    expect(s.udevSince(from)).toEqual([
      'add 0000:08:00.0',
      'bind 0000:08:00.0',
      'add 0000:09:01.0',
      'bind 0000:09:01.0',
      'add 0000:0a:00.0',
      'add renderD130',
      'add card2',
      'add card2-DP-1',
      'add card2-DP-2',
      'add card2-HDMI-A-1',
      'bind 0000:0a:00.0',
      'add 0000:0a:00.1',
      'bind 0000:0a:00.1',
    ]);
    expect(s.kernelSince(from)).toContain('pci 0000:0a:00.0: [10de:2484] type 00 class 0x030000');
    for (const bdf of TB3_ENCLOSURE) expect(s.exists(`/sys/bus/pci/devices/${bdf}`)).toBe(true);
    expect(fs.readlinkSync(path.join(s.dir, '/sys/class/drm/card2'))).toMatch(
      /0000:0a:00\.0\/drm\/card2$/,
    );
    expect(s.read('/sys/dev/char/226:130/dev')).toBe('226:130\n');
    expect(s.exists('/dev/dri/renderD130')).toBe(true);
    expect(s.exists('/sys/class/drm/card1')).toBe(false);
    expect(s.read('/proc/driver/nvidia/gpus/0000:0a:00.0/information')).toMatch(
      /Device Minor: \t 0/,
    );
    expect(s.read('/sys/bus/pci/devices/0000:0a:00.0/uevent')).toMatch(/^DRIVER=nvidia$/m);
    // A second rescan finds nothing missing.
    const again = s.events.length;
    await s.apply('rescan', [], applied('pci-rescan'));
    expect(s.udevSince(again)).toEqual([]);
  });

  it('gives card3/renderD131 after card2 was removed on the Optimus laptop', async () => {
    const s = (sim = startSim(dgpuNvidiaEgpu));
    await s.apply('remove', ['0000:2e:00.0'], applied('pci-remove'));
    const from = s.events.length;
    await s.apply('rescan', [], applied('pci-rescan'));
    expect(s.udevSince(from).slice(0, 3)).toEqual([
      'add 0000:2e:00.0',
      'add renderD131',
      'add card3',
    ]);
  });
});

describe('SimKernel: drivers', () => {
  it('unbinds (DRM minors go, no DRIVER= on unbind) and binds again with new minors', async () => {
    const s = (sim = startSim(usb4Amd));
    const done = s.next(applied('driver-unbind', 'amdgpu'));
    await s.helper.run('unbind', ['0000:66:00.0']);
    await done;
    expect(s.udevSince(0)).toEqual([
      'remove card1-DP-2',
      'remove card1-DP-3',
      'remove card1-HDMI-A-2',
      'remove card1',
      'remove renderD129',
      'unbind 0000:66:00.0',
    ]);
    expect(s.kernelSince(0)).toEqual(['amdgpu 0000:66:00.0: amdgpu: amdgpu: finishing device.']);
    const unbind = s.events.find((e) => e.kind === 'udev' && e.block.action === 'unbind');
    expect(unbind?.kind === 'udev' && unbind.text).not.toMatch(/DRIVER=/);
    expect(s.exists(`${pciDevicePath(usb4Amd, '0000:66:00.0')}/driver`)).toBe(false);
    expect(s.exists('/sys/bus/pci/devices/0000:66:00.0')).toBe(true);
    expect(s.exists('/dev/dri/card1')).toBe(false);
    expect(s.read('/sys/bus/pci/devices/0000:66:00.0/uevent')).not.toMatch(/DRIVER=/);

    const from = s.events.length;
    const bound = s.next(applied('driver-bind', 'amdgpu'));
    await s.helper.run('bind', ['0000:66:00.0', 'amdgpu']);
    await bound;
    expect(s.udevSince(from)).toEqual([
      'add renderD130',
      'add card2',
      'add card2-DP-2',
      'add card2-DP-3',
      'add card2-HDMI-A-2',
      'bind 0000:66:00.0',
    ]);
    const bind = s.events.slice(from).find((e) => e.kind === 'udev' && e.block.action === 'bind');
    expect(bind?.kind === 'udev' && bind.text).toMatch(/^DRIVER=amdgpu$/m);
  });

  it('applies two helper writes to the same file in a row, even before it wakes up', async () => {
    const s = (sim = startSim(lab));
    // Both helpers run while this event loop is blocked: the kernel sees both lines at once.
    for (const bdf of ['0000:22:00.1', '0000:49:00.1']) {
      execFileSync(process.execPath, [HELPER_BIN, '--test-root', s.dir, 'unbind', bdf], {
        stdio: 'pipe',
      });
    }
    expect(s.read('/sys/bus/pci/drivers/snd_hda_intel/unbind')).toBe(
      '0000:22:00.1\n0000:49:00.1\n',
    );
    await s.next((e) => e.kind === 'applied' && e.value === '0000:49:00.1');
    expect(s.udevSince(0)).toEqual(['unbind 0000:22:00.1', 'unbind 0000:49:00.1']);
  });

  it('sends a synthetic remove for drm-release and leaves the card in place', async () => {
    const s = (sim = startSim(tb3Nvidia));
    const uevent = s.read('/sys/class/drm/card1/uevent');
    const done = s.next(applied('drm-uevent', 'card1'));
    await s.helper.run('drm-release', ['card1']);
    await done;
    expect(s.udevSince(0)).toEqual(['remove card1']);
    const block = s.events.find((e) => e.kind === 'udev');
    expect(block?.kind === 'udev' && block.text).toMatch(/^SYNTH_UUID=0$/m);
    expect(s.exists('/sys/class/drm/card1')).toBe(true);
    expect(s.read('/sys/class/drm/card1/uevent')).toBe(uevent);
  });
});

describe('SimKernel: output formats', () => {
  it('writes udevadm monitor --udev --property blocks and raw dmesg lines', async () => {
    const s = (sim = startSim(tb3Nvidia));
    expect(s.kernel.fallOffBus()).toEqual(['0000:0a:00.0', '0000:0a:00.1']);
    await s.apply('remove', ['0000:08:00.0'], applied('pci-remove'));
    const udev = s.read(SIM_UDEV_LOG);
    const blocks = udev.split('\n\n').filter((b) => b !== '');
    expect(udev.endsWith('\n\n')).toBe(true);
    expect(blocks).toHaveLength(13);
    const header = /^(UDEV|KERNEL)\s*\[(\d+)\.(\d+)\]\s+(\S+)\s+(\S+)\s+\((\S*)\)$/;
    let lastSeq = 0;
    for (const block of blocks) {
      const [first = '', ...props] = block.split('\n');
      const m = header.exec(first);
      expect(m, first).not.toBeNull();
      expect(first.slice(0, 7)).toBe('UDEV  [');
      expect(props.slice(0, 3)).toEqual([
        `ACTION=${m?.[4]}`,
        `DEVPATH=${m?.[5]}`,
        `SUBSYSTEM=${m?.[6]}`,
      ]);
      for (const p of props) expect(p).toMatch(/^[A-Z0-9_]+=.*$/);
      const seq = parseInt(props.find((p) => p.startsWith('SEQNUM='))?.slice(7) ?? '0', 10);
      expect(seq).toBeGreaterThan(lastSeq);
      lastSeq = seq;
    }
    expect(blocks[3]).toContain('DEVNAME=/dev/dri/card1\nDEVTYPE=drm_minor\n');
    expect(blocks[3]).toContain('ID_FOR_SEAT=drm-pci-0000_0a_00_0\nMAJOR=226\nMINOR=1\n');
    expect(blocks[6]).toMatch(/\nID_MODEL_FROM_DATABASE=GA104 \[GeForce RTX 3070\]$/);
    const kern = s.read(SIM_KERNEL_LOG).split('\n').filter(Boolean);
    expect(kern).toHaveLength(2);
    for (const line of kern) expect(line).toMatch(/^\[ *\d{4,}\.\d{6}\] NVRM: /);
  });

  it('stops applying writes after dispose', async () => {
    const s = (sim = startSim(tb3Nvidia));
    s.kernel.dispose();
    await s.helper.run('remove', ['0000:0a:00.1']);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.events).toEqual([]);
    expect(s.exists('/sys/bus/pci/devices/0000:0a:00.1')).toBe(true);
  });
});
