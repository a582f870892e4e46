// Desktop notifications over org.freedesktop.Notifications on the session bus (Desktop
// Notifications Specification, "D-BUS Protocol"). One notification per key: a second
// notify() for the same key passes the server's id as replaces_id, so it *replaces* rather than
// stacks. Actions are offered only when the server has the 'actions' capability; ActionInvoked is
// mapped back to (key, actionId). Which events notify is decided elsewhere.
//
// No session bus → a no-op notifier that says so once (onStatus). Ids become invalid when the
// server sends NotificationClosed or when it restarts (NameOwnerChanged): both forget them.

import { toDisposable, type Disposable } from '../common/disposable.js';
import { ok, type Result } from '../common/result.js';
import type { Clock } from '../platform/clock.js';
import { DbusVariant, type DbusConnection, type DbusPort } from '../platform/dbus.js';
import { statusEvent, type SourceStatusEvent } from '../common/source-events.js';

export const NOTIFY_NAME = 'org.freedesktop.Notifications';
export const NOTIFY_PATH = '/org/freedesktop/Notifications';
export const NOTIFY_IFACE = 'org.freedesktop.Notifications';

export type Urgency = 'low' | 'normal' | 'critical';

export type NotificationRequest = {
  readonly key: string;
  readonly summary: string;
  readonly body: string;
  readonly urgency: Urgency;
  readonly actions: readonly { readonly id: string; readonly label: string }[];
  /** e.g. 'device.removed', 'device.error'. */
  readonly category?: string;
};

export type NotifyReceipt = {
  /** False when notifications are off (no session bus). */
  readonly shown: boolean;
  readonly id: number | null;
  /** True when an earlier notification with the same key was replaced. */
  readonly replaced: boolean;
  /** Whether the server shows actions (the 'actions' capability). */
  readonly actions: boolean;
};

export type DesktopNotifier = {
  readonly available: boolean;
  notify(n: NotificationRequest): Promise<Result<NotifyReceipt>>;
  close(key: string): Promise<Result<void>>;
  onAction(listener: (key: string, actionId: string) => void): Disposable;
  dispose(): void;
};

export type DesktopNotifierOptions = {
  readonly dbus: DbusPort;
  readonly clock: Clock;
  /** Session bus address; default DBUS_SESSION_BUS_ADDRESS / $XDG_RUNTIME_DIR/bus. */
  readonly address?: string;
  readonly appName?: string;
  readonly icon?: string;
  /** The .desktop basename, so the server can group and theme our notifications. */
  readonly desktopEntry?: string;
  readonly onStatus?: (e: SourceStatusEvent) => void;
};

const URGENCY: Readonly<Record<Urgency, number>> = { low: 0, normal: 1, critical: 2 };
const NOT_SHOWN: NotifyReceipt = { shown: false, id: null, replaced: false, actions: false };

export function createNoopNotifier(): DesktopNotifier {
  return {
    available: false,
    notify: () => Promise.resolve(ok(NOT_SHOWN)),
    close: () => Promise.resolve(ok(undefined)),
    onAction: () => toDisposable(() => undefined),
    dispose: () => undefined,
  };
}

export async function createDesktopNotifier(
  options: DesktopNotifierOptions,
): Promise<DesktopNotifier> {
  const status = (state: SourceStatusEvent['state'], detail: string): void =>
    options.onStatus?.(statusEvent('notifications', state, detail, options.clock.now()));
  const r = await options.dbus.connect(
    options.address === undefined
      ? { bus: 'session' }
      : { bus: 'session', address: options.address },
  );
  if (!r.ok) {
    status('unavailable', `no session bus, desktop notifications are off: ${r.error.message}`);
    return createNoopNotifier();
  }
  return bindNotifier(r.value, options, status);
}

