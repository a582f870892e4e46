// Which desktop session is this: GNOME, KDE Plasma, sway, Hyprland, another wlroots compositor,
// plain Xorg (with or without Bumblebee), on Wayland or X11. Pure: the answer comes from logind's
// session (Type, Desktop — org.freedesktop.login1(5)), else the session environment
// (XDG_SESSION_TYPE, XDG_CURRENT_DESKTOP), else the names of the processes that draw the screen.

import type { SessionKind } from '../../common/actions-model.js';
import type {
  DetectedSession,
  LogindSession,
  SessionFacts,
  SessionProcess,
  SessionType,
} from './session-model.js';
import { NOT_COMPOSITORS, WLROOTS_COMPOSITORS } from './session-names.js';

type Family = 'gnome' | 'kde' | 'sway' | 'hyprland' | 'wlroots' | 'other';

const GNOME_TOKENS = new Set(['gnome', 'gnome-classic', 'gnome-xorg', 'gnome-wayland', 'ubuntu']);
const GNOME_EXTRA = new Set(['ubuntu-wayland', 'ubuntu-xorg', 'pop', 'zorin']);
const KDE_TOKENS = new Set(['kde', 'plasma', 'plasmawayland', 'plasmax11', 'plasma-wayland']);

function familyOf(token: string): Family {
  const t = token.toLowerCase();
  if (GNOME_TOKENS.has(t) || GNOME_EXTRA.has(t)) return 'gnome';
  if (KDE_TOKENS.has(t)) return 'kde';
  if (t === 'sway' || t === 'swayfx') return 'sway';
  if (t === 'hyprland') return 'hyprland';
  if (WLROOTS_COMPOSITORS.includes(t)) return 'wlroots';
  return 'other';
}

const LABEL: Readonly<Record<Exclude<Family, 'wlroots' | 'other'>, string>> = {
  gnome: 'GNOME',
  kde: 'KDE Plasma',
  sway: 'sway',
  hyprland: 'Hyprland',
};

const labelOf = (family: Family, token: string): string =>
  family === 'wlroots' || family === 'other' ? token : LABEL[family];

const X_SERVER_NAMES = new Set(['xorg', 'x', 'xorg.bin']);

/** Bumblebee's secondary X server (`Xorg :8 -config /etc/bumblebee/xorg.conf.nvidia`). */
export const isBumblebeeX = (p: SessionProcess): boolean =>
  X_SERVER_NAMES.has(p.name) && p.argv.some((a) => a.includes('bumblebee'));

const typeOf = (value: string | undefined): SessionType | null =>
  value === 'wayland' || value === 'x11' || value === 'tty' ? value : null;

/** This user's processes when there are any; all of them otherwise (uid unknown, or root). */
function ownProcesses(facts: SessionFacts): readonly SessionProcess[] {
  const own = facts.processes.filter((p) => facts.uid !== null && p.uid === facts.uid);
  return own.length > 0 ? own : facts.processes;
}

const find = (procs: readonly SessionProcess[], names: readonly string[]): SessionProcess | null =>
  procs.find((p) => names.includes(p.name) && !isBumblebeeX(p)) ?? null;

/** The desktop named by logind or the environment: the first source that names one decides. */
function desktopToken(logind: LogindSession | null, env: SessionFacts['env']): string | null {
  const candidates = [
    logind?.desktop,
    env['XDG_CURRENT_DESKTOP']?.split(':')[0],
    env['XDG_SESSION_DESKTOP'],
    env['DESKTOP_SESSION']?.split('/').pop(),
  ];
  return candidates.map((c) => c?.trim() ?? '').find((c) => c !== '') ?? null;
}

/** The family the running processes show, strongest evidence first. */
function familyFromProcesses(procs: readonly SessionProcess[]): {
  family: Family;
  token: string;
} | null {
  const order: readonly (readonly [string, Family])[] = [
    ['gnome-shell', 'gnome'],
    ['kwin_wayland', 'kde'],
    ['kwin_x11', 'kde'],
    ['sway', 'sway'],
    ['hyprland', 'hyprland'],
    ...WLROOTS_COMPOSITORS.map((n) => [n, 'wlroots'] as const),
  ];
  for (const [name, family] of order) {
    if (procs.some((p) => p.name === name)) return { family, token: name };
  }
  return null;
}

function typeFromProcesses(family: Family, procs: readonly SessionProcess[]): SessionType {
  if (family === 'kde') {
    if (find(procs, ['kwin_wayland'])) return 'wayland';
    if (find(procs, ['kwin_x11'])) return 'x11';
  }
  if (family === 'sway' || family === 'hyprland' || family === 'wlroots') return 'wayland';
  const x = find(procs, [...X_SERVER_NAMES]);
  if (x !== null) return 'x11';
  if (family === 'gnome' && find(procs, ['gnome-shell'])) return 'wayland';
  return 'unknown';
}

function kindOf(family: Family, type: SessionType, bumblebee: boolean): SessionKind {
  switch (family) {
    case 'gnome':
      return type === 'wayland' ? 'gnome-wayland' : type === 'x11' ? 'gnome-x11' : 'unknown';
    case 'kde':
      return type === 'wayland' ? 'kde-wayland' : type === 'x11' ? 'kde-x11' : 'unknown';
    case 'sway':
      return 'sway';
    case 'hyprland':
      return 'hyprland';
    case 'wlroots':
      return 'wlroots';
    case 'other':
      if (type === 'x11') return bumblebee ? 'xorg-bumblebee' : 'xorg';
      return 'unknown';
  }
}

