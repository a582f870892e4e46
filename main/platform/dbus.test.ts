// The DbusPort against a private dbus-daemon (real sockets, real match rules).
import { interface as dbusInterface, type Variant } from 'dbus-next';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAs } from '../sources/test/fake-service-bus.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from '../sources/test/dbus-daemon.js';
import { startFakeLogind } from '../sources/test/fake-system-services.js';
import { DbusVariant, createDbusPort, resolveBusAddress, type DbusConnection } from './dbus.js';

const { Interface } = dbusInterface;

class EchoIface extends Interface {
  Answer = 42;
  constructor() {
    super('org.egpu.Test');
  }
  Echo(v: Variant): Variant {
    return v;
  }
  Hang(): Promise<void> {
    return new Promise(() => undefined);
  }
}
EchoIface.configureMembers({
  properties: { Answer: { signature: 'u', access: 'read' } },
  methods: {
    Echo: { inSignature: 'v', outSignature: 'v' },
    Hang: { inSignature: '', outSignature: '' },
  },
});

const port = createDbusPort({ env: {}, callTimeoutMs: 2000 });
const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(!dbusDaemonAvailable())('DbusPort over dbus-next', () => {
  let bus: TestBus;
  let conn: DbusConnection;
  beforeAll(async () => {
    bus = await startTestBus('session');
    const r = await port.connect({ bus: 'session', address: bus.address });
    if (!r.ok) throw new Error(r.error.message);
    conn = r.value;
  });
  afterAll(async () => {
    conn.close();
    await bus.stop();
  });

  it('resolves addresses from the environment', () => {
    expect(resolveBusAddress({ bus: 'system' }, {})).toBe(
      'unix:path=/var/run/dbus/system_bus_socket',
    );
    expect(resolveBusAddress({ bus: 'system' }, { DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/x' })).toBe(
      'unix:path=/x',
    );
    expect(resolveBusAddress({ bus: 'session' }, {})).toBeNull();
    expect(resolveBusAddress({ bus: 'session' }, { XDG_RUNTIME_DIR: '/run/user/1000' })).toBe(
      'unix:path=/run/user/1000/bus',
    );
    expect(
      resolveBusAddress(
        { bus: 'session', address: 'tcp:host=x' },
        { DBUS_SESSION_BUS_ADDRESS: 'y' },
      ),
    ).toBe('tcp:host=x');
  });

  it('fails cleanly, and fast, where there is no bus', async () => {
    const missing = await port.connect({
      bus: 'system',
      address: `unix:path=${path.join(bus.dir, 'nope')}`,
    });
    expect(missing.ok || missing.error.code).toBe('not-found');
    const none = await port.connect({ bus: 'session' });
    expect(none.ok || none.error.message).toBe('no session bus address is set');
    const odd = await port.connect({ bus: 'session', address: 'carrier-pigeon:x=1' });
    expect(odd.ok).toBe(false);
  });

  it('calls methods, reads properties and round-trips variants', async () => {
    const svc = await connectAs(bus.address, 'org.egpu.Test');
    svc.bus.export('/org/egpu/Test', new EchoIface());
    try {
      expect(conn.uniqueName).toMatch(/^:1\./);
      const names = await conn.call({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        iface: 'org.freedesktop.DBus',
        member: 'ListNames',
      });
      expect(names.ok && (names.value[0] as string[]).includes('org.egpu.Test')).toBe(true);
      const answer = await conn.getProperty(
        'org.egpu.Test',
        '/org/egpu/Test',
        'org.egpu.Test',
        'Answer',
      );
      expect(answer).toEqual({ ok: true, value: 42 });
      const all = await conn.getAllProperties('org.egpu.Test', '/org/egpu/Test', 'org.egpu.Test');
      expect(all.ok && all.value['Answer']).toBe(42);
      const echo = await conn.call({
        destination: 'org.egpu.Test',
        path: '/org/egpu/Test',
        iface: 'org.egpu.Test',
        member: 'Echo',
        signature: 'v',
        body: [
          new DbusVariant('a{sv}', {
            urgency: new DbusVariant('y', 2),
            name: new DbusVariant('s', 'x'),
          }),
        ],
      });
      expect(echo.ok && { ...(echo.value[0] as object) }).toEqual({ urgency: 2, name: 'x' });
      const unknown = await conn.call({
        destination: 'org.egpu.Test',
        path: '/org/egpu/Test',
        iface: 'org.egpu.Test',
        member: 'Nope',
      });
      expect(unknown.ok || unknown.error).toMatchObject({
        code: 'unsupported',
        detail: { dbusError: 'org.freedesktop.DBus.Error.UnknownMethod' },
      });
      const gone = await conn.call({
        destination: 'org.egpu.Absent',
        path: '/',
        iface: 'x.y',
        member: 'Z',
      });
      expect(gone.ok || gone.error.code).toBe('not-found');
      const hang = await conn.call({
        destination: 'org.egpu.Test',
        path: '/org/egpu/Test',
        iface: 'org.egpu.Test',
        member: 'Hang',
        timeoutMs: 100,
      });
      expect(hang.ok || hang.error.code).toBe('timeout');
    } finally {
      await svc.stop();
    }
  });

  it('tracks a name owner: none, appears, vanishes', async () => {
    const owners: (string | null)[] = [];
    const w = conn.watchNameOwner('org.freedesktop.login1', (o) => owners.push(o));
    await w.ready;
    await until(() => owners.length === 1);
    const svc = await startFakeLogind(bus.address);
    await until(() => owners.length === 2);
    await svc.stop();
    await until(() => owners.length === 3);
    w.dispose();
    expect(owners[0]).toBeNull();
    expect(owners[1]).toMatch(/^:1\./);
    expect(owners[2]).toBeNull();
  });

  it('delivers signals only from the unique sender it was told, and stops after dispose', async () => {
    const real = await startFakeLogind(bus.address);
    const impostor = await startFakeLogind(bus.address, null);
    const owners: (string | null)[] = [];
    const ow = conn.watchNameOwner('org.freedesktop.login1', (o) => owners.push(o));
    await until(() => owners.length === 1);
    const got: unknown[] = [];
    const w = conn.watchSignal(
      {
        sender: owners[0] ?? '',
        path: '/org/freedesktop/login1',
        iface: 'org.freedesktop.login1.Manager',
        member: 'PrepareForSleep',
      },
      (s) => got.push(s.body[0]),
    );
    expect(await w.ready).toEqual({ ok: true, value: undefined });
    impostor.prepareForSleep(true);
    real.prepareForSleep(false);
    await until(() => got.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([false]);
    w.dispose();
    real.prepareForSleep(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([false]);
    ow.dispose();
    await real.stop();
    await impostor.stop();
  });

  it('reports a bus that dies: onClose fires and calls fail instead of hanging', async () => {
    const b2 = await startTestBus('system');
    const r = await port.connect({ bus: 'system', address: b2.address });
    if (!r.ok) throw new Error(r.error.message);
    const c2 = r.value;
    const reasons: string[] = [];
    c2.onClose((why) => reasons.push(why));
    const svc = await connectAs(b2.address, 'org.egpu.Test');
    svc.bus.export('/org/egpu/Test', new EchoIface());
    const pending = c2.call({
      destination: 'org.egpu.Test',
      path: '/org/egpu/Test',
      iface: 'org.egpu.Test',
      member: 'Hang',
      timeoutMs: 20_000,
    });
    await new Promise((res) => setTimeout(res, 50));
    await b2.kill();
    const result = await pending;
    expect(result.ok || result.error.code).toBe('io');
    await until(() => reasons.length === 1);
    expect(c2.closed).toBe(true);
    const after = await c2.call({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      iface: 'org.freedesktop.DBus',
      member: 'ListNames',
    });
    expect(after.ok).toBe(false);
    await svc.stop();
  });
});