function bindNotifier(
  conn: DbusConnection,
  options: DesktopNotifierOptions,
  status: (state: SourceStatusEvent['state'], detail: string) => void,
): DesktopNotifier {
  const idByKey = new Map<string, number>();
  const keyById = new Map<number, string>();
  const listeners = new Set<(key: string, actionId: string) => void>();
  let capabilities: Promise<ReadonlySet<string>> | null = null;
  let ownerSeen = false;
  let lost = false;

  const forgetAll = (): void => {
    idByKey.clear();
    keyById.clear();
    capabilities = null;
  };
  const forgetId = (id: number): void => {
    const key = keyById.get(id);
    keyById.delete(id);
    if (key !== undefined && idByKey.get(key) === id) idByKey.delete(key);
  };

  const subs: Disposable[] = [
    conn.watchNameOwner(NOTIFY_NAME, () => {
      // The first call is the current owner; any later one is a new server with new ids.
      if (ownerSeen) forgetAll();
      ownerSeen = true;
    }),
    conn.watchSignal(
      { sender: NOTIFY_NAME, path: NOTIFY_PATH, iface: NOTIFY_IFACE, member: 'ActionInvoked' },
      (s) => {
        const [id, action] = s.body;
        if (typeof id !== 'number' || typeof action !== 'string') return;
        const key = keyById.get(id);
        if (key === undefined) return;
        for (const l of [...listeners]) l(key, action);
      },
    ),
    conn.watchSignal(
      { sender: NOTIFY_NAME, path: NOTIFY_PATH, iface: NOTIFY_IFACE, member: 'NotificationClosed' },
      (s) => {
        const id = s.body[0];
        if (typeof id === 'number') forgetId(id);
      },
    ),
    conn.onClose((reason) => {
      lost = true;
      forgetAll();
      status('unavailable', `lost the session bus (${reason}); desktop notifications are off`);
    }),
  ];

  const getCapabilities = (): Promise<ReadonlySet<string>> => {
    capabilities ??= conn
      .call({
        destination: NOTIFY_NAME,
        path: NOTIFY_PATH,
        iface: NOTIFY_IFACE,
        member: 'GetCapabilities',
      })
      .then((r) => {
        const list = r.ok && Array.isArray(r.value[0]) ? (r.value[0] as unknown[]) : [];
        if (!r.ok) capabilities = null; // ask again next time
        return new Set(list.filter((c): c is string => typeof c === 'string'));
      });
    return capabilities;
  };

  return {
    available: true,
    async notify(n) {
      if (lost) return ok(NOT_SHOWN);
      const caps = await getCapabilities();
      const withActions = caps.has('actions');
      const previous = idByKey.get(n.key);
      const hints: Record<string, DbusVariant> = {
        urgency: new DbusVariant('y', URGENCY[n.urgency]),
      };
      if (n.category !== undefined) hints['category'] = new DbusVariant('s', n.category);
      if (options.desktopEntry !== undefined) {
        hints['desktop-entry'] = new DbusVariant('s', options.desktopEntry);
      }
      const actions = withActions ? n.actions.flatMap((a) => [a.id, a.label]) : [];
      const r = await conn.call({
        destination: NOTIFY_NAME,
        path: NOTIFY_PATH,
        iface: NOTIFY_IFACE,
        member: 'Notify',
        signature: 'susssasa{sv}i',
        // expire_timeout -1: the server's default (critical ones usually stay).
        body: [
          options.appName ?? 'eGPU Guard',
          previous ?? 0,
          options.icon ?? 'video-display',
          n.summary,
          n.body,
          actions,
          hints,
          -1,
        ],
      });
      if (!r.ok) return r;
      const id = r.value[0];
      if (typeof id !== 'number') return ok(NOT_SHOWN);
      if (previous !== undefined && previous !== id) forgetId(previous);
      idByKey.set(n.key, id);
      keyById.set(id, n.key);
      return ok({ shown: true, id, replaced: previous !== undefined, actions: withActions });
    },
    async close(key) {
      const id = idByKey.get(key);
      if (id === undefined || lost) return ok(undefined);
      forgetId(id);
      const r = await conn.call({
        destination: NOTIFY_NAME,
        path: NOTIFY_PATH,
        iface: NOTIFY_IFACE,
        member: 'CloseNotification',
        signature: 'u',
        body: [id],
      });
      return r.ok ? ok(undefined) : r;
    },
    onAction(listener) {
      listeners.add(listener);
      return toDisposable(() => listeners.delete(listener));
    },
    dispose() {
      for (const s of subs) s.dispose();
      listeners.clear();
      conn.close();
    },
  };
}
