// CompositorAdvice for a detected session: what to restart or end now (actions), what to know
// (notes), and the configuration that keeps the compositor off the eGPU next time. Pure; the
// golden outputs in advice.test.ts pin the text per session kind.

import type {
  CompositorAction,
  CompositorAdvice,
  ConfigSnippet,
  SessionKind,
} from '../../common/actions-model.js';
import {
  logoutAction,
  restartBumblebeedAction,
  restartDisplayManagerAction,
  restartGnomeShellAction,
  restartKwinAction,
  terminateSessionAction,
} from './advice-actions.js';
import {
  aquamarineSnippet,
  bumblebeeSnippet,
  kwinEnvSnippet,
  mutterSnippets,
  symlinkRule,
  wlrEnvSnippet,
  xorgSnippet,
} from './config-snippets.js';
import type { CompositorHold, DisplayGpus } from './gpu-roles.js';
import type { DetectedSession } from './session-model.js';

export type AdviceInput = {
  readonly session: DetectedSession;
  readonly gpus: DisplayGpus;
  readonly holds: readonly CompositorHold[];
  /** The caller's environment (DISPLAY for restarting kwin_x11). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Processes the client scan could not inspect (other users', without root). */
  readonly uninspectable?: number;
};

const KIND_NOTES: Readonly<Record<SessionKind, readonly string[]>> = {
  'gnome-wayland': [
    'GNOME Shell on Wayland is the display server itself: restarting it ends the session and closes every app, so the way to restart it is to log out and back in (Alt+F2 r works only on X11).',
    'mutter lets go of a secondary GPU that is unplugged, but not of the GPU it draws the desktop with; it reads the mutter-device-ignore tag only when a GPU is added, so a new rule needs a new session.',
  ],
  'gnome-x11': [
    'On X11, GNOME Shell can be restarted in place (Alt+F2, r, Enter) and apps stay open. The X server keeps the GPUs it added: Xorg has no safe GPU hot-unplug, so close what runs on the eGPU or log out before unplugging.',
  ],
  'kde-wayland': [
    'KWin is the Wayland display server: unlike kwin_x11 it cannot be replaced in place, so log out and back in. KWin reads KWIN_DRM_DEVICES only when it starts.',
    'If the eGPU is KWin\'s primary GPU and goes away, KWin quits ("Primary gpu has been removed! Quitting...") and the session ends; a secondary GPU can be removed.',
  ],
  'kde-x11': [
    'kwin_x11 --replace restarts the window manager and apps stay open. The X server keeps the GPUs it added (Xorg has no safe GPU hot-unplug): to drop the eGPU from X, log out.',
  ],
  sway: [
    "`swaymsg reload` is not enough: it re-reads the config file only; sway does not re-open GPUs and reads WLR_DRM_DEVICES only when it starts. What makes a running sway drop a secondary GPU is a udev remove event for its card (what `egpu eject` sends); if the eGPU is sway's primary GPU sway may hang (sway#7759): exit sway first.",
  ],
  hyprland: [
    '`hyprctl reload` re-reads hyprland.conf but does not re-open GPUs: AQ_DRM_DEVICES is read only when Hyprland starts. Exit Hyprland and start it again.',
  ],
  wlroots: [
    'wlroots compositors read WLR_DRM_DEVICES only when they start; reloading their config does not re-open GPUs. Exit the compositor and start it again.',
  ],
  'xorg-bumblebee': [
    "Bumblebee runs a second X server on the NVIDIA GPU for optirun/primusrun; restarting bumblebeed stops it. The desktop's own X server is not touched.",
  ],
  xorg: [
    'Xorg has no safe GPU hot-unplug: close the programs that use the eGPU, or end the X session (log out), before unplugging.',
  ],
  unknown: [
    'eGPU Guard could not tell which desktop this is. The generic ways to release the GPU are below; the configuration for each compositor is listed so you can pick yours.',
  ],
};

