// The doctor's D-Bus questions against private buses: a fake bolt on a system-type bus, a fake
// StatusNotifier watcher (with and without a host) on a session bus.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDbusPort, type DbusPort } from '../../platform/dbus.js';
import type { SysrootFixture } from '../../sim/sysroot-fixture.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from '../../sources/test/dbus-daemon.js';
import { startFakeBolt } from '../../sources/test/fake-bolt-service.js';
import { startFakeStatusNotifierWatcher } from '../../sources/test/fake-status-notifier.js';
import { checkBolt, checkTray } from './bus-checks.js';
import { runDoctorChecks } from './doctor.js';
import { gather, scenarioRoot } from './test/doctor-fixture.js';

let system: TestBus;
let session: TestBus;
let dbus: DbusPort;
let tb3: SysrootFixture;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (!dbusDaemonAvailable()) return;
  system = await startTestBus('system');
  session = await startTestBus('session');
  dbus = createDbusPort({
    env: { DBUS_SYSTEM_BUS_ADDRESS: system.address, DBUS_SESSION_BUS_ADDRESS: session.address },
  });
  tb3 = scenarioRoot('tb3-nvidia');
});
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});
afterAll(async () => {
  tb3?.cleanup();
  await system?.stop();
  await session?.stop();
});

const findings = async () => {
  const r = runDoctorChecks(await gather(tb3, { dbus }));
  return new Map(r.findings.map((f) => [f.id, f]));
};

describe.skipIf(!dbusDaemonAvailable())('doctor over private buses', () => {
  it('bolt running: its security level; tray with a host: ok', async () => {
    const bolt = await startFakeBolt(system.address, [], 'user');
    const tray = await startFakeStatusNotifierWatcher(session.address, true);
    stops.push(
      () => bolt.stop(),
      () => tray.stop(),
    );
    expect(await checkBolt(dbus)).toEqual({
      checked: true,
      state: 'running',
      securityLevel: 'user',
      version: 1,
    });
    const f = await findings();
    expect(f.get('bolt')).toMatchObject({
      severity: 'ok',
      title: 'bolt is running, security level user',
    });
    expect(f.get('tray')).toMatchObject({ severity: 'ok' });
  });

  it('no bolt while the domain wants approval: warning; a watcher without a host: warning', async () => {
    const tray = await startFakeStatusNotifierWatcher(session.address, false);
    stops.push(() => tray.stop());
    expect(await checkBolt(dbus)).toMatchObject({ checked: true, state: 'absent' });
    const f = await findings();
    expect(f.get('bolt')).toMatchObject({ severity: 'warning' });
    expect(f.get('bolt')?.fix).toContain('boltctl enroll');
    expect(f.get('tray')).toMatchObject({
      severity: 'warning',
      title: 'A StatusNotifier watcher runs, but no panel shows tray icons',
    });
  });

  it('no watcher at all (GNOME without the AppIndicator extension)', async () => {
    expect(await checkTray(dbus)).toEqual({ checked: true, watcher: false, host: false });
    const f = await findings();
    expect(f.get('tray')?.title).toBe('No tray: nothing owns org.kde.StatusNotifierWatcher');
    expect(f.get('tray')?.fix).toContain('gnome-shell-extension-appindicator');
  });

  it('no bus at all, or --no-dbus: "not checked", never a failure', async () => {
    const nowhere = createDbusPort({
      env: { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    });
    expect(await checkBolt(nowhere)).toMatchObject({
      checked: false,
      reason: expect.stringMatching(/^no system bus/),
    });
    expect(await checkTray(nowhere)).toMatchObject({
      checked: false,
      reason: expect.stringMatching(/^no session bus/),
    });
    expect(await checkBolt(null)).toEqual({ checked: false, reason: 'not checked (--no-dbus)' });
  });
});
