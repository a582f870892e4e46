// The doctor's D-Bus questions. System bus: is bolt running (or activatable), and which security
// level and version does it report (bolt's data/org.freedesktop.bolt.xml)? Session bus: is there a
// StatusNotifier watcher, and has a host (a panel that shows tray icons) registered with it?
// Asking a running bolt for properties is cheap; an activatable but stopped one is not started.

import type { DbusConnection, DbusPort, DbusTarget } from '../../platform/dbus.js';
import type { BoltFacts, TrayFacts } from './doctor-model.js';

export const BOLT_NAME = 'org.freedesktop.bolt';
const BOLT_PATH = '/org/freedesktop/bolt';
const BOLT_MANAGER = 'org.freedesktop.bolt1.Manager';
export const SNI_WATCHER = 'org.kde.StatusNotifierWatcher';
const SNI_WATCHER_PATH = '/StatusNotifierWatcher';

async function busCall(conn: DbusConnection, member: string, body: unknown[]): Promise<unknown> {
  const r = await conn.call({
    destination: 'org.freedesktop.DBus',
    path: '/org/freedesktop/DBus',
    iface: 'org.freedesktop.DBus',
    member,
    ...(body.length > 0 ? { signature: 's', body } : {}),
  });
  return r.ok ? r.value[0] : undefined;
}

async function withBus<T>(
  dbus: DbusPort | null,
  target: DbusTarget,
  ask: (conn: DbusConnection) => Promise<T>,
): Promise<T | { checked: false; reason: string }> {
  if (dbus === null) return { checked: false, reason: 'not checked (--no-dbus)' };
  const c = await dbus.connect(target);
  if (!c.ok) return { checked: false, reason: `no ${target.bus} bus (${c.error.message})` };
  try {
    return await ask(c.value);
  } finally {
    c.value.close();
  }
}

export function checkBolt(dbus: DbusPort | null, address?: string): Promise<BoltFacts> {
  const target: DbusTarget = address === undefined ? { bus: 'system' } : { bus: 'system', address };
  return withBus(dbus, target, async (conn): Promise<BoltFacts> => {
    if ((await busCall(conn, 'NameHasOwner', [BOLT_NAME])) !== true) {
      const names = await busCall(conn, 'ListActivatableNames', []);
      const activatable = Array.isArray(names) && names.includes(BOLT_NAME);
      return {
        checked: true,
        state: activatable ? 'activatable' : 'absent',
        securityLevel: null,
        version: null,
      };
    }
    const level = await conn.getProperty(BOLT_NAME, BOLT_PATH, BOLT_MANAGER, 'SecurityLevel');
    const version = await conn.getProperty(BOLT_NAME, BOLT_PATH, BOLT_MANAGER, 'Version');
    return {
      checked: true,
      state: 'running',
      securityLevel: level.ok && typeof level.value === 'string' ? level.value : null,
      version: version.ok && typeof version.value === 'number' ? version.value : null,
    };
  });
}

export function checkTray(dbus: DbusPort | null, address?: string): Promise<TrayFacts> {
  const target: DbusTarget =
    address === undefined ? { bus: 'session' } : { bus: 'session', address };
  return withBus(dbus, target, async (conn): Promise<TrayFacts> => {
    if ((await busCall(conn, 'NameHasOwner', [SNI_WATCHER])) !== true) {
      return { checked: true, watcher: false, host: false };
    }
    const host = await conn.getProperty(
      SNI_WATCHER,
      SNI_WATCHER_PATH,
      SNI_WATCHER,
      'IsStatusNotifierHostRegistered',
    );
    return { checked: true, watcher: true, host: host.ok && host.value === true };
  });
}