function holdNotes(input: AdviceInput): string[] {
  const names = new Map(
    [...input.gpus.internal, ...input.gpus.external].map((g) => [g.bdf, g] as const),
  );
  const out: string[] = [];
  for (const h of input.holds.filter((x) => x.external)) {
    const g = names.get(h.gpu);
    const what = `${h.comm} (pid ${h.pid}) has the eGPU ${h.gpu}${g ? ` (${g.name})` : ''} open`;
    if (h.primary === true) {
      out.push(
        `${what} as its primary GPU: it draws the desktop with it, so it cannot let go while it runs. Log out (or end the session) before unplugging, and use the configuration below so the next session starts on the internal GPU.`,
      );
    } else if (h.primary === false) {
      const sway =
        g?.minor != null && (input.session.kind === 'sway' || input.session.kind === 'wlroots')
          ? ` To make it let go now: \`sudo udevadm trigger --action=remove --subsystem-match=drm --property-match=MINOR=${g.minor}\``
          : '';
      out.push(`${what} as a secondary GPU (${h.nodes.join(', ')}).${sway}`);
    } else {
      out.push(`${what} (${h.nodes.join(', ')}); whether it is its primary GPU cannot be told.`);
    }
  }
  const hidden = input.uninspectable ?? 0;
  if (input.gpus.external.length === 0) {
    out.push('No external GPU is attached now; the configuration below applies to the next one.');
  } else if (!input.holds.some((h) => h.external)) {
    out.push(
      hidden === 0
        ? 'No compositor or X server holds the eGPU now.'
        : `No compositor or X server that eGPU Guard could check holds the eGPU now; ${hidden === 1 ? '1 process' : `${hidden} processes`} of other users (a login screen's, perhaps) could not be checked: \`sudo egpu clients\` lists them.`,
    );
  }
  if (input.gpus.internal.every((g) => g.card === null)) {
    out.push(
      'No internal GPU with a display driver was found: a compositor cannot be kept off the eGPU when there is no other GPU to run on.',
    );
  }
  return out;
}

const nonNull = <T>(xs: readonly (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

function configFor(input: AdviceInput): ConfigSnippet[] {
  const { internal, external } = input.gpus;
  const sym = symlinkRule(internal);
  const compositor = input.session.compositor?.name ?? input.session.desktop ?? 'the compositor';
  switch (input.session.kind) {
    case 'gnome-wayland':
      return mutterSnippets(external);
    case 'gnome-x11':
      return [xorgSnippet(internal, external), ...mutterSnippets(external)];
    case 'kde-wayland':
      return nonNull([sym, kwinEnvSnippet(internal)]);
    case 'kde-x11':
    case 'xorg':
      return [xorgSnippet(internal, external)];
    case 'sway':
      return nonNull([sym, wlrEnvSnippet(internal, 'sway')]);
    case 'wlroots':
      return nonNull([sym, wlrEnvSnippet(internal, compositor)]);
    case 'hyprland':
      return nonNull([sym, aquamarineSnippet(internal)]);
    case 'xorg-bumblebee': {
      const nvidia = [...external, ...internal].find((g) => g.vendorId === '0x10de');
      return [...(nvidia ? [bumblebeeSnippet(nvidia)] : []), xorgSnippet(internal, external)];
    }
    case 'unknown':
      return [
        ...mutterSnippets(external),
        ...nonNull([
          sym,
          kwinEnvSnippet(internal),
          wlrEnvSnippet(internal, 'your wlroots compositor'),
          aquamarineSnippet(internal),
        ]),
        xorgSnippet(internal, external),
      ];
  }
}

function actionsFor(input: AdviceInput): CompositorAction[] {
  const s = input.session;
  const out: (CompositorAction | null)[] = [];
  if (s.kind === 'gnome-x11') out.push(restartGnomeShellAction());
  if (s.kind === 'kde-x11') out.push(restartKwinAction(input.env));
  if (s.bumblebee !== null || s.kind === 'xorg-bumblebee') out.push(restartBumblebeedAction());
  out.push(logoutAction(s), terminateSessionAction(s), restartDisplayManagerAction());
  return nonNull(out);
}

/** CompositorAdvice.egpuHeld: what the scan can tell about the desktop holding an eGPU. */
function egpuHeld(input: AdviceInput): boolean | null {
  if (input.gpus.external.length === 0) return false;
  if (input.holds.some((h) => h.external)) return true;
  return (input.uninspectable ?? 0) === 0 ? false : null;
}

export function buildCompositorAdvice(input: AdviceInput): CompositorAdvice {
  const s = input.session;
  return {
    egpuHeld: egpuHeld(input),
    session: s.kind,
    sessionDetail: s.detail,
    sessionId: s.sessionId,
    actions: actionsFor(input),
    config: configFor(input),
    notes: [...holdNotes(input), ...KIND_NOTES[s.kind]],
  };
}