const COMPOSITOR_NAMES: Readonly<Record<SessionKind, readonly string[]>> = {
  'gnome-wayland': ['gnome-shell'],
  'gnome-x11': ['gnome-shell'],
  'kde-wayland': ['kwin_wayland'],
  'kde-x11': ['kwin_x11'],
  sway: ['sway'],
  hyprland: ['hyprland'],
  wlroots: WLROOTS_COMPOSITORS,
  'xorg-bumblebee': [],
  xorg: [],
  unknown: [],
};

function describe(
  s: Omit<DetectedSession, 'detail'>,
  logind: SessionFacts['logind'],
  type: SessionType,
): string {
  const on = type === 'wayland' ? ' on Wayland' : type === 'x11' ? ' on X11' : '';
  const what =
    type === 'tty'
      ? 'A text console (tty) session'
      : s.desktop !== null
        ? `${s.desktop}${on}`
        : type === 'unknown'
          ? 'An unknown session'
          : `A session${on}`;
  const parts: string[] = [];
  const ls = logind?.session;
  if (s.source === 'logind' && ls) {
    const flags = [ls.seat, ls.active === true ? 'active' : '', ls.remote === true ? 'remote' : '']
      .filter((f) => f !== '')
      .join(', ');
    parts.push(`logind session ${ls.id}${flags ? ` (${flags})` : ''}`);
  } else if (s.source === 'environment') parts.push('from XDG_SESSION_TYPE / XDG_CURRENT_DESKTOP');
  else if (s.source === 'processes') parts.push('from the running processes');
  if (s.compositor) parts.push(`${s.compositor.comm} pid ${s.compositor.pid}`);
  else if (s.xserver) parts.push(`${s.xserver.comm} pid ${s.xserver.pid}`);
  if (s.bumblebee) parts.push(`bumblebeed pid ${s.bumblebee.pid}`);
  const caller = logind?.caller;
  if (caller && ls && caller.id !== ls.id) {
    parts.push(
      `you are in session ${caller.id} (${caller.type}${caller.remote === true ? ', remote' : ''})`,
    );
  }
  if (s.source !== 'logind' && logind?.problem) parts.push(`logind: ${logind.problem}`);
  return parts.length > 0 ? `${what} — ${parts.join('; ')}` : what;
}

export function detectSession(facts: SessionFacts): DetectedSession {
  const ls = facts.logind?.session ?? null;
  const procs = ownProcesses(facts);
  const env = facts.env;
  const logindType = typeOf(ls?.type);
  const envType =
    typeOf(env['XDG_SESSION_TYPE']) ??
    (env['WAYLAND_DISPLAY'] ? 'wayland' : env['DISPLAY'] ? 'x11' : null);
  const token = desktopToken(ls, env);

  let source: DetectedSession['source'] =
    ls !== null && (logindType !== null || ls.desktop !== '')
      ? 'logind'
      : envType !== null || token !== null
        ? 'environment'
        : 'none';
  let family: Family = token === null ? 'other' : familyOf(token);
  let label: string | null = token === null ? null : labelOf(family, token);
  let type: SessionType = logindType ?? envType ?? 'unknown';

  if (token === null) {
    const seen = familyFromProcesses(procs);
    if (seen !== null) {
      family = seen.family;
      label = labelOf(family, seen.token);
      if (source === 'none') source = 'processes';
    }
  }
  if (type === 'unknown' && family !== 'other') {
    type = typeFromProcesses(family, procs);
    if (source === 'none') source = 'processes';
  }
  if (type === 'unknown' && family === 'other' && find(procs, [...X_SERVER_NAMES]) !== null) {
    type = 'x11';
    if (source === 'none') source = 'processes';
  }

  const bumblebee = procs.find((p) => p.name === 'bumblebeed') ?? null;
  const kind = type === 'tty' ? 'unknown' : kindOf(family, type, bumblebee !== null);
  const names =
    kind === 'wlroots' && token !== null ? [token.toLowerCase()] : COMPOSITOR_NAMES[kind];
  const compositor =
    find(procs, names) ??
    (kind === 'wlroots' ? find(procs, WLROOTS_COMPOSITORS) : null) ??
    // An unknown desktop: a process that holds a GPU to draw (the scan adds those) is the one.
    (kind === 'unknown' && type !== 'tty'
      ? (procs.find(
          (p) =>
            (facts.uid === null || p.uid === facts.uid) &&
            !NOT_COMPOSITORS.has(p.name) &&
            !isBumblebeeX(p),
        ) ?? null)
      : null);
  const xserver = type === 'x11' ? find(procs, [...X_SERVER_NAMES]) : null;
  const sessionId = ls?.id ?? env['XDG_SESSION_ID'] ?? null;
  const base = {
    kind,
    type,
    desktop: label,
    sessionId: sessionId === '' ? null : sessionId,
    compositor,
    xserver,
    bumblebee,
    source,
  };
  return { ...base, detail: describe(base, facts.logind, type) };
}
