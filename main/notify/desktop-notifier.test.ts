// Desktop notifications through a fake org.freedesktop.Notifications server on a private
// session bus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { createDbusPort } from '../platform/dbus.js';
import type { SourceStatusEvent } from '../common/source-events.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from '../sources/test/dbus-daemon.js';
import { startFakeNotificationServer } from '../sources/test/fake-system-services.js';
import { createDesktopNotifier, type NotificationRequest } from './desktop-notifier.js';

const port = createDbusPort({ env: {} });
const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const unplugged: NotificationRequest = {
  key: 'gpu:0000:0a:00.0',
  summary: 'eGPU unplugged while in use',
  body: '3 applications were using it',
  urgency: 'critical',
  actions: [
    { id: 'default', label: 'Show' },
    { id: 'recover', label: 'Recover' },
  ],
  category: 'device.removed',
};

describe('desktop notifier without a session bus', () => {
  it('is a no-op that says so once', async () => {
    const said: SourceStatusEvent[] = [];
    const n = await createDesktopNotifier({
      dbus: port,
      clock: systemClock,
      onStatus: (e) => said.push(e),
    });
    expect(n.available).toBe(false);
    expect(await n.notify(unplugged)).toEqual({
      ok: true,
      value: { shown: false, id: null, replaced: false, actions: false },
    });
    await n.notify(unplugged);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ name: 'notifications', state: 'unavailable' });
  });
});

describe.skipIf(!dbusDaemonAvailable())('desktop notifier on a session bus', () => {
  let bus: TestBus;
  beforeAll(async () => {
    bus = await startTestBus('session');
  });
  afterAll(async () => {
    await bus.stop();
  });

  it('replaces rather than stacks, maps actions back to keys, forgets closed ids', async () => {
    const server = await startFakeNotificationServer(bus.address);
    const n = await createDesktopNotifier({
      dbus: port,
      clock: systemClock,
      address: bus.address,
      desktopEntry: 'egpu-guard',
    });
    try {
      const first = await n.notify(unplugged);
      expect(first).toEqual({
        ok: true,
        value: { shown: true, id: 1, replaced: false, actions: true },
      });
      expect(server.calls[0]).toMatchObject({
        appName: 'eGPU Guard',
        replacesId: 0,
        summary: 'eGPU unplugged while in use',
        actions: ['default', 'Show', 'recover', 'Recover'],
        hints: { urgency: 2, category: 'device.removed', 'desktop-entry': 'egpu-guard' },
        expire: -1,
      });
      const again = await n.notify({ ...unplugged, body: '1 application', urgency: 'normal' });
      expect(again.ok && again.value).toMatchObject({ id: 1, replaced: true });
      expect(server.calls[1]).toMatchObject({ replacesId: 1, hints: { urgency: 1 } });
      const other = await n.notify({ ...unplugged, key: 'xid-79', urgency: 'low', actions: [] });
      expect(other.ok && other.value.id).toBe(2);
      expect(server.calls[2]?.hints['urgency']).toBe(0);

      const actions: [string, string][] = [];
      n.onAction((key, action) => actions.push([key, action]));
      server.invokeAction(1, 'recover');
      server.invokeAction(99, 'recover'); // not ours
      await until(() => actions.length === 1);
      expect(actions).toEqual([['gpu:0000:0a:00.0', 'recover']]);

      server.dismiss(1);
      await new Promise((r) => setTimeout(r, 50));
      const fresh = await n.notify(unplugged);
      expect(server.calls.at(-1)?.replacesId).toBe(0);
      expect(fresh.ok && fresh.value.replaced).toBe(false);

      const id = fresh.ok ? fresh.value.id : -1;
      expect(await n.close(unplugged.key)).toEqual({ ok: true, value: undefined });
      expect(server.closed).toEqual([id]);
    } finally {
      n.dispose();
      await server.stop();
    }
  });

  it('offers no actions to a server without the actions capability, and starts over after a server restart', async () => {
    let server = await startFakeNotificationServer(bus.address, ['body']);
    const n = await createDesktopNotifier({ dbus: port, clock: systemClock, address: bus.address });
    try {
      const r = await n.notify(unplugged);
      expect(r.ok && r.value.actions).toBe(false);
      expect(server.calls[0]?.actions).toEqual([]);
      await server.stop();
      server = await startFakeNotificationServer(bus.address, ['actions']);
      await new Promise((res) => setTimeout(res, 50));
      const r2 = await n.notify(unplugged);
      expect(server.calls[0]).toMatchObject({
        replacesId: 0,
        actions: ['default', 'Show', 'recover', 'Recover'],
      });
      expect(r2.ok && r2.value).toMatchObject({ replaced: false, actions: true });
    } finally {
      n.dispose();
      await server.stop();
    }
  });
});
