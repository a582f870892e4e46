// StatusNotifier host detection against a real dbus-daemon with a fake watcher.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbusPort } from '../../main/platform/dbus.js';
import {
  dbusDaemonAvailable,
  startTestBus,
  type TestBus,
} from '../../main/sources/test/dbus-daemon.js';
import { startFakeWatcher } from '../test/fake-sni-watcher.js';
import { detectTrayHost } from './tray-host.js';

const dbus = createDbusPort({ env: {} });

describe('tray host without a session bus', () => {
  it('says there is none', async () => {
    const r = await detectTrayHost({ dbus, waitMs: 0 });
    expect(r).toMatchObject({ host: false, detail: expect.stringMatching(/no session bus/) });
  });
});

describe.skipIf(!dbusDaemonAvailable())('tray host on a session bus', () => {
  let bus: TestBus;
  beforeAll(async () => {
    bus = await startTestBus('session');
  });
  afterAll(async () => {
    await bus.stop();
  });

  it('finds no host when no watcher runs (GNOME without the AppIndicator extension)', async () => {
    const r = await detectTrayHost({ dbus, address: bus.address, waitMs: 0 });
    expect(r).toMatchObject({
      host: false,
      detail: expect.stringMatching(/no StatusNotifier host/),
    });
  });

  it('finds a registered host', async () => {
    const w = await startFakeWatcher(bus.address, true);
    try {
      expect(await detectTrayHost({ dbus, address: bus.address, waitMs: 0 })).toMatchObject({
        host: true,
      });
    } finally {
      await w.stop();
    }
  });

  it('finds no host when the watcher has none', async () => {
    const w = await startFakeWatcher(bus.address, false);
    try {
      const started = Date.now();
      const r = await detectTrayHost({ dbus, address: bus.address, waitMs: 200 });
      expect(r.host).toBe(false);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      await w.stop();
    }
  });

  it('waits for a host that registers after we started (login races the panel)', async () => {
    const w = await startFakeWatcher(bus.address, false);
    try {
      const pending = detectTrayHost({ dbus, address: bus.address, waitMs: 5000 });
      setTimeout(() => w.registerHost(), 100);
      expect(await pending).toMatchObject({
        host: true,
        detail: expect.stringMatching(/while we waited/),
      });
    } finally {
      await w.stop();
    }
  });

  it('waits for a watcher that appears after we started', async () => {
    const pending = detectTrayHost({ dbus, address: bus.address, waitMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    const w = await startFakeWatcher(bus.address, true);
    try {
      expect(await pending).toMatchObject({ host: true });
    } finally {
      await w.stop();
    }
  });
});
