import { describe, expect, it } from 'vitest';
import type { SessionKind } from '../../common/actions-model.js';
import { detectSession } from './detect-session.js';
import type { LogindSession, SessionFacts, SessionProcess } from './session-model.js';

const UID = 1000;

const logind = (over: Partial<LogindSession>): LogindSession => ({
  id: '2',
  type: 'wayland',
  class: 'user',
  desktop: '',
  active: true,
  remote: false,
  state: 'active',
  service: 'gdm-password',
  seat: 'seat0',
  uid: UID,
  user: 'alice',
  leader: 900,
  display: '',
  ...over,
});

let nextPid = 1000;
const proc = (name: string, over: Partial<SessionProcess> = {}): SessionProcess => ({
  pid: nextPid++,
  name: name.toLowerCase(),
  comm: name.slice(0, 15),
  argv: [`/usr/bin/${name}`],
  uid: UID,
  ...over,
});

const facts = (over: Partial<SessionFacts>): SessionFacts => ({
  logind: null,
  env: {},
  processes: [],
  uid: UID,
  ...over,
});

const withLogind = (s: Partial<LogindSession>) => ({
  session: logind(s),
  via: 'XDG_SESSION_ID' as const,
  caller: null,
  problem: null,
});

type Row = [string, SessionFacts, SessionKind, string | null];

