// The bolt watcher against a fake boltd on a private system-type dbus-daemon: snapshot,
// DeviceAdded/DeviceRemoved, Status changes (stored devices only change Status), a bolt that
// starts late or restarts, and a bus daemon that dies.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { createDbusPort } from '../platform/dbus.js';
import { createBoltWatch } from './bolt-watch.js';
import type { BoltEvent, EventSource } from '../common/source-events.js';
import { createCollector, type Collector } from './test/collect.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from './test/dbus-daemon.js';
import { startFakeBolt, type FakeBoltDevice } from './test/fake-bolt-service.js';

const port = createDbusPort({ env: {} });
const isBolt = (e: { source: string }): e is BoltEvent => e.source === 'bolt';
const status =
  (name: string, state: string) => (e: { source: string; name?: string; state?: string }) =>
    e.source === 'status' && e.name === name && e.state === state;

const ENCLOSURE: FakeBoltDevice = {
  uid: 'dc010000-0000-8508-a22d-32ca6421cb16',
  name: 'Razer Core X',
  vendor: 'Razer',
  status: 'authorized',
  authFlags: 'secure | boot',
  stored: true,
  policy: 'auto',
  sysfsPath:
    '/sys/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:00.0/0000:07:00.0/domain0/0-0/0-1',
  generation: 3,
};
const HOST: FakeBoltDevice = {
  uid: 'c9010000-0000-8707-0000-000000000000',
  name: 'Laptop',
  vendor: 'Lenovo',
  type: 'host',
  status: 'authorized',
};
const DOCK: FakeBoltDevice = {
  uid: '00ba8e7f-fbd1-4b01-8d2b-1d54b1d7c2a0',
  name: 'TB Dock',
  vendor: 'CalDigit',
  status: 'connected',
};

let bus: TestBus;
let sources: EventSource[] = [];
beforeAll(async () => {
  if (dbusDaemonAvailable()) bus = await startTestBus('system');
});
afterAll(async () => {
  await bus?.stop();
});
afterEach(() => {
  for (const s of sources) s.dispose();
  sources = [];
});

function watch(
  create: typeof createBoltWatch,
  c: Collector,
  extra: { address?: string; retryMs?: number } = {},
): EventSource {
  const s = create({
    dbus: port,
    clock: systemClock,
    onEvent: c.onEvent,
    address: extra.address ?? bus.address,
    retryMs: extra.retryMs ?? 200,
  });
  sources.push(s);
  s.start();
  return s;
}

describe.skipIf(!dbusDaemonAvailable())('bolt watch', () => {
  it('snapshot, DeviceAdded, Status changes, stored unplug, DeviceRemoved', async () => {
    const bolt = await startFakeBolt(bus.address, [ENCLOSURE, HOST], 'user');
    try {
      const c = createCollector();
      watch(createBoltWatch, c);
      const [snap] = await c.waitFor(isBolt);
      expect(snap?.type).toBe('snapshot');
      if (snap?.type !== 'snapshot') throw new Error('no snapshot');
      expect(snap.securityLevel).toBe('user');
      expect(snap.devices.map((d) => d.uid)).toEqual([ENCLOSURE.uid, HOST.uid]);
      expect(snap.devices[0]).toEqual({
        uid: ENCLOSURE.uid,
        name: 'Razer Core X',
        vendor: 'Razer',
        type: 'peripheral',
        status: 'authorized',
        authFlags: ['secure', 'boot'],
        stored: true,
        policy: 'auto',
        sysfsPath: ENCLOSURE.sysfsPath,
        domain: 'domain0',
        generation: 3,
        objectPath: '/org/freedesktop/bolt/devices/dc010000_0000_8508_a22d_32ca6421cb16',
      });

      // One step at a time, as boltd does it (each step is one udev event there).
      const steps = [
        () => bolt.addDevice(DOCK),
        () => bolt.setStatus(DOCK.uid, 'authorizing'),
        () => bolt.setStatus(DOCK.uid, 'authorized'),
        () => bolt.unplug(ENCLOSURE.uid), // stored: Status → disconnected, no DeviceRemoved
        () => bolt.unplug(DOCK.uid), // not stored: DeviceRemoved
      ];
      for (const [i, step] of steps.entries()) {
        step();
        await c.waitFor(isBolt, i + 2);
      }
      await new Promise((r) => setTimeout(r, 50));
      const events = c.of('bolt');
      expect(events).toHaveLength(6);
      expect(
        events
          .slice(1)
          .map((e) =>
            e.type === 'snapshot' ? 'snapshot' : `${e.type} ${e.device.name} ${e.device.status}`,
          ),
      ).toEqual([
        'device-added TB Dock connected',
        'device-changed TB Dock authorizing',
        'device-changed TB Dock authorized',
        'device-changed Razer Core X disconnected',
        'device-removed TB Dock authorized',
      ]);
    } finally {
      await bolt.stop();
    }
  });

  it('waits for a late bolt, and takes a fresh snapshot after bolt restarts', async () => {
    const c = createCollector();
    watch(createBoltWatch, c);
    await c.waitFor(status('bolt', 'unavailable'));
    const first = await startFakeBolt(bus.address, [HOST]);
    const [s1] = await c.waitFor(isBolt);
    expect(s1?.type === 'snapshot' && s1.devices.map((d) => d.name)).toEqual(['Laptop']);
    await first.stop();
    await c.waitFor(status('bolt', 'unavailable'), 2);
    const second = await startFakeBolt(bus.address, [HOST, ENCLOSURE]);
    try {
      const snaps = await c.waitFor(isBolt, 2);
      expect(snaps[1]?.type === 'snapshot' && snaps[1].devices.map((d) => d.name)).toEqual([
        'Laptop',
        'Razer Core X',
      ]);
      second.setStatus(ENCLOSURE.uid, 'disconnected');
      const after = await c.waitFor(isBolt, 3);
      expect(after[2]).toMatchObject({
        type: 'device-changed',
        device: { status: 'disconnected' },
      });
    } finally {
      await second.stop();
    }
  });
});

describe.skipIf(!dbusDaemonAvailable())('bolt watch when the bus dies', () => {
  it('notices the daemon dying and re-attaches when a new one comes up', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-busdie-'));
    let b = await startTestBus('system', dir);
    const doomed = await startFakeBolt(b.address, [HOST]); // dies with its bus
    const c = createCollector();
    watch(createBoltWatch, c, { address: `unix:path=${b.socketPath}`, retryMs: 100 });
    await c.waitFor(isBolt);
    await b.kill();
    await c.waitFor(status('bolt', 'restarting'));
    b = await startTestBus('system', dir);
    const bolt = await startFakeBolt(b.address, [HOST, ENCLOSURE]);
    try {
      const snaps = await c.waitFor(isBolt, 2);
      expect(snaps[1]?.type === 'snapshot' && snaps[1].devices).toHaveLength(2);
    } finally {
      await bolt.stop();
      await doomed.stop();
      await b.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
