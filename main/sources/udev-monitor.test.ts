// The udev monitor against real child processes: transcripts replayed through `tail -F`, the
// real `udevadm monitor` for mode selection, and SIGKILL mid-stream to prove restarts lose and
// duplicate nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { createNodeCommandRunner } from '../platform/command-runner.js';
import { createSystemRoot } from '../platform/system-root.js';
import type { UdevEvent } from '../common/source-events.js';
import { createCollector } from './test/collect.js';
import {
  createGrowingFile,
  formatUdevBlock,
  readUdevFixture,
  splitTranscript,
} from './test/udev-transcript.js';
import { createUdevMonitor, type UdevMonitor } from './udev-monitor.js';

const isUdev = (e: { source: string }): e is UdevEvent => e.source === 'udev';
const runner = createNodeCommandRunner();
const FAST = { initialMs: 50, maxMs: 400, stableMs: 60_000 };
const GPU = '/devices/pci0000:00/0000:00:07.0/0000:04:00.0/0000:05:01.0/0000:06:00.0';
const NV =
  '/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:01.0/0000:08:00.0/0000:09:01.0/0000:0a:00.0';

let dir: string;
let monitor: UdevMonitor | null = null;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-udev-'));
});
afterEach(() => {
  monitor?.dispose();
  monitor = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

function replay(file: string, onResync: () => void = () => undefined) {
  const c = createCollector();
  monitor = createUdevMonitor({
    runner,
    clock: systemClock,
    root: createSystemRoot({ root: dir }),
    onEvent: c.onEvent,
    onResync,
    replayFile: file,
    backoff: FAST,
  });
  return c;
}

describe('udev monitor, replay through tail -F', () => {
  it('delivers a recorded surprise unplug in order, with previousDriver from the coldplug seed', async () => {
    const f = createGrowingFile(dir, 'unplug.log', readUdevFixture('amd-surprise-unplug.txt'));
    const c = replay(f.path);
    monitor?.seedDrivers(new Map([[`/sys${GPU}`, 'amdgpu']]));
    monitor?.seedDrivers({ [GPU.replace(/0$/, '1')]: 'snd_hda_intel' });
    monitor?.start();
    const events = await c.waitFor(isUdev, 13);
    expect(events.map((e) => e.seqnum)).toEqual([
      5200, 5201, 5202, 5203, 5204, 5205, 5206, 5207, 5208, 5209, 5210, 5211, 5212,
    ]);
    const unbinds = events.filter((e) => e.action === 'unbind');
    expect(unbinds.map((e) => e.previousDriver)).toEqual([
      'snd_hda_intel',
      'amdgpu',
      undefined,
      undefined,
    ]);
    expect(events[0]).toMatchObject({ origin: 'UDEV', subsystem: 'thunderbolt', action: 'remove' });
    expect(c.statuses('udev')).toEqual(['starting', 'running']);
  });

  it('follows blocks appended later, and previousDriver follows each rebind', async () => {
    const { banner, blocks } = splitTranscript(readUdevFixture('kernel-rebind.txt'));
    const f = createGrowingFile(dir, 'rebind.log', banner);
    const c = replay(f.path);
    monitor?.seedDrivers({ [NV]: 'nvidia' });
    monitor?.start();
    await c.waitFor((e) => e.source === 'status' && e.state === 'running');
    for (const b of blocks) f.append(b);
    const events = await c.waitFor(isUdev, blocks.length);
    expect(events.map((e) => `${e.origin} ${e.action} ${e.previousDriver ?? '-'}`)).toEqual([
      'KERNEL unbind nvidia',
      'KERNEL bind -',
      'KERNEL add -',
      'KERNEL change -',
      'KERNEL remove -',
      'KERNEL unbind nvidia',
      'KERNEL bind -',
      'KERNEL unbind vfio-pci',
    ]);
    expect(events[3]?.properties['HOTPLUG']).toBe('1');
  });

  it('learns drivers from bind events of a Thunderbolt connect, for a later unbind', async () => {
    const f = createGrowingFile(dir, 'connect.log', readUdevFixture('tb-connect-authorize.txt'));
    const c = replay(f.path);
    monitor?.start();
    const events = await c.waitFor(isUdev, 15);
    expect(events[1]).toMatchObject({
      subsystem: 'thunderbolt',
      action: 'change',
      properties: { AUTHORIZED: '1' },
    });
    expect(events.filter((e) => e.action === 'bind').map((e) => e.properties['DRIVER'])).toEqual([
      'pcieport',
      'pcieport',
      'snd_hda_intel',
      'nvidia',
    ]);
    f.append(
      formatUdevBlock({
        action: 'unbind',
        devpath: NV,
        subsystem: 'pci',
        properties: { SEQNUM: '9000' },
      }),
    );
    const [unbind] = await c.waitFor((e): e is UdevEvent => isUdev(e) && e.action === 'unbind');
    expect(unbind?.previousDriver).toBe('nvidia');
  });

  it('survives SIGKILL of the tail child mid-stream: nothing lost, nothing twice, onResync fires', async () => {
    const { banner, blocks } = splitTranscript(readUdevFixture('nvidia-planned-eject.txt'));
    const f = createGrowingFile(dir, 'eject.log', banner + blocks.slice(0, 5).join(''));
    let resyncs = 0;
    const c = replay(f.path, () => resyncs++);
    monitor?.start();
    await c.waitFor(isUdev, 5);
    const firstPid = monitor?.childPid();
    expect(firstPid).toBeGreaterThan(0);
    process.kill(firstPid ?? 0, 'SIGKILL');
    // Written while no child runs: must arrive after the restart.
    f.append(blocks.slice(5, 9).join(''));
    await c.waitFor((e) => e.source === 'status' && e.state === 'restarting');
    await c.waitFor(isUdev, 9);
    expect(monitor?.childPid()).not.toBe(firstPid);
    f.append(blocks.slice(9).join(''));
    // A block without SEQNUM, after the restart, is delivered once as well.
    f.append(
      formatUdevBlock({ action: 'change', devpath: NV, subsystem: 'pci', properties: { X: '1' } }),
    );
    const all = await c.waitFor(isUdev, blocks.length + 1);
    await new Promise((r) => setTimeout(r, 300));
    const seqs = c.of('udev').map((e) => e.seqnum);
    expect(seqs).toHaveLength(blocks.length + 1);
    expect(seqs.slice(0, -1)).toEqual(Array.from({ length: blocks.length }, (_, i) => 7301 + i));
    expect(all.at(-1)?.properties['X']).toBe('1');
    expect(resyncs).toBe(1);
  });

  it('waits for a transcript file that does not exist yet', async () => {
    const file = path.join(dir, 'later.log');
    const c = replay(file);
    monitor?.start();
    await new Promise((r) => setTimeout(r, 200));
    fs.writeFileSync(file, readUdevFixture('drm-hotplug-wedged.txt'));
    const events = await c.waitFor(isUdev, 4);
    expect(events.at(-1)?.properties['WEDGED']).toBe('rebind,bus-reset');
  });
});

describe('udev monitor, live udevadm', () => {
  it('uses --kernel and says so when no udevd runs; --udev when /run/udev/control exists', async () => {
    const c = createCollector();
    monitor = createUdevMonitor({
      runner,
      clock: systemClock,
      root: createSystemRoot({ root: dir }),
      onEvent: c.onEvent,
      onResync: () => undefined,
    });
    monitor.start();
    const [running] = await c.waitFor((e) => e.source === 'status' && e.state === 'running');
    expect(running).toMatchObject({
      detail: expect.stringContaining('udevadm monitor --kernel') as unknown,
    });
    monitor.dispose();

    fs.mkdirSync(path.join(dir, 'run/udev'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'run/udev/control'), '');
    const c2 = createCollector();
    monitor = createUdevMonitor({
      runner,
      clock: systemClock,
      root: createSystemRoot({ root: dir }),
      onEvent: c2.onEvent,
      onResync: () => undefined,
    });
    monitor.start();
    const [running2] = await c2.waitFor((e) => e.source === 'status' && e.state === 'running');
    expect(running2).toMatchObject({ detail: 'udevadm monitor --udev' });
    expect(monitor.childPid()).toBeGreaterThan(0);
  });

  it('restarts a killed udevadm and asks for a resync once the new monitor is listening', async () => {
    const c = createCollector();
    let resyncs = 0;
    monitor = createUdevMonitor({
      runner,
      clock: systemClock,
      root: createSystemRoot({ root: dir }),
      onEvent: c.onEvent,
      onResync: () => resyncs++,
      backoff: FAST,
    });
    monitor.start();
    await c.waitFor((e) => e.source === 'status' && e.state === 'running');
    expect(resyncs).toBe(0);
    const pid = monitor.childPid();
    process.kill(pid ?? 0, 'SIGKILL');
    await c.waitFor((e) => e.source === 'status' && e.state === 'running', 2);
    expect(c.statuses('udev')).toEqual(['starting', 'running', 'restarting', 'running']);
    expect(resyncs).toBe(1);
    expect(monitor.childPid()).not.toBe(pid);
  });

  it('reports a missing udevadm as unavailable and does not retry', async () => {
    const c = createCollector();
    monitor = createUdevMonitor({
      runner,
      clock: systemClock,
      root: createSystemRoot({ root: dir }),
      onEvent: c.onEvent,
      onResync: () => undefined,
      udevadmPath: path.join(dir, 'no-such-udevadm'),
      backoff: FAST,
    });
    monitor.start();
    const [u] = await c.waitFor((e) => e.source === 'status' && e.state === 'unavailable');
    expect(u).toMatchObject({ detail: expect.stringContaining('ENOENT') as unknown });
    await new Promise((r) => setTimeout(r, 200));
    expect(c.statuses('udev')).toEqual(['starting', 'unavailable']);
  });
});
