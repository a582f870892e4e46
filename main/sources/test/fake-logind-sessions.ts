// Test support: a fake systemd-logind with sessions (org.freedesktop.login1(5)): Manager with
// ListSessions a(susso), GetSession(s) → o, GetSessionByPID(u) → o and the PrepareForSleep
// signal, and one org.freedesktop.login1.Session object per session with the properties eGPU
// Guard reads (Id, Type, Class, Desktop, Active, Remote, State, Seat (so), User (uo) …).

import { DBusError, interface as dbusInterface } from 'dbus-next';
import { connectAs } from './fake-service-bus.js';

const { Interface } = dbusInterface;

export type FakeSession = {
  id: string;
  uid: number;
  user?: string;
  type?: string;
  class?: string;
  desktop?: string;
  active?: boolean;
  remote?: boolean;
  state?: string;
  seat?: string;
  service?: string;
  leader?: number;
  display?: string;
  /** Processes GetSessionByPID maps to this session. */
  pids?: number[];
};

/** sd_bus_path_encode: every byte outside [A-Za-z0-9] (and a leading digit) becomes _XX. */
export const sessionPath = (id: string): string =>
  '/org/freedesktop/login1/session/' +
  [...Buffer.from(id)]
    .map((b, i) => {
      const c = String.fromCharCode(b);
      const plain = /[A-Za-z0-9]/.test(c) && !(i === 0 && /[0-9]/.test(c));
      return plain ? c : `_${b.toString(16).padStart(2, '0')}`;
    })
    .join('');

class SessionIface extends Interface {
  Id: string;
  Name: string;
  Type: string;
  Class: string;
  Desktop: string;
  Active: boolean;
  Remote: boolean;
  State: string;
  Service: string;
  Leader: number;
  Display: string;
  Seat: [string, string];
  User: [number, string];
  constructor(s: FakeSession) {
    super('org.freedesktop.login1.Session');
    this.Id = s.id;
    this.Name = s.user ?? 'alice';
    this.Type = s.type ?? 'wayland';
    this.Class = s.class ?? 'user';
    this.Desktop = s.desktop ?? '';
    this.Active = s.active ?? true;
    this.Remote = s.remote ?? false;
    this.State = s.state ?? (this.Active ? 'active' : 'online');
    this.Service = s.service ?? 'gdm-password';
    this.Leader = s.leader ?? 1;
    this.Display = s.display ?? '';
    const seat = s.seat ?? 'seat0';
    this.Seat = [seat, seat === '' ? '/' : `/org/freedesktop/login1/seat/${seat}`];
    this.User = [s.uid, `/org/freedesktop/login1/user/_${s.uid}`];
  }
}
SessionIface.configureMembers({
  properties: Object.fromEntries(
    (
      [
        ['Id', 's'],
        ['Name', 's'],
        ['Type', 's'],
        ['Class', 's'],
        ['Desktop', 's'],
        ['Active', 'b'],
        ['Remote', 'b'],
        ['State', 's'],
        ['Service', 's'],
        ['Leader', 'u'],
        ['Display', 's'],
        ['Seat', '(so)'],
        ['User', '(uo)'],
      ] as const
    ).map(([k, signature]) => [k, { signature, access: 'read' as const }]),
  ),
});

class ManagerIface extends Interface {
  PreparingForSleep = false;
  calls: string[] = [];
  constructor(private readonly sessions: readonly FakeSession[]) {
    super('org.freedesktop.login1.Manager');
  }
  ListSessions(): [string, number, string, string, string][] {
    this.calls.push('ListSessions');
    return this.sessions.map((s) => [
      s.id,
      s.uid,
      s.user ?? 'alice',
      s.seat ?? 'seat0',
      sessionPath(s.id),
    ]);
  }
  GetSession(id: string): string {
    this.calls.push(`GetSession ${id}`);
    if (!this.sessions.some((s) => s.id === id))
      throw new DBusError('org.freedesktop.login1.NoSuchSession', `No session '${id}' known`);
    return sessionPath(id);
  }
  GetSessionByPID(pid: number): string {
    this.calls.push(`GetSessionByPID ${pid}`);
    const s = this.sessions.find((x) => (x.pids ?? []).includes(pid));
    if (s === undefined)
      throw new DBusError(
        'org.freedesktop.login1.NoSessionForPID',
        `PID ${pid} does not belong to any known session`,
      );
    return sessionPath(s.id);
  }
  PrepareForSleep(start: boolean): boolean {
    return start;
  }
}
ManagerIface.configureMembers({
  properties: { PreparingForSleep: { signature: 'b', access: 'read' } },
  methods: {
    ListSessions: { inSignature: '', outSignature: 'a(susso)' },
    GetSession: { inSignature: 's', outSignature: 'o' },
    GetSessionByPID: { inSignature: 'u', outSignature: 'o' },
  },
  signals: { PrepareForSleep: { signature: 'b' } },
});

export type FakeLogindSessions = {
  /** Manager method calls in order ('GetSession 2', 'ListSessions' …). */
  readonly calls: readonly string[];
  stop(): Promise<void>;
};

export async function startFakeLogindSessions(
  address: string,
  sessions: readonly FakeSession[],
): Promise<FakeLogindSessions> {
  const conn = await connectAs(address, 'org.freedesktop.login1');
  const manager = new ManagerIface(sessions);
  conn.bus.export('/org/freedesktop/login1', manager);
  for (const s of sessions) conn.bus.export(sessionPath(s.id), new SessionIface(s));
  return { calls: manager.calls, stop: () => conn.stop() };
}
