// The caller's desktop session from systemd-logind on the system bus (org.freedesktop.login1(5)):
// GetSession($XDG_SESSION_ID) or GetSessionByPID(our pid), then the Session object's properties.
// When that session is not graphical (an ssh or tty login), ListSessions finds this user's
// graphical session instead — that is the one whose compositor holds the GPUs.

import type { DbusConnection, DbusPort } from '../../platform/dbus.js';
import type { LogindLookup, LogindSession } from './session-model.js';

export const LOGIND_NAME = 'org.freedesktop.login1';
export const LOGIND_PATH = '/org/freedesktop/login1';
export const LOGIND_MANAGER = 'org.freedesktop.login1.Manager';
export const LOGIND_SESSION = 'org.freedesktop.login1.Session';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const uint = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0
    ? v
    : typeof v === 'bigint' && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : null;
/** First member of a struct property: Seat (so) → id, User (uo) → uid. */
const first = (v: unknown): unknown => (Array.isArray(v) ? (v as unknown[])[0] : undefined);

/** Session properties (GetAll) → LogindSession; null without an Id. Total. */
export function parseSessionProperties(props: unknown): LogindSession | null {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) return null;
  const p = props as Record<string, unknown>;
  const id = str(p['Id']);
  if (id === '') return null;
  return {
    id,
    type: str(p['Type']),
    class: str(p['Class']),
    desktop: str(p['Desktop']),
    active: bool(p['Active']),
    remote: bool(p['Remote']),
    state: str(p['State']),
    service: str(p['Service']),
    seat: str(first(p['Seat'])),
    uid: uint(first(p['User'])),
    user: str(p['Name']),
    leader: uint(p['Leader']),
    display: str(p['Display']),
  };
}

export const isGraphical = (s: LogindSession): boolean =>
  s.type === 'x11' || s.type === 'wayland' || s.type === 'mir';

/** The best graphical session among a user's: active first, then a local one on a seat. */
export function pickGraphical(sessions: readonly LogindSession[]): LogindSession | null {
  const score = (s: LogindSession): number =>
    (s.active === true ? 4 : 0) +
    (s.remote !== true ? 2 : 0) +
    (s.class === 'user' ? 1 : 0) +
    (s.state === 'closing' ? -8 : 0);
  const graphical = sessions.filter(isGraphical);
  return graphical.reduce<LogindSession | null>(
    (best, s) => (best === null || score(s) > score(best) ? s : best),
    null,
  );
}

async function sessionAt(conn: DbusConnection, path: string): Promise<LogindSession | null> {
  const r = await conn.getAllProperties(LOGIND_NAME, path, LOGIND_SESSION);
  return r.ok ? parseSessionProperties(r.value) : null;
}

async function managerCall(
  conn: DbusConnection,
  member: string,
  signature: string,
  body: unknown[],
): Promise<{ path: string } | { problem: string }> {
  const r = await conn.call({
    destination: LOGIND_NAME,
    path: LOGIND_PATH,
    iface: LOGIND_MANAGER,
    member,
    signature,
    body,
  });
  if (!r.ok) return { problem: r.error.message };
  const path = r.value[0];
  return typeof path === 'string' ? { path } : { problem: `${member} returned no object path` };
}

/** This user's sessions from ListSessions → a(susso): id, uid, user, seat, path. */
async function userSessions(conn: DbusConnection, uid: number | null): Promise<LogindSession[]> {
  const r = await conn.call({
    destination: LOGIND_NAME,
    path: LOGIND_PATH,
    iface: LOGIND_MANAGER,
    member: 'ListSessions',
  });
  const rows = r.ok && Array.isArray(r.value[0]) ? (r.value[0] as unknown[]) : [];
  const out: LogindSession[] = [];
  for (const row of rows.slice(0, 256)) {
    if (!Array.isArray(row)) continue;
    const [, rowUid, , , path] = row as unknown[];
    if (uid !== null && uint(rowUid) !== uid) continue;
    if (typeof path !== 'string') continue;
    const s = await sessionAt(conn, path);
    if (s !== null) out.push(s);
  }
  return out;
}

export type LogindQuery = {
  readonly dbus: DbusPort;
  /** System bus address; default from the environment. */
  readonly address?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pid: number;
  readonly uid: number | null;
};

async function lookup(conn: DbusConnection, q: LogindQuery): Promise<LogindLookup> {
  const sessionId = q.env['XDG_SESSION_ID'];
  const own =
    sessionId !== undefined && sessionId !== ''
      ? {
          via: 'XDG_SESSION_ID' as const,
          ...(await managerCall(conn, 'GetSession', 's', [sessionId])),
        }
      : { via: 'pid' as const, ...(await managerCall(conn, 'GetSessionByPID', 'u', [q.pid])) };
  const caller = 'path' in own ? await sessionAt(conn, own.path) : null;
  if (caller !== null && isGraphical(caller) && caller.remote !== true) {
    return { session: caller, via: own.via, caller: null, problem: null };
  }
  const uid = caller?.uid ?? q.uid;
  const graphical = pickGraphical(await userSessions(conn, uid));
  if (graphical !== null) return { session: graphical, via: 'list', caller, problem: null };
  if (caller !== null) return { session: caller, via: own.via, caller: null, problem: null };
  const why = 'problem' in own ? own.problem : 'no session';
  return { session: null, via: null, caller: null, problem: `no session found (${why})` };
}

/** Never throws: every failure is a `problem` line. */
export async function readLogindSession(q: LogindQuery): Promise<LogindLookup> {
  const target =
    q.address === undefined
      ? { bus: 'system' as const }
      : { bus: 'system' as const, address: q.address };
  const c = await q.dbus.connect(target);
  if (!c.ok) {
    return {
      session: null,
      via: null,
      caller: null,
      problem: `no system bus (${c.error.message})`,
    };
  }
  try {
    return await lookup(c.value, q);
  } finally {
    c.value.close();
  }
}
