// Cables and tunnels: plug, unplug and a GPU falling off the bus, with the exact kernel lines, and
// Thunderbolt (de)authorization through the real helper creating and tearing down the PCI tunnel.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lab } from './scenarios/lab.js';
import { oculinkAmd } from './scenarios/oculink-amd.js';
import { tb3Nvidia } from './scenarios/tb3-nvidia.js';
import { usb4Amd } from './scenarios/usb4-amd.js';
import { pciDevicePath } from './sysroot-writer.js';
import { applied, startSim, type SimFixture } from './test/sim-fixture.js';

let sim: SimFixture | undefined;
afterEach(() => sim?.cleanup());

const ROUTER = '/sys/bus/thunderbolt/devices/0-1';

describe('SimKernel: unplug and plug', () => {
  it('yanks a Thunderbolt NVIDIA enclosure with the driver bound', () => {
    const s = (sim = startSim(tb3Nvidia));
    expect(s.kernel.unplug()).toBe(true);
    expect(s.kernelSince(0)).toEqual([
      'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down',
      'pcieport 0000:06:01.0: pciehp: Slot(1): Card not present',
      "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      'NVRM: GPU 0000:0a:00.0: GPU has fallen off the bus.',
      'thunderbolt 0-1: device disconnected',
    ]);
    const udev = s.udevSince(0);
    expect(udev.slice(0, 6)).toEqual([
      'remove card1-DP-1',
      'remove card1-DP-2',
      'remove card1-HDMI-A-1',
      'remove card1',
      'remove renderD129',
      'unbind 0000:0a:00.0',
    ]);
    expect(udev.slice(-3)).toEqual(['unbind 0000:08:00.0', 'remove 0000:08:00.0', 'remove 0-1']);
    const tb = s.events.at(-1);
    expect(tb?.kind === 'udev' && tb.text).toMatch(
      /\(thunderbolt\)\nACTION=remove\nDEVPATH=\S+\/0-0\/0-1\nSUBSYSTEM=thunderbolt\nDEVTYPE=thunderbolt_device\nUSB4_TYPE=device\n/,
    );
    expect(tb?.kind === 'udev' && tb.text).toMatch(/\nSYSTEMD_WANTS=bolt.service\n\n$/);
    expect(s.exists(ROUTER)).toBe(false);
    expect(s.exists('/sys/bus/pci/devices/0000:08:00.0')).toBe(false);
    expect(s.kernel.unplug()).toBe(false);
  });

  it('plugs it back: the router waits for authorization, then the tunnel brings the GPU', async () => {
    const s = (sim = startSim(tb3Nvidia));
    s.kernel.unplug();
    const from = s.events.length;
    expect(s.kernel.plug()).toBe(true);
    expect(s.kernelSince(from)).toEqual([
      'thunderbolt 0-1: new device found, vendor=0x27 device=0x5',
      'thunderbolt 0-1: Razer Core X',
    ]);
    expect(s.udevSince(from)).toEqual(['add 0-1']);
    // Security level "user": nothing on PCI until someone authorizes.
    expect(s.read(`${ROUTER}/authorized`)).toBe('0\n');
    expect(s.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(false);

    const auth = s.events.length;
    await s.apply('tb-authorize', ['0-1'], applied('tb-authorized', '0-1'));
    expect(s.read(`${ROUTER}/authorized`)).toBe('1\n');
    const udev = s.udevSince(auth);
    expect(udev[0]).toBe('change 0-1');
    expect(udev).toContain('add card2');
    expect(udev.at(-1)).toBe('bind 0000:0a:00.1');
    const change = s.events.slice(auth).find((e) => e.kind === 'udev');
    expect(change?.kind === 'udev' && change.text).toMatch(/^AUTHORIZED=1$/m);
    expect(s.kernelSince(auth).slice(0, 2)).toEqual([
      'pcieport 0000:06:01.0: pciehp: Slot(1): Card present',
      'pcieport 0000:06:01.0: pciehp: Slot(1): Link Up',
    ]);
    expect(s.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(true);
  });

  it('authorizes at once when the domain security is "none"', () => {
    const open = {
      ...tb3Nvidia,
      thunderbolt: {
        ...tb3Nvidia.thunderbolt,
        domains: tb3Nvidia.thunderbolt.domains.map((d) => ({ ...d, security: 'none' })),
      },
    };
    const s = (sim = startSim(open));
    s.kernel.unplug();
    const from = s.events.length;
    s.kernel.plug('0-1');
    expect(s.read(`${ROUTER}/authorized`)).toBe('1\n');
    expect(s.udevSince(from)[0]).toBe('add 0-1');
    expect(s.udevSince(from).at(-1)).toBe('bind 0000:0a:00.1');
    expect(s.exists('/sys/class/drm/card2')).toBe(true);
  });

  it('de-authorizes: the tunnel goes down and the functions are removed', async () => {
    const s = (sim = startSim(usb4Amd));
    await s.apply('tb-deauthorize', ['0-1'], applied('tb-authorized', '0-1'));
    expect(s.read(`${ROUTER}/authorized`)).toBe('0\n');
    expect(s.udevSince(0)[0]).toBe('change 0-1');
    expect(s.udevSince(0).at(-1)).toBe('remove 0000:62:00.0');
    expect(s.kernelSince(0)).toContain('pcieport 0000:00:03.1: pciehp: Slot(0): Link Down');
    expect(s.exists('/sys/bus/pci/devices/0000:66:00.0')).toBe(false);
    // A rescan does not bring back what has no tunnel.
    const from = s.events.length;
    await s.apply('rescan', [], applied('pci-rescan'));
    expect(s.udevSince(from)).toEqual([]);
  });

  it('handles OCuLink (no Thunderbolt): pciehp only', () => {
    const s = (sim = startSim(oculinkAmd));
    s.kernel.unplug();
    expect(s.kernelSince(0)).toEqual([
      'pcieport 0000:00:01.1: pciehp: Slot(1): Link Down',
      'pcieport 0000:00:01.1: pciehp: Slot(1): Card not present',
      'amdgpu 0000:03:00.0: amdgpu: amdgpu: finishing device.',
    ]);
    expect(s.udevSince(0).at(-1)).toBe('remove 0000:01:00.0');
    const from = s.events.length;
    s.kernel.plug();
    expect(s.kernelSince(from).slice(0, 2)).toEqual([
      'pcieport 0000:00:01.1: pciehp: Slot(1): Card present',
      'pcieport 0000:00:01.1: pciehp: Slot(1): Link Up',
    ]);
    expect(s.exists('/sys/class/drm/card2')).toBe(true);
  });

  it('pairs each enclosure of the lab with its own router', () => {
    const s = (sim = startSim(lab));
    expect(s.kernel.enclosures.map((e) => [e.top, e.router?.id])).toEqual([
      ['0000:20:00.0', '0-1'],
      ['0000:45:00.0', '1-301'],
    ]);
    s.kernel.unplug('1-301');
    expect(s.kernelSince(0)).toContain('thunderbolt 1-301: device disconnected');
    expect(s.exists('/sys/bus/thunderbolt/devices/1-301')).toBe(false);
    expect(s.exists('/sys/bus/thunderbolt/devices/1-1')).toBe(true);
    expect(s.exists('/sys/bus/pci/devices/0000:22:00.0')).toBe(true);
  });
});

describe('SimKernel: falling off the bus', () => {
  it('leaves an AMD GPU in sysfs with all-ones config space and an Unknown link', () => {
    const s = (sim = startSim(usb4Amd));
    expect(s.kernel.fallOffBus()).toEqual(['0000:66:00.0', '0000:66:00.1']);
    expect(s.kernelSince(0)).toEqual(['amdgpu 0000:66:00.0: amdgpu: device lost from bus!']);
    const dev = path.join(s.dir, pciDevicePath(usb4Amd, '0000:66:00.0'));
    expect(fs.readFileSync(`${dev}/config`).every((b) => b === 0xff)).toBe(true);
    expect(s.read('/sys/bus/pci/devices/0000:66:00.0/current_link_speed')).toBe('Unknown\n');
    expect(s.read('/sys/bus/pci/devices/0000:66:00.0/current_link_width')).toBe('0\n');
    expect(s.exists('/sys/class/drm/card1')).toBe(true);
    expect(s.udevSince(0)).toEqual([]);
  });

  it('logs Xid 79 for NVIDIA, and a removed dead GPU does not come back on rescan', async () => {
    const s = (sim = startSim(tb3Nvidia));
    s.kernel.fallOffBus();
    expect(s.kernelSince(0)).toEqual([
      "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      'NVRM: GPU 0000:0a:00.0: GPU has fallen off the bus.',
    ]);
    await s.apply('remove', ['0000:0a:00.0'], applied('pci-remove'));
    const from = s.events.length;
    await s.apply('rescan', [], applied('pci-rescan'));
    expect(s.kernelSince(from)).toEqual([
      'pci 0000:0a:00.0: unknown header type 7f, ignoring device',
    ]);
    expect(s.exists('/sys/bus/pci/devices/0000:0a:00.0')).toBe(false);
  });
});
