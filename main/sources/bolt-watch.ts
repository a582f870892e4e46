// Thunderbolt devices as bolt sees them (org.freedesktop.bolt on the system bus;
// bolt's data/org.freedesktop.bolt.xml): a snapshot from Manager.ListDevices + each device's
// properties, then DeviceAdded, DeviceRemoved and Status changes from PropertiesChanged on the
// device objects. Enrolled (stored) devices never emit DeviceRemoved on unplug — their Status
// becomes 'disconnected' — so PropertiesChanged is watched on every device object (one
// path_namespace rule covers them).

import type { Disposable } from '../common/disposable.js';
import type { DbusConnection } from '../platform/dbus.js';
import {
  createDbusServiceWatch,
  createSerialQueue,
  type DbusWatchOptions,
} from './dbus-service-watch.js';
import { isDict, parseBoltDevice } from '../platform/dbus-values.js';
import type { BoltDevice, BoltEvent, EventSource } from '../common/source-events.js';

export const BOLT_NAME = 'org.freedesktop.bolt';
export const BOLT_PATH = '/org/freedesktop/bolt';
export const BOLT_MANAGER = 'org.freedesktop.bolt1.Manager';
export const BOLT_DEVICE = 'org.freedesktop.bolt1.Device';
const DEVICES_NS = '/org/freedesktop/bolt/devices';

export function createBoltWatch(options: DbusWatchOptions): EventSource {
  const { clock, onEvent } = options;
  type DeviceEventType = 'device-added' | 'device-changed' | 'device-removed';
  const emitDevice = (type: DeviceEventType, device: BoltDevice): void =>
    onEvent({ source: 'bolt', type, device, receivedAt: clock.now() });
  const emitSnapshot = (devices: BoltDevice[], securityLevel: string | undefined): void => {
    const e: BoltEvent = { source: 'bolt', type: 'snapshot', devices, receivedAt: clock.now() };
    if (securityLevel !== undefined) e.securityLevel = securityLevel;
    onEvent(e);
  };

  const attach = (conn: DbusConnection, owner: string): Disposable => {
    const queue = createSerialQueue();
    // Raw property dictionaries per object path: PropertiesChanged carries only what changed.
    const raw = new Map<string, Record<string, unknown>>();

    const fetchDevice = async (path: string): Promise<BoltDevice | null> => {
      const r = await conn.getAllProperties(owner, path, BOLT_DEVICE);
      if (!r.ok) return null;
      raw.set(path, { ...r.value });
      return parseBoltDevice(r.value, path);
    };

    let retry: Disposable | null = null;
    const snapshot = async (attempt = 0): Promise<void> => {
      const list = await conn.call({
        destination: owner,
        path: BOLT_PATH,
        iface: BOLT_MANAGER,
        member: 'ListDevices',
      });
      // The name can be owned a moment before the manager object is exported: retry a few
      // times rather than report an empty machine.
      if (!list.ok && attempt < 5) {
        retry = options.clock.setTimeout(() => queue.push(() => snapshot(attempt + 1)), 200);
        return;
      }
      const paths = list.ok && Array.isArray(list.value[0]) ? (list.value[0] as unknown[]) : [];
      raw.clear();
      const devices: BoltDevice[] = [];
      for (const p of paths) {
        if (typeof p !== 'string') continue;
        const d = await fetchDevice(p);
        if (d !== null) devices.push(d);
      }
      const level = await conn.getProperty(owner, BOLT_PATH, BOLT_MANAGER, 'SecurityLevel');
      const securityLevel = level.ok && typeof level.value === 'string' ? level.value : undefined;
      emitSnapshot(devices, securityLevel);
    };

    const subs: Disposable[] = [
      conn.watchSignal(
        { sender: owner, path: BOLT_PATH, iface: BOLT_MANAGER, member: 'DeviceAdded' },
        (s) => {
          const path = s.body[0];
          if (typeof path !== 'string') return;
          queue.push(async () => {
            const d = await fetchDevice(path);
            if (d !== null) emitDevice('device-added', d);
          });
        },
      ),
      conn.watchSignal(
        { sender: owner, path: BOLT_PATH, iface: BOLT_MANAGER, member: 'DeviceRemoved' },
        (s) => {
          const path = s.body[0];
          if (typeof path !== 'string') return;
          queue.push(() => {
            // The object is gone: describe it from what we last knew.
            const known = raw.get(path);
            raw.delete(path);
            const d = known === undefined ? null : parseBoltDevice(known, path);
            if (d !== null) emitDevice('device-removed', d);
            return Promise.resolve();
          });
        },
      ),
      conn.watchPropertiesChanged(
        { sender: owner, pathNamespace: DEVICES_NS, iface: BOLT_DEVICE },
        (change) => {
          queue.push(async () => {
            const known = raw.get(change.path);
            let device: BoltDevice | null;
            if (known === undefined || change.invalidated.length > 0) {
              device = await fetchDevice(change.path);
            } else {
              const merged = { ...known };
              if (isDict(change.changed)) Object.assign(merged, change.changed);
              raw.set(change.path, merged);
              device = parseBoltDevice(merged, change.path);
            }
            if (device !== null) emitDevice('device-changed', device);
          });
        },
      ),
    ];
    // Subscribed first, snapshot second: nothing that happens in between is missed.
    queue.push(() => snapshot());
    return {
      dispose() {
        retry?.dispose();
        queue.dispose();
        for (const s of subs) s.dispose();
      },
    };
  };

  return createDbusServiceWatch(
    { name: 'bolt', service: BOLT_NAME, bus: 'system', attach },
    options,
  );
}
