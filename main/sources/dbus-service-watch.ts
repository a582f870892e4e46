// The life cycle every D-Bus watcher shares (bolt, logind, switcheroo): connect to the bus, follow
// the service's owner with NameOwnerChanged, attach (subscribe + fresh snapshot) whenever an owner
// appears — late start, restart — and detach when it vanishes. A bus that does not exist or goes
// away is reported as 'unavailable' and retried at most every retryMs (30 s): no busy loop.

import type { Disposable } from '../common/disposable.js';
import type { Clock } from '../platform/clock.js';
import type { BusKind, DbusConnection, DbusPort } from '../platform/dbus.js';
import {
  statusEvent,
  type EventSource,
  type OnSourceEvent,
  type SourceState,
} from '../common/source-events.js';

export type DbusWatchOptions = {
  readonly dbus: DbusPort;
  readonly clock: Clock;
  readonly onEvent: OnSourceEvent;
  /** Bus address; default from the environment (DBUS_SYSTEM_BUS_ADDRESS …). */
  readonly address?: string;
  /** Least time between two connection attempts after a failure. */
  readonly retryMs?: number;
};

export type ServiceWatchSpec = {
  /** Source name in status events ('bolt'). */
  readonly name: string;
  /** Well-known bus name of the service. */
  readonly service: string;
  readonly bus: BusKind;
  /**
   * The service has an owner (unique name): subscribe with sender=owner and deliver a fresh
   * snapshot. Disposed when the owner goes away or the connection is lost.
   */
  readonly attach: (conn: DbusConnection, owner: string) => Disposable;
};

export const DBUS_RETRY_MS = 30_000;
/** After losing a working connection, try once quickly (the daemon may just have restarted). */
const RECONNECT_FIRST_MS = 1_000;

export function createDbusServiceWatch(
  spec: ServiceWatchSpec,
  options: DbusWatchOptions,
): EventSource {
  const { clock, onEvent } = options;
  const retryMs = options.retryMs ?? DBUS_RETRY_MS;
  let conn: DbusConnection | null = null;
  let attachment: Disposable | null = null;
  let ownerWatch: Disposable | null = null;
  let closeWatch: Disposable | null = null;
  let timer: Disposable | null = null;
  let started = false;
  let disposed = false;

  const status = (state: SourceState, detail: string): void =>
    onEvent(statusEvent(spec.name, state, detail, clock.now()));

  const detach = (): void => {
    attachment?.dispose();
    attachment = null;
  };

  const schedule = (ms: number): void => {
    timer?.dispose();
    timer = clock.setTimeout(() => {
      timer = null;
      void connect();
    }, ms);
  };

  const onOwner = (c: DbusConnection, owner: string | null): void => {
    detach();
    if (disposed) return;
    if (owner === null) {
      status('unavailable', `${spec.service} is not running; waiting for it to appear`);
      return;
    }
    attachment = spec.attach(c, owner);
    status('running', `watching ${spec.service} (${owner})`);
  };

  const connect = async (): Promise<void> => {
    const r = await options.dbus.connect(
      options.address === undefined
        ? { bus: spec.bus }
        : { bus: spec.bus, address: options.address },
    );
    if (disposed) {
      if (r.ok) r.value.close();
      return;
    }
    if (!r.ok) {
      status('unavailable', `${r.error.message}; retrying in ${Math.round(retryMs / 1000)} s`);
      schedule(retryMs);
      return;
    }
    const c = r.value;
    conn = c;
    closeWatch = c.onClose((reason) => {
      detach();
      ownerWatch = null;
      closeWatch = null;
      conn = null;
      if (disposed) return;
      const wait = Math.min(RECONNECT_FIRST_MS, retryMs);
      status('restarting', `lost the ${spec.bus} bus (${reason}); reconnecting in ${wait} ms`);
      schedule(wait);
    });
    ownerWatch = c.watchNameOwner(spec.service, (owner) => onOwner(c, owner));
  };

  return {
    name: spec.name,
    start() {
      if (started || disposed) return;
      started = true;
      status('starting', `connecting to the ${spec.bus} bus for ${spec.service}`);
      void connect();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      timer?.dispose();
      detach();
      ownerWatch?.dispose();
      closeWatch?.dispose();
      conn?.close();
      conn = null;
      if (started) status('stopped', `stopped watching ${spec.service}`);
    },
  };
}

/**
 * Runs async steps strictly one after another, so a snapshot and the signals that arrive while it
 * is being read come out in order. A step that throws is a bug: it is rethrown, not swallowed.
 */
export function createSerialQueue(): { push(step: () => Promise<void>): void; dispose(): void } {
  let tail: Promise<void> = Promise.resolve();
  let disposed = false;
  return {
    push(step) {
      if (disposed) return;
      tail = tail
        .then(() => (disposed ? undefined : step()))
        .catch((e: unknown) => {
          queueMicrotask(() => {
            throw e;
          });
        });
    },
    dispose() {
      disposed = true;
    },
  };
}
