// Wire-level helpers for the dbus-next adapter: D-Bus error names → AppError codes, variants in
// and out, match rules and the client-side check of a signal against one. Loaded lazily with it.

import { DBusError, Variant, type Message } from 'dbus-next';
import { appError, type AppError, type ErrorCode } from '../common/errors.js';
import { DbusVariant, type SignalMatch } from './dbus.js';

export const DBUS = 'org.freedesktop.DBus';
export const DBUS_PATH = '/org/freedesktop/DBus';
export const PROPS = 'org.freedesktop.DBus.Properties';
const ERROR_MAP: Readonly<Record<string, ErrorCode>> = {
  'org.freedesktop.DBus.Error.ServiceUnknown': 'not-found',
  'org.freedesktop.DBus.Error.NameHasNoOwner': 'not-found',
  'org.freedesktop.DBus.Error.UnknownObject': 'not-found',
  'org.freedesktop.DBus.Error.UnknownMethod': 'unsupported',
  'org.freedesktop.DBus.Error.UnknownInterface': 'unsupported',
  'org.freedesktop.DBus.Error.UnknownProperty': 'unsupported',
  'org.freedesktop.DBus.Error.InvalidArgs': 'invalid-input',
  'org.freedesktop.DBus.Error.AccessDenied': 'permission-denied',
  'org.freedesktop.DBus.Error.AuthFailed': 'permission-denied',
  'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired': 'not-authorized',
  'org.freedesktop.DBus.Error.NoReply': 'timeout',
  'org.freedesktop.DBus.Error.Timeout': 'timeout',
};

export function mapDbusError(e: unknown, what: string): AppError {
  if (e instanceof DBusError) {
    const text = typeof e.text === 'string' ? e.text : '';
    return appError(
      ERROR_MAP[e.type] ?? 'command-failed',
      `${what}: ${e.type}${text ? `: ${text}` : ''}`,
      {
        dbusError: e.type,
      },
    );
  }
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  if (code === 'ENOENT' || code === 'ECONNREFUSED')
    return appError('not-found', `${what}: ${code}`);
  if (code === 'EACCES' || code === 'EPERM')
    return appError('permission-denied', `${what}: ${code}`);
  return appError('io', `${what}: ${e instanceof Error ? e.message : String(e)}`);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Outgoing values: DbusVariant → dbus-next Variant, recursively. */
export function toWire(v: unknown): unknown {
  if (v instanceof DbusVariant) return new Variant(v.signature, toWire(v.value));
  if (Array.isArray(v)) return v.map(toWire);
  if (isPlainObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  return v;
}

/** Incoming values: variants unwrapped, recursively; dicts become prototype-free records. */
export function fromWire(v: unknown): unknown {
  if (v instanceof Variant) return fromWire(v.value);
  if (Array.isArray(v)) return v.map(fromWire);
  if (isPlainObject(v)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of Object.entries(v)) out[k] = fromWire(x);
    return out;
  }
  return v;
}

const quote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;

export function matchRule(m: SignalMatch): string {
  const parts = [`type='signal'`];
  if (m.sender !== undefined) parts.push(`sender=${quote(m.sender)}`);
  if (m.path !== undefined) parts.push(`path=${quote(m.path)}`);
  if (m.pathNamespace !== undefined) parts.push(`path_namespace=${quote(m.pathNamespace)}`);
  parts.push(`interface=${quote(m.iface)}`, `member=${quote(m.member)}`);
  if (m.arg0 !== undefined) parts.push(`arg0=${quote(m.arg0)}`);
  return parts.join(',');
}

export function signalMatches(m: SignalMatch, msg: Message): boolean {
  if (msg.interface !== m.iface || msg.member !== m.member) return false;
  if (m.path !== undefined && msg.path !== m.path) return false;
  if (m.pathNamespace !== undefined) {
    const ns = m.pathNamespace;
    if (!(msg.path === ns || msg.path.startsWith(ns === '/' ? '/' : ns + '/'))) return false;
  }
  // A well-known sender is enforced by the daemon's match rule (it checks ownership at dispatch);
  // signals carry the unique name, so only unique names and the daemon itself are checked here.
  if (m.sender !== undefined && (m.sender.startsWith(':') || m.sender === DBUS)) {
    if (msg.sender !== m.sender) return false;
  }
  if (m.arg0 !== undefined && msg.body[0] !== m.arg0) return false;
  return true;
}
