// Guided actions as data: plans the user sees before anything runs, progress while they run,
// and the final result. Shared by the CLI (`egpu eject --dry-run --json`), the UI and tests.

import type { ErrorCode } from './errors.js';

export const EJECT_STEP_IDS = [
  'close-app',
  'release-compositor',
  'stop-service',
  'unbind',
  'remove',
  'unload-modules',
  'drop-tunnel',
  'confirm-removal',
  'safe-to-unplug',
] as const;

export const RECOVER_STEP_IDS = [
  'authorize',
  'remove', // a GPU that fell off the bus: off the bus with its enclosure's bridges, then rescan
  'rescan',
  'bind',
  'reload-modules',
  'verify',
] as const;

export type StepId = (typeof EJECT_STEP_IDS)[number] | (typeof RECOVER_STEP_IDS)[number];

export type PlanStep = {
  readonly step: StepId;
  /** What will happen, in plain words ("Ask ollama (pid 2231) to quit (SIGTERM)"). */
  readonly detail: string;
  /** Runs through the privileged helper (a polkit prompt may appear). */
  readonly privileged: boolean;
  /** For close-app steps: the process. */
  readonly pid?: number;
  readonly comm?: string;
  /** For privileged steps: the helper verb and arguments, shown verbatim. */
  readonly helper?: readonly string[];
  /** For authorize steps through bolt: the Thunderbolt device's unique_id. */
  readonly uid?: string;
  /** For confirm-removal: every PCI function that must be gone (the GPU's, all of them). */
  readonly targets?: readonly string[];
};

export type BlockerKind =
  | 'client' // a process holds the GPU: closing it (after confirmation) clears the blocker
  | 'primary-gpu' // the session's compositor drives its displays from this GPU: log out first
  | 'internal' // not an external GPU
  | 'not-present' // already gone
  | 'new-device' // a Thunderbolt device never seen carrying the GPU: the user approves it in the window
  | 'stuck' // the driver is already stuck removing it
  | 'unsupported'; // e.g. no removable ancestor, or the helper is missing

export type Blocker = {
  readonly kind: BlockerKind;
  readonly reason: string;
  readonly pid?: number;
  readonly comm?: string;
  /** The blocker goes away if the user agrees to close this process. */
  readonly closable: boolean;
};

export type ActionPlan = {
  readonly action: 'eject' | 'recover';
  readonly gpu: string | null;
  readonly name: string | null;
  readonly result: 'ready' | 'blocked';
  readonly blockers: readonly Blocker[];
  readonly steps: readonly PlanStep[];
  /** Things the user should know that do not block (e.g. "the tunnel cannot be dropped"). */
  readonly warnings: readonly string[];
  /**
   * Eject only: warnings (also in `warnings`) about the unplugging itself — a drive on the same
   * Thunderbolt tunnel stays connected and must be ejected first. A one-click eject never runs
   * such a plan without showing it, and the final result repeats them.
   */
  readonly unplugWarnings?: readonly string[];
  /**
   * Eject only: what the person pulls once it is safe, in words ("the Razer Core X"; "the eGPU"
   * when the enclosure has no name we know), so the result can say "Unplug the Razer Core X now."
   */
  readonly unplug?: string;
};

export type StepStatus = 'running' | 'done' | 'failed' | 'skipped';

export type StepProgress = {
  readonly step: StepId;
  readonly status: StepStatus;
  readonly detail: string;
};

export type EjectOutcome = 'safe-to-unplug' | 'blocked' | 'failed' | 'stuck' | 'cancelled';
export type RecoverOutcome = 'recovered' | 'blocked' | 'failed' | 'stuck' | 'cancelled';

export type ActionFinal = {
  readonly result: EjectOutcome | RecoverOutcome;
  readonly detail: string;
  /**
   * Why it did not start, when that has an error code of its own ('already-running': another
   * eject or recovery of the GPU holds its lock; 'intent-not-recorded').
   */
  readonly code?: ErrorCode;
  /**
   * Eject only: the GPU is gone but the enclosure still carries a drive on the same tunnel (the
   * plan's unplugWarnings, repeated in `detail`): the faces say "eject the drive first", not a
   * plain "safe to unplug".
   */
  readonly unplugWarnings?: readonly string[];
  /** Recover only: the GPU was working and the run only checked it (nothing was recovered). */
  readonly unchanged?: true;
};

/** What the user asked a recovery for beyond the GPU. */
export type RecoverRequest = {
  /**
   * unique_id of a new Thunderbolt device the user approved in the window ("Authorize this
   * device"). The tray, notifications and the CLI never set it.
   */
  readonly approve?: string | null;
};

/**
 * How a close-app step that ended in SIGKILL ends its 'done' detail ("ollama (pid 2231) did not
 * quit and was force-quit (SIGKILL)"): the faces tell it from a quit.
 */
export const FORCE_QUIT = 'did not quit and was force-quit (SIGKILL)';

/** Options the user picked for an eject run. */
export type EjectOptions = {
  /** Processes the user agreed to close (SIGTERM). */
  readonly closePids: readonly number[];
  /** SIGKILL processes that did not quit after SIGTERM. Only when the user picks force. */
  readonly force: boolean;
  /**
   * A one-click eject (tray menu, notification button): nobody saw the plan that runs, so one
   * that carries unplug warnings (a drive on the same tunnel) is refused, not run.
   */
  readonly unattended?: boolean;
};

export type SessionKind =
  | 'gnome-wayland'
  | 'gnome-x11'
  | 'kde-wayland'
  | 'kde-x11'
  | 'sway'
  | 'hyprland'
  | 'wlroots'
  | 'xorg-bumblebee'
  | 'xorg'
  | 'unknown';

export type CompositorAction = {
  readonly id: string;
  readonly title: string;
  readonly detail: string;
  /** Explicit warning (restarting the display manager closes every app in the session). */
  readonly warning?: string;
  readonly privileged: boolean;
  /**
   * The exact program and arguments (what `--run` starts, or for a privileged action what the
   * helper runs as root). Absent: the action is done by hand, as `detail` says (Alt+F2 r).
   */
  readonly command?: readonly string[];
  /** Privileged actions: the helper verb and its arguments, shown verbatim. */
  readonly helper?: readonly string[];
};

export type ConfigSnippet = {
  readonly title: string;
  /** Where to put it, e.g. /etc/udev/rules.d/61-egpu-mutter.rules */
  readonly path: string;
  readonly text: string;
  /** How to apply it (e.g. reload udev rules and log out). */
  readonly apply: string;
};

export type CompositorAdvice = {
  readonly session: SessionKind;
  readonly sessionDetail: string;
  /** The logind session id (for `loginctl terminate-session`), when known. */
  readonly sessionId?: string | null;
  readonly actions: readonly CompositorAction[];
  readonly config: readonly ConfigSnippet[];
  /**
   * What the user should know about this session: which GPU the compositor holds, why a restart
   * in place is not possible, what `swaymsg reload` does not do.
   */
  readonly notes?: readonly string[];
  /**
   * Whether a compositor or X server holds an external GPU now: true; false when none does (or
   * no eGPU is attached) and every process could be checked, so nothing needs restarting; null
   * when none that could be checked does but other users' processes could not be (a login
   * screen's, say). Absent: not known (older cores).
   */
  readonly egpuHeld?: boolean | null;
};
