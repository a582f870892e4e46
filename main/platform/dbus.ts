// DbusPort: the narrow D-Bus door of the core (docs/architecture.md). Connect to the system or
// session bus, call a method, read properties, watch a signal, PropertiesChanged or a name's owner,
// close. Values cross it as plain JS (variants unwrapped; 64-bit integers as BigInt, `ay` as
// Buffer); variants going out are written `new DbusVariant('y', 2)`.
//
// The implementation (dbus-next 0.10.2, pure JS, no fd passing) is imported lazily on the first
// connect, so the core starts — with degraded sources — on machines without any bus.

import type { Disposable } from '../common/disposable.js';
import { appError } from '../common/errors.js';
import { err, type Result } from '../common/result.js';
import type * as DbusNextConnection from './dbus-next-connection.js';

export type BusKind = 'system' | 'session';

/** A D-Bus variant to send: the signature of the value inside and the value. */
export class DbusVariant {
  constructor(
    readonly signature: string,
    readonly value: unknown,
  ) {}
}

export type DbusCall = {
  readonly destination: string;
  readonly path: string;
  readonly iface: string;
  readonly member: string;
  /** D-Bus signature of the arguments ('' or absent for none). Methods match on it. */
  readonly signature?: string;
  readonly body?: readonly unknown[];
  readonly timeoutMs?: number;
};

export type SignalMatch = {
  /** A unique name (':1.42') is also checked here; a well-known name only by the bus daemon. */
  readonly sender?: string;
  readonly path?: string;
  /** The path or anything below it (match rule `path_namespace`). */
  readonly pathNamespace?: string;
  readonly iface: string;
  readonly member: string;
  /** First argument must equal this string (match rule `arg0`). */
  readonly arg0?: string;
};

export type DbusSignal = {
  readonly sender: string;
  readonly path: string;
  readonly iface: string;
  readonly member: string;
  readonly body: readonly unknown[];
};

export type PropertiesChangedMatch = Omit<SignalMatch, 'iface' | 'member' | 'arg0'> & {
  /** The interface whose properties are watched (PropertiesChanged's first argument). */
  readonly iface: string;
};

export type PropertiesChange = {
  readonly sender: string;
  readonly path: string;
  readonly iface: string;
  readonly changed: Readonly<Record<string, unknown>>;
  readonly invalidated: readonly string[];
};

/** A method call to an object this connection serves. */
export type IncomingCall = {
  readonly sender: string;
  readonly path: string;
  /** Empty when the caller named no interface (the D-Bus spec allows that). */
  readonly iface: string;
  readonly member: string;
  readonly signature: string;
  readonly body: readonly unknown[];
};

/** The answer to an IncomingCall: a return (values as for `call`'s body) or a D-Bus error. */
export type CallReply =
  | { readonly signature: string; readonly body: readonly unknown[] }
  | { readonly error: string; readonly message: string };

/** RequestName's answers (D-Bus specification, "Message Bus Messages": RequestName). */
export type NameReply = 'primary-owner' | 'in-queue' | 'exists' | 'already-owner';

export type NameFlags = {
  /** Let a later RequestName with replaceExisting take the name (0x1). */
  readonly allowReplacement?: boolean;
  /** Take the name from an owner that allowed replacement (0x2). */
  readonly replaceExisting?: boolean;
  /** Wait in the queue when the name is owned (without it: DO_NOT_QUEUE, 0x4). */
  readonly queue?: boolean;
};

export type SignalOut = {
  readonly path: string;
  readonly iface: string;
  readonly member: string;
  readonly signature: string;
  readonly body: readonly unknown[];
};

/** A subscription; `ready` settles once the bus daemon has the match rule. */
export type Watch = Disposable & { readonly ready: Promise<Result<void>> };

export type DbusConnection = {
  readonly bus: BusKind;
  readonly address: string;
  /** Our unique name on the bus (':1.42'). */
  readonly uniqueName: string;
  readonly closed: boolean;
  /** The reply's arguments. D-Bus errors map to AppError codes (detail.dbusError has the name). */
  call(call: DbusCall): Promise<Result<unknown[]>>;
  getProperty(
    destination: string,
    path: string,
    iface: string,
    name: string,
  ): Promise<Result<unknown>>;
  getAllProperties(
    destination: string,
    path: string,
    iface: string,
  ): Promise<Result<Record<string, unknown>>>;
  watchSignal(match: SignalMatch, onSignal: (signal: DbusSignal) => void): Watch;
  watchPropertiesChanged(
    match: PropertiesChangedMatch,
    onChange: (change: PropertiesChange) => void,
  ): Watch;
  /** Calls back with the current owner (null: none) at once, then on every change. */
  watchNameOwner(name: string, onOwner: (owner: string | null) => void): Watch;
  /**
   * Answers method calls: the handler returns its reply (a Promise) for calls it serves and null
   * for the rest, which get the library's default answer (UnknownMethod, or Introspect of nothing).
   */
  serve(handler: (call: IncomingCall) => Promise<CallReply> | null): Disposable;
  requestName(name: string, flags?: NameFlags): Promise<Result<NameReply>>;
  releaseName(name: string): Promise<Result<void>>;
  /** Broadcasts a signal from this connection (dropped when it is closed). */
  emitSignal(signal: SignalOut): void;
  /** The Unix user id of a peer on the bus (the bus daemon's GetConnectionUnixUser). */
  peerUid(name: string): Promise<Result<number>>;
  /** The connection was lost (daemon gone, socket closed); not called after close(). */
  onClose(listener: (reason: string) => void): Disposable;
  close(): void;
};

export type DbusTarget = { readonly bus: BusKind; readonly address?: string };

export type DbusPort = {
  connect(target: DbusTarget): Promise<Result<DbusConnection>>;
};

export type DbusPortOptions = {
  /** Where DBUS_SYSTEM_BUS_ADDRESS, DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR come from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly connectTimeoutMs?: number;
  readonly callTimeoutMs?: number;
};

/** The D-Bus spec's default system bus socket (also dbus-next's `systemBus()` fallback). */
export const DEFAULT_SYSTEM_BUS = 'unix:path=/var/run/dbus/system_bus_socket';

/**
 * The address to dial: explicit > DBUS_SYSTEM_BUS_ADDRESS / DBUS_SESSION_BUS_ADDRESS >
 * the system default / `$XDG_RUNTIME_DIR/bus` (where systemd's user bus listens). Null: no bus.
 */
export function resolveBusAddress(
  target: DbusTarget,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  if (target.address !== undefined && target.address !== '') return target.address;
  if (target.bus === 'system') {
    const fromEnv = env['DBUS_SYSTEM_BUS_ADDRESS'];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_SYSTEM_BUS;
  }
  const fromEnv = env['DBUS_SESSION_BUS_ADDRESS'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const runtime = env['XDG_RUNTIME_DIR'];
  return runtime !== undefined && runtime.startsWith('/') ? `unix:path=${runtime}/bus` : null;
}

export function createDbusPort(options: DbusPortOptions = {}): DbusPort {
  return {
    async connect(target) {
      const address = resolveBusAddress(target, options.env ?? process.env);
      if (address === null) {
        return err(appError('not-found', `no ${target.bus} bus address is set`));
      }
      let impl: typeof DbusNextConnection;
      try {
        impl = await import('./dbus-next-connection.js');
      } catch (e) {
        return err(appError('unsupported', `the D-Bus library cannot be loaded: ${String(e)}`));
      }
      return impl.connectDbusNext(target.bus, address, {
        connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
        callTimeoutMs: options.callTimeoutMs ?? 10_000,
      });
    },
  };
}
