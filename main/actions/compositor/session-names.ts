// Program names (as programName() gives them: basename, lowercase) that tell eGPU Guard about
// the session: compositors by family, X servers, bumblebeed, and polkit authentication agents.

/** wlroots compositors that read WLR_DRM_DEVICES (wlroots docs/env_vars.md). */
export const WLROOTS_COMPOSITORS: readonly string[] = [
  'wayfire',
  'river',
  'labwc',
  'dwl',
  'hikari',
  'cage',
  'phoc',
  'kiwmi',
  'qtile',
  'waybox',
];

/** Processes that show the session kind (client-roles.ts names compositors more broadly). */
export const SESSION_PROGRAMS: readonly string[] = [
  'gnome-shell',
  'kwin_wayland',
  'kwin_x11',
  'sway',
  'hyprland',
  ...WLROOTS_COMPOSITORS,
  'xorg',
  'x',
  'xorg.bin',
  'bumblebeed',
  'nvidia-persistenced',
];

/**
 * polkit authentication agents (what pkexec needs in a graphical session). GNOME Shell and
 * Cinnamon have one built in; the rest are separate programs.
 */
export const POLKIT_AGENTS: readonly string[] = [
  'polkit-gnome-authentication-agent-1',
  'polkit-kde-authentication-agent-1',
  'polkit-mate-authentication-agent-1',
  'lxpolkit',
  'lxqt-policykit-agent',
  'xfce-polkit',
  'hyprpolkitagent',
  'soteria',
  'deepin-polkit-agent',
  'gnome-shell',
  'cinnamon',
];

/** Found by the scan but never the session's compositor. */
export const NOT_COMPOSITORS: ReadonlySet<string> = new Set([
  'xorg',
  'x',
  'xorg.bin',
  'xwayland',
  'bumblebeed',
  'nvidia-persistenced',
  ...POLKIT_AGENTS.filter((n) => n !== 'gnome-shell' && n !== 'cinnamon'),
]);
