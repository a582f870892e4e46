// One core per session: the process that runs the live core (`egpu service`, or the tray app when
// no service runs) owns io.github.EgpuGuard1 on the session bus and serves it; everything else
// attaches (remote-core.ts). The name is requested without queueing (DO_NOT_QUEUE): a second
// core learns at once that one runs, instead of waiting in line to become a second notifier.

import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import type { Core } from '../core/api.js';
import type { HandlerMap } from '../core/router.js';
import type { DbusConnection, DbusPort } from '../platform/dbus.js';
import { BUS_NAME } from './bus-names.js';
import { serveCore, type BusService } from './bus-service.js';

export type SessionHost = {
  readonly service: BusService;
  readonly conn: DbusConnection;
  /** Lost the bus (the session ended, the daemon died): the host should stop. */
  onLost(listener: (reason: string) => void): void;
  /** Releases the name and closes the connection. */
  close(): Promise<void>;
};

export type SessionHostOptions = {
  readonly dbus: DbusPort;
  readonly core: Core;
  readonly handlers: HandlerMap;
  readonly version: string;
  readonly uid: number | null;
  readonly onBug?: (what: string, error: unknown) => void;
  /**
   * Wait in the bus's queue for the name instead of giving up (the tray app runs the session's
   * core now; this takes over when it quits). Called once when queued.
   */
  readonly queue?: {
    readonly onQueued: (ownerPid: number | null) => void;
    /** Stop waiting (SIGTERM, Ctrl+C): the result is then 'cancelled'. */
    readonly signal?: AbortSignal;
  };
};

/** The pid of a name's owner (the bus daemon's GetConnectionUnixProcessID), for messages. */
export async function ownerPid(conn: DbusConnection, name: string): Promise<number | null> {
  const r = await conn.call({
    destination: 'org.freedesktop.DBus',
    path: '/org/freedesktop/DBus',
    iface: 'org.freedesktop.DBus',
    member: 'GetConnectionUnixProcessID',
    signature: 's',
    body: [name],
    timeoutMs: 2_000,
  });
  const pid = r.ok ? Number(r.value[0]) : NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Owns the name and serves the core. Errors: 'not-found' (no session bus), 'already-running'
 * (another core owns the name; the message names its pid), or the bus's own error.
 */
export async function hostSession(o: SessionHostOptions): Promise<Result<SessionHost>> {
  const connected = await o.dbus.connect({ bus: 'session' });
  if (!connected.ok) return connected;
  const conn = connected.value;
  // Served before the name is ours: a caller that sees the name appear is answered at once.
  const service = serveCore({
    conn,
    core: o.core,
    handlers: o.handlers,
    version: o.version,
    uid: o.uid,
    ...(o.onBug === undefined ? {} : { onBug: o.onBug }),
  });
  let acquired: (() => void) | null = null;
  const acquiredSignal = new Promise<void>((resolve) => (acquired = resolve));
  const watch = conn.watchSignal(
    {
      sender: 'org.freedesktop.DBus',
      iface: 'org.freedesktop.DBus',
      member: 'NameAcquired',
      arg0: BUS_NAME,
    },
    () => acquired?.(),
  );
  await watch.ready;
  let owned = await conn.requestName(BUS_NAME, { queue: o.queue !== undefined });
  if (owned.ok && owned.value === 'in-queue' && o.queue !== undefined) {
    o.queue.onQueued(await ownerPid(conn, BUS_NAME));
    const closed = new Promise<string>((resolve) => conn.onClose(resolve));
    const signal = o.queue.signal;
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal?.aborted) resolve('aborted');
      signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const outcome = await Promise.race([acquiredSignal.then(() => null), closed, aborted]);
    owned =
      outcome === null
        ? { ok: true, value: 'primary-owner' }
        : outcome === 'aborted'
          ? err(appError('cancelled', 'stopped while waiting for the session core'))
          : err(appError('io', `the session bus closed while waiting (${outcome})`));
  }
  watch.dispose();
  if (!owned.ok || (owned.value !== 'primary-owner' && owned.value !== 'already-owner')) {
    const pid = owned.ok ? await ownerPid(conn, BUS_NAME) : null;
    service.dispose();
    conn.close();
    if (!owned.ok) return owned;
    return err(
      appError(
        'already-running',
        `another eGPU Guard core already serves ${BUS_NAME} on this session bus` +
          (pid === null ? '' : ` (pid ${pid})`),
        pid === null ? undefined : { pid },
      ),
    );
  }
  const lost = new Set<(reason: string) => void>();
  conn.onClose((reason) => {
    for (const l of lost) l(reason);
  });
  return ok({
    service,
    conn,
    onLost: (l) => void lost.add(l),
    async close() {
      service.dispose();
      if (!conn.closed) await conn.releaseName(BUS_NAME);
      conn.close();
    },
  });
}
