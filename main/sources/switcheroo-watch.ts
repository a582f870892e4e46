// GPUs as switcheroo-control lists them (its src/net.hadess.SwitcherooControl.xml):
// net.hadess.SwitcherooControl on the system bus, property GPUs (aa{sv}: Name, Environment,
// Default). The service re-reads udev and emits PropertiesChanged for GPUs/NumGPUs when GPUs come
// and go — a cheap hotplug hint. It carries no BDF, so the BDF is derived from
// DRI_PRIME=pci-0000_06_00_0 (absent for NVIDIA's environment).

import type { Disposable } from '../common/disposable.js';
import type { DbusConnection } from '../platform/dbus.js';
import {
  createDbusServiceWatch,
  createSerialQueue,
  type DbusWatchOptions,
} from './dbus-service-watch.js';
import { parseSwitcherooGpus } from '../platform/dbus-values.js';
import type { EventSource, SwitcherooGpu } from '../common/source-events.js';

export const SWITCHEROO_NAME = 'net.hadess.SwitcherooControl';
export const SWITCHEROO_PATH = '/net/hadess/SwitcherooControl';
export const SWITCHEROO_IFACE = 'net.hadess.SwitcherooControl';

export function createSwitcherooWatch(options: DbusWatchOptions): EventSource {
  const emit = (gpus: SwitcherooGpu[]): void =>
    options.onEvent({ source: 'switcheroo', gpus, receivedAt: options.clock.now() });

  const attach = (conn: DbusConnection, owner: string): Disposable => {
    const queue = createSerialQueue();
    let disposed = false;
    let retry: Disposable | null = null;
    // A service can own its name a moment before its object is exported (the first read then
    // fails with UnknownObject): retry the first read a few times instead of staying blind.
    const refetch = async (attempt = 0): Promise<void> => {
      const r = await conn.getProperty(owner, SWITCHEROO_PATH, SWITCHEROO_IFACE, 'GPUs');
      if (r.ok) emit(parseSwitcherooGpus(r.value));
      else if (attempt < 5 && !disposed) {
        retry = options.clock.setTimeout(() => queue.push(() => refetch(attempt + 1)), 200);
      }
    };
    const watch = conn.watchPropertiesChanged(
      { sender: owner, path: SWITCHEROO_PATH, iface: SWITCHEROO_IFACE },
      (change) => {
        if ('GPUs' in change.changed) {
          const gpus = parseSwitcherooGpus(change.changed['GPUs']);
          queue.push(() => {
            emit(gpus);
            return Promise.resolve();
          });
        } else if ('NumGPUs' in change.changed || change.invalidated.includes('GPUs')) {
          queue.push(() => refetch());
        }
      },
    );
    queue.push(() => refetch());
    return {
      dispose() {
        disposed = true;
        retry?.dispose();
        queue.dispose();
        watch.dispose();
      },
    };
  };

  return createDbusServiceWatch(
    { name: 'switcheroo', service: SWITCHEROO_NAME, bus: 'system', attach },
    options,
  );
}
