// Remembers which driver is bound to each device, because the kernel clears the driver pointer
// before it sends KOBJ_UNBIND: an `unbind` uevent has no DRIVER= (the kernel's drivers/base/dd.c
// __device_release_driver(), drivers/base/core.c dev_uevent()). Fed by add/bind/change events
// and by the core's coldplug scan.

export type DriverSeed = Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

export type DriverTracker = {
  /** Records the event; returns the driver the device had before an unbind/remove, if known. */
  observe(
    action: string,
    devpath: string,
    properties: Readonly<Record<string, string>>,
  ): string | undefined;
  seed(seed: DriverSeed): void;
  driverOf(devpath: string): string | undefined;
};

/** '/sys/devices/…' and '/devices/…' name the same device; uevents use the latter. */
export const toDevpath = (path: string): string =>
  path.startsWith('/sys/') ? path.slice(4) : path;

const isIterable = (v: unknown): v is Iterable<readonly [string, string]> =>
  typeof v === 'object' && v !== null && Symbol.iterator in v;

export function createDriverTracker(): DriverTracker {
  const byPath = new Map<string, string>();

  const forgetSubtree = (devpath: string): void => {
    const prefix = devpath + '/';
    for (const key of [...byPath.keys()]) if (key.startsWith(prefix)) byPath.delete(key);
  };

  return {
    observe(action, devpath, properties) {
      const driver = properties['DRIVER'];
      switch (action) {
        case 'unbind': {
          const previous = byPath.get(devpath);
          byPath.delete(devpath);
          return previous;
        }
        case 'remove': {
          const previous = byPath.get(devpath);
          byPath.delete(devpath);
          forgetSubtree(devpath);
          return previous;
        }
        case 'move': {
          const old = properties['DEVPATH_OLD'];
          if (old !== undefined) {
            const previous = byPath.get(old);
            byPath.delete(old);
            if (previous !== undefined && driver === undefined) byPath.set(devpath, previous);
          }
          if (driver !== undefined && driver !== '') byPath.set(devpath, driver);
          return undefined;
        }
        default:
          // add, bind, change (KERNEL change events carry DRIVER= while bound).
          if (driver !== undefined && driver !== '') byPath.set(devpath, driver);
          return undefined;
      }
    },
    seed(seed) {
      const entries = isIterable(seed) ? [...seed] : Object.entries(seed);
      for (const [path, driver] of entries) {
        if (typeof path === 'string' && typeof driver === 'string' && driver !== '') {
          byPath.set(toDevpath(path), driver);
        }
      }
    },
    driverOf: (devpath) => byPath.get(toDevpath(devpath)),
  };
}
