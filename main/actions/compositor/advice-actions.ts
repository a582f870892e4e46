// The actions that restart or end what holds the eGPU, per session kind, as exact commands. Pure.
// Every action that closes apps carries a warning (the CLI then wants --yes). The only privileged
// ones go through the helper's `restart-unit` verb (display-manager, bumblebeed).

import type { CompositorAction } from '../../common/actions-model.js';
import { SYSTEMCTL_PATH } from '../../common/helper-contract.js';
import type { DetectedSession } from './session-model.js';

const CLOSES_SESSION = 'Every app in this session closes. Save your work first.';

export function logoutAction(s: DetectedSession): CompositorAction | null {
  const base = { id: 'logout', title: 'Log out and back in', privileged: false };
  switch (s.kind) {
    case 'gnome-wayland':
    case 'gnome-x11':
      return {
        ...base,
        detail:
          'GNOME asks every app to quit (apps with unsaved work can object), then shows the login screen. The new session opens only the GPUs its configuration allows.',
        warning: CLOSES_SESSION,
        command: ['gnome-session-quit', '--logout'],
      };
    case 'kde-wayland':
    case 'kde-x11':
      return {
        ...base,
        detail:
          "Asks Plasma's session manager to log out (recent Plasma 5 and Plasma 6; where org.kde.Shutdown is missing: `qdbus org.kde.ksmserver /KSMServer logout 0 0 0`). The new session starts KWin afresh.",
        warning: CLOSES_SESSION,
        command: [
          'dbus-send',
          '--session',
          '--print-reply',
          '--dest=org.kde.Shutdown',
          '/Shutdown',
          'org.kde.Shutdown.logout',
        ],
      };
    case 'sway':
      return {
        ...base,
        title: 'Exit sway',
        detail:
          'sway quits and its session ends; start it again (from the login screen or the console). It then reads WLR_DRM_DEVICES afresh.',
        warning: CLOSES_SESSION,
        command: ['swaymsg', 'exit'],
      };
    case 'hyprland':
      return {
        ...base,
        title: 'Exit Hyprland',
        detail:
          'Hyprland quits and its session ends; start it again. It then reads AQ_DRM_DEVICES afresh.',
        warning: CLOSES_SESSION,
        command: ['hyprctl', 'dispatch', 'exit'],
      };
    case 'wlroots':
    case 'xorg':
    case 'xorg-bumblebee':
    case 'unknown':
      return null;
  }
}

export function terminateSessionAction(s: DetectedSession): CompositorAction | null {
  if (s.sessionId === null) return null;
  return {
    id: 'terminate-session',
    title: `End session ${s.sessionId} (loginctl terminate-session)`,
    detail:
      'logind stops every process of the session: the compositor, the X server and every app. Use it when logging out from the desktop does not work.',
    warning:
      'Every app in this session is stopped at once, without a chance to save. Save your work first.',
    privileged: false,
    command: ['loginctl', 'terminate-session', s.sessionId],
  };
}

export function restartGnomeShellAction(): CompositorAction {
  return {
    id: 'restart-gnome-shell',
    title: 'Restart GNOME Shell in place (X11 only): Alt+F2, type r, Enter',
    detail:
      'Done by hand: GNOME Shell restarts and apps stay open. It has no safe command-line equivalent (the Shell Eval D-Bus method is disabled since GNOME 41). The X server keeps the GPUs it has; to drop the eGPU from X, log out.',
    privileged: false,
  };
}

export function restartKwinAction(
  env: Readonly<Record<string, string | undefined>>,
): CompositorAction {
  // Started as a transient user unit so it outlives this command and owns no terminal; the
  // session's DISPLAY (and XAUTHORITY) go with it.
  const setenv = ['DISPLAY', 'XAUTHORITY']
    .filter((k) => (env[k] ?? '') !== '')
    .map((k) => `--setenv=${k}=${env[k]!}`);
  return {
    id: 'restart-kwin',
    title: 'Restart KWin (kwin_x11 --replace)',
    detail:
      'Replaces the running KWin; apps stay open, the screen flickers. It drops what KWin itself holds on the eGPU; the X server keeps the GPUs it added. From a terminal in the session: `kwin_x11 --replace &`',
    privileged: false,
    command: ['systemd-run', '--user', '--collect', '--quiet', ...setenv, 'kwin_x11', '--replace'],
  };
}

export function restartBumblebeedAction(): CompositorAction {
  return {
    id: 'restart-bumblebeed',
    title: 'Restart bumblebeed',
    detail:
      "Stops Bumblebee's second X server on the NVIDIA GPU (it starts again on the next optirun/primusrun) and so releases the GPU.",
    warning: 'Programs started with optirun or primusrun close.',
    privileged: true,
    command: [SYSTEMCTL_PATH, 'restart', 'bumblebeed.service'],
    helper: ['restart-unit', 'bumblebeed'],
  };
}

export function restartDisplayManagerAction(): CompositorAction {
  return {
    id: 'restart-display-manager',
    title: 'Restart the display manager (GDM, SDDM, LightDM …)',
    detail:
      'The last resort when logging out does not release the eGPU: the login screen and every graphical session start again from scratch.',
    warning:
      'Every app in this session closes at once, without a chance to save — and every other graphical session on this machine ends too. Save your work first.',
    privileged: true,
    command: [SYSTEMCTL_PATH, 'restart', 'display-manager.service'],
    helper: ['restart-unit', 'display-manager'],
  };
}
