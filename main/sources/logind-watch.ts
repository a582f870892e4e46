// Suspend and resume from systemd-logind (org.freedesktop.login1(5)): PrepareForSleep(b start) on
// org.freedesktop.login1 /org/freedesktop/login1, interface org.freedesktop.login1.Manager —
// true before the machine sleeps, false after it resumed. Many eGPU setups do not survive a
// suspend with the eGPU attached; the core decides what to do with these events.

import { createDbusServiceWatch, type DbusWatchOptions } from './dbus-service-watch.js';
import type { EventSource } from '../common/source-events.js';

export const LOGIND_NAME = 'org.freedesktop.login1';
export const LOGIND_PATH = '/org/freedesktop/login1';
export const LOGIND_MANAGER = 'org.freedesktop.login1.Manager';

export function createLogindWatch(options: DbusWatchOptions): EventSource {
  return createDbusServiceWatch(
    {
      name: 'logind',
      service: LOGIND_NAME,
      bus: 'system',
      attach: (conn, owner) =>
        conn.watchSignal(
          { sender: owner, path: LOGIND_PATH, iface: LOGIND_MANAGER, member: 'PrepareForSleep' },
          (s) => {
            const start = s.body[0];
            if (typeof start !== 'boolean') return;
            options.onEvent({
              source: 'logind',
              type: 'prepare-for-sleep',
              start,
              receivedAt: options.clock.now(),
            });
          },
        ),
    },
    options,
  );
}
