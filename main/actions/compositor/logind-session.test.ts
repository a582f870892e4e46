// logind over a private system-type dbus-daemon with a fake login1 service that has sessions.
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDbusPort } from '../../platform/dbus.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from '../../sources/test/dbus-daemon.js';
import {
  sessionPath,
  startFakeLogindSessions,
  type FakeLogindSessions,
  type FakeSession,
} from '../../sources/test/fake-logind-sessions.js';
import { detectSession } from './detect-session.js';
import { parseSessionProperties, readLogindSession } from './logind-session.js';

const dbus = createDbusPort({ env: {} });
let bus: TestBus;
let logind: FakeLogindSessions | null = null;

beforeAll(async () => {
  if (dbusDaemonAvailable()) bus = await startTestBus('system');
});
afterAll(async () => {
  await bus?.stop();
});
afterEach(async () => {
  await logind?.stop();
  logind = null;
});

const SESSIONS: FakeSession[] = [
  { id: '2', uid: 1000, type: 'wayland', desktop: 'GNOME', pids: [4242] },
  { id: '3', uid: 1000, type: 'x11', desktop: 'KDE', active: false, pids: [4343] },
  { id: '9', uid: 1000, type: 'tty', remote: true, service: 'sshd', seat: '', pids: [4949] },
  { id: 'c1', uid: 120, user: 'gdm', type: 'wayland', class: 'greeter', desktop: 'GNOME' },
  { id: '20', uid: 1001, user: 'bob', type: 'wayland', desktop: 'sway', active: false },
  { id: '21', uid: 1001, user: 'bob', type: 'tty', pids: [5151] },
];

const read = (env: Record<string, string>, pid: number, uid: number | null = 1000) =>
  readLogindSession({ dbus, address: bus.address, env, pid, uid });

describe.skipIf(!dbusDaemonAvailable())('logind sessions on a private system bus', () => {
  it('XDG_SESSION_ID names the session; its Type and Desktop come from the Session object', async () => {
    logind = await startFakeLogindSessions(bus.address, SESSIONS);
    const r = await read({ XDG_SESSION_ID: '2' }, 1);
    expect(r).toMatchObject({ via: 'XDG_SESSION_ID', caller: null, problem: null });
    expect(r.session).toEqual({
      id: '2',
      type: 'wayland',
      class: 'user',
      desktop: 'GNOME',
      active: true,
      remote: false,
      state: 'active',
      service: 'gdm-password',
      seat: 'seat0',
      uid: 1000,
      user: 'alice',
      leader: 1,
      display: '',
    });
    expect(logind.calls).toEqual(['GetSession 2']);
    expect(detectSession({ logind: r, env: {}, processes: [], uid: 1000 }).kind).toBe(
      'gnome-wayland',
    );
  });

  it('without XDG_SESSION_ID the session comes from GetSessionByPID', async () => {
    logind = await startFakeLogindSessions(bus.address, SESSIONS);
    const r = await read({}, 4343);
    expect(r.via).toBe('pid');
    expect(r.session?.id).toBe('3');
    expect(detectSession({ logind: r, env: {}, processes: [], uid: 1000 }).kind).toBe('kde-x11');
  });

  it('an ssh session leads to the same user’s graphical session, active one first', async () => {
    logind = await startFakeLogindSessions(bus.address, SESSIONS);
    const r = await read({ XDG_SESSION_ID: '9' }, 1);
    expect(r.via).toBe('list');
    expect(r.session?.id).toBe('2');
    expect(r.caller?.id).toBe('9');
    expect(logind.calls).toEqual(['GetSession 9', 'ListSessions']);
  });

  it('never picks another user’s or the greeter’s session', async () => {
    logind = await startFakeLogindSessions(bus.address, SESSIONS);
    const r = await read({}, 5151, 1001);
    // bob's only graphical session (20) is inactive but his; the greeter and alice are not his.
    expect(r.session?.id).toBe('20');
    await logind.stop();
    logind = await startFakeLogindSessions(
      bus.address,
      SESSIONS.filter((s) => s.id !== '20'),
    );
    const r2 = await read({}, 5151, 1001);
    expect(r2.session?.id).toBe('21');
    expect(r2.via).toBe('pid');
  });

  it('an unknown XDG_SESSION_ID falls back to this uid’s sessions', async () => {
    logind = await startFakeLogindSessions(bus.address, SESSIONS);
    const r = await read({ XDG_SESSION_ID: '77' }, 1);
    expect(r.session?.id).toBe('2');
    expect(r.via).toBe('list');
  });

  it('no logind on the bus, or no bus: a problem line, never a throw', async () => {
    const r = await read({}, 1);
    expect(r.session).toBeNull();
    expect(r.problem).toMatch(/^no session found \(.*ServiceUnknown/);
    const none = await readLogindSession({
      dbus,
      address: `unix:path=${path.join(os.tmpdir(), 'egpu-no-such-bus')}`,
      env: {},
      pid: 1,
      uid: 1000,
    });
    expect(none.session).toBeNull();
    expect(none.problem).toMatch(/^no system bus/);
  });

  it('session object paths are escaped as sd-bus does', () => {
    expect(sessionPath('2')).toBe('/org/freedesktop/login1/session/_32');
    expect(sessionPath('c1')).toBe('/org/freedesktop/login1/session/c1');
  });
});

describe('parseSessionProperties', () => {
  it('is total', () => {
    for (const v of [null, 1, 'x', [], { Id: 3 }, { Id: '' }])
      expect(parseSessionProperties(v)).toBeNull();
    expect(
      parseSessionProperties({ Id: '5', Seat: 'bad', User: [2n ** 70n, '/'], Leader: -1 }),
    ).toMatchObject({ id: '5', seat: '', uid: null, leader: null, active: null });
  });
});
