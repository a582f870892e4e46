// What eGPU Guard knows about the desktop session it runs in: the logind session
// (org.freedesktop.login1(5)), the session environment and the processes that draw the screen.
// Plain data, gathered by compositor-advice.ts (with logind-session.ts and session-processes.ts)
// and turned into a DetectedSession by detect-session.ts (pure).

import type { SessionKind } from '../../common/actions-model.js';

/** An org.freedesktop.login1.Session object, as far as its properties could be read. */
export type LogindSession = {
  readonly id: string;
  /** `x11`, `wayland`, `tty`, `mir`, `unspecified` (raw; unknown values are kept). */
  readonly type: string;
  /** `user`, `greeter`, `lock-screen`, … */
  readonly class: string;
  /** From XDG_SESSION_DESKTOP: `GNOME`, `KDE`, `sway`, `Hyprland`; may be empty. */
  readonly desktop: string;
  readonly active: boolean | null;
  readonly remote: boolean | null;
  readonly state: string;
  readonly service: string;
  readonly seat: string;
  readonly uid: number | null;
  readonly user: string;
  readonly leader: number | null;
  readonly display: string;
};

export type LogindLookup = {
  /** The graphical session eGPU Guard advises about; null when logind could not tell. */
  readonly session: LogindSession | null;
  /** How it was found. */
  readonly via: 'XDG_SESSION_ID' | 'pid' | 'list' | null;
  /** The caller's own session when it is not the graphical one (an ssh or tty session). */
  readonly caller: LogindSession | null;
  /** Why logind gave no answer (no system bus, no logind, no session). */
  readonly problem: string | null;
};

/** A process that tells which desktop runs: a compositor, an X server, bumblebeed, an agent. */
export type SessionProcess = {
  readonly pid: number;
  /** Program name: basename of argv[0] (or comm), lowercase, wrappers stripped. */
  readonly name: string;
  readonly comm: string;
  readonly argv: readonly string[];
  readonly uid: number | null;
};

export type SessionFacts = {
  readonly logind: LogindLookup | null;
  /** The environment of the caller (XDG_SESSION_TYPE, XDG_CURRENT_DESKTOP, DISPLAY …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly processes: readonly SessionProcess[];
  /** The uid eGPU Guard runs as: the session's processes are this user's. */
  readonly uid: number | null;
};

export type SessionType = 'wayland' | 'x11' | 'tty' | 'unknown';

export type DetectedSession = {
  readonly kind: SessionKind;
  readonly type: SessionType;
  /** Desktop name for people: 'GNOME', 'KDE Plasma', 'sway', 'Hyprland', 'wayfire' … */
  readonly desktop: string | null;
  readonly sessionId: string | null;
  /** The process that draws the session (gnome-shell, kwin_wayland, sway, Xorg …). */
  readonly compositor: SessionProcess | null;
  /** The X server of an X11 session. */
  readonly xserver: SessionProcess | null;
  /** bumblebeed, when it runs (its secondary X server holds the NVIDIA GPU). */
  readonly bumblebee: SessionProcess | null;
  /** Where the answer came from. */
  readonly source: 'logind' | 'environment' | 'processes' | 'none';
  /** One line for people. */
  readonly detail: string;
};