const rows: Row[] = [
  // logind decides
  [
    'logind GNOME wayland',
    facts({ logind: withLogind({ desktop: 'GNOME' }) }),
    'gnome-wayland',
    'logind',
  ],
  [
    'logind GNOME x11',
    facts({ logind: withLogind({ desktop: 'GNOME', type: 'x11' }) }),
    'gnome-x11',
    'logind',
  ],
  [
    'logind ubuntu (Ubuntu GNOME)',
    facts({ logind: withLogind({ desktop: 'ubuntu' }) }),
    'gnome-wayland',
    'logind',
  ],
  [
    'logind KDE wayland',
    facts({ logind: withLogind({ desktop: 'KDE' }) }),
    'kde-wayland',
    'logind',
  ],
  [
    'logind plasma x11',
    facts({ logind: withLogind({ desktop: 'plasma', type: 'x11' }) }),
    'kde-x11',
    'logind',
  ],
  ['logind sway', facts({ logind: withLogind({ desktop: 'sway' }) }), 'sway', 'logind'],
  ['logind Hyprland', facts({ logind: withLogind({ desktop: 'Hyprland' }) }), 'hyprland', 'logind'],
  [
    'logind wayfire (wlroots)',
    facts({ logind: withLogind({ desktop: 'wayfire' }) }),
    'wlroots',
    'logind',
  ],
  [
    'logind XFCE on x11: plain Xorg',
    facts({ logind: withLogind({ desktop: 'XFCE', type: 'x11' }) }),
    'xorg',
    'logind',
  ],
  [
    'logind niri (not wlroots)',
    facts({ logind: withLogind({ desktop: 'niri' }) }),
    'unknown',
    'logind',
  ],
  ['logind tty', facts({ logind: withLogind({ type: 'tty' }) }), 'unknown', 'logind'],
  // logind has no desktop: the environment names it
  [
    'logind type + env desktop',
    facts({ logind: withLogind({ type: 'x11' }), env: { XDG_CURRENT_DESKTOP: 'KDE' } }),
    'kde-x11',
    'logind',
  ],
  // no logind
  [
    'env ubuntu:GNOME wayland',
    facts({ env: { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' } }),
    'gnome-wayland',
    'environment',
  ],
  [
    'env Budgie:GNOME is not GNOME Shell',
    facts({ env: { XDG_SESSION_TYPE: 'x11', XDG_CURRENT_DESKTOP: 'Budgie:GNOME' } }),
    'xorg',
    'environment',
  ],
  [
    'env sway without XDG_SESSION_TYPE',
    facts({ env: { XDG_CURRENT_DESKTOP: 'sway', WAYLAND_DISPLAY: 'wayland-1' } }),
    'sway',
    'environment',
  ],
  [
    'env DISPLAY only, bumblebeed running',
    facts({ env: { DISPLAY: ':0' }, processes: [proc('bumblebeed', { uid: 0 })] }),
    'xorg-bumblebee',
    'environment',
  ],
  [
    'env KDE wayland + bumblebeed: still KDE (bumblebee is an extra action)',
    facts({
      env: { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'KDE' },
      processes: [proc('bumblebeed', { uid: 0 })],
    }),
    'kde-wayland',
    'environment',
  ],
  // only processes
  [
    'process kwin_wayland',
    facts({ processes: [proc('kwin_wayland')] }),
    'kde-wayland',
    'processes',
  ],
  [
    'process kwin_x11',
    facts({ processes: [proc('kwin_x11'), proc('Xorg')] }),
    'kde-x11',
    'processes',
  ],
  ['process Hyprland', facts({ processes: [proc('Hyprland')] }), 'hyprland', 'processes'],
  ['process sway', facts({ processes: [proc('sway')] }), 'sway', 'processes'],
  [
    'process gnome-shell + Xorg',
    facts({ processes: [proc('gnome-shell'), proc('Xorg')] }),
    'gnome-x11',
    'processes',
  ],
  [
    'process gnome-shell alone',
    facts({ processes: [proc('gnome-shell')] }),
    'gnome-wayland',
    'processes',
  ],
  ['process Xorg only', facts({ processes: [proc('Xorg')] }), 'xorg', 'processes'],
  [
    "the greeter's gnome-shell is not ours: our sway wins",
    facts({ processes: [proc('gnome-shell', { uid: 120 }), proc('sway')] }),
    'sway',
    'processes',
  ],
  [
    "bumblebee's Xorg :8 does not make an X11 session",
    facts({
      processes: [
        proc('Xorg', {
          uid: 0,
          argv: ['Xorg', ':8', '-config', '/etc/bumblebee/xorg.conf.nvidia'],
        }),
      ],
      uid: 0,
    }),
    'unknown',
    'none',
  ],
  ['nothing at all', facts({}), 'unknown', 'none'],
];

describe('detectSession', () => {
  it.each(rows)('%s', (_name, input, kind, source) => {
    const s = detectSession(input);
    expect(s.kind).toBe(kind);
    expect(s.source).toBe(source);
  });

  it('names the compositor process and the session id', () => {
    const shell = proc('gnome-shell');
    const s = detectSession(
      facts({
        logind: withLogind({ id: '7', desktop: 'GNOME' }),
        processes: [shell, proc('Xwayland')],
      }),
    );
    expect(s.compositor?.pid).toBe(shell.pid);
    expect(s.sessionId).toBe('7');
    expect(s.detail).toBe(
      `GNOME on Wayland — logind session 7 (seat0, active); gnome-shell pid ${shell.pid}`,
    );
  });

  it('uses XDG_SESSION_ID when logind is not asked, and says why logind gave nothing', () => {
    const s = detectSession(
      facts({
        logind: { session: null, via: null, caller: null, problem: 'no system bus (ENOENT)' },
        env: { XDG_SESSION_ID: '4', XDG_SESSION_TYPE: 'x11', XDG_CURRENT_DESKTOP: 'KDE' },
      }),
    );
    expect(s).toMatchObject({ kind: 'kde-x11', sessionId: '4', source: 'environment' });
    expect(s.detail).toContain('logind: no system bus (ENOENT)');
  });

  it('an ssh caller is pointed at its graphical session', () => {
    const s = detectSession(
      facts({
        logind: {
          session: logind({ id: '2', desktop: 'sway' }),
          via: 'list',
          caller: logind({ id: '9', type: 'tty', remote: true }),
          problem: null,
        },
      }),
    );
    expect(s.kind).toBe('sway');
    expect(s.detail).toContain('you are in session 9 (tty, remote)');
  });

  it('an unknown Wayland desktop still names the process that draws it', () => {
    const niri = proc('niri');
    const s = detectSession(
      facts({
        env: { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'niri' },
        processes: [proc('Xwayland'), proc('polkit-gnome-authentication-agent-1'), niri],
      }),
    );
    expect(s).toMatchObject({ kind: 'unknown', desktop: 'niri', compositor: { pid: niri.pid } });
    // Another user's process is never taken for ours.
    const other = detectSession(
      facts({ env: { XDG_SESSION_TYPE: 'wayland' }, processes: [proc('niri', { uid: 1001 })] }),
    );
    expect(other.compositor).toBeNull();
  });

  it('hostile values never throw', () => {
    const weird = facts({
      logind: withLogind({ desktop: '\0:::', type: '\u202e' }),
      env: { XDG_CURRENT_DESKTOP: ':'.repeat(10_000), DESKTOP_SESSION: '/' },
      processes: [proc('x', { argv: [] })],
    });
    expect(() => detectSession(weird)).not.toThrow();
  });
});
