// Words and tones for what the window shows: lifecycle states, client roles, step names, health.
// Pure data and functions, tested without the DOM; components only look things up here.

import type { StepId, StepStatus } from '../../main/common/actions-model.js';
import type { ClientRole } from '../../main/common/clients-model.js';
import type { HealthState } from '../../main/common/inventory-model.js';
import type { GpuLifecycle, Severity } from '../../main/common/state-model.js';

/** Colour families (styles/tokens.css): each has a text, background and border token. */
export type Tone = 'ok' | 'busy' | 'progress' | 'safe' | 'neutral' | 'danger';

export type StateLabel = { readonly label: string; readonly tone: Tone; readonly hint: string };

export const STATE_LABELS = {
  absent: { label: 'Absent', tone: 'neutral', hint: 'Not connected.' },
  connected: {
    label: 'Connected',
    tone: 'progress',
    hint: 'The enclosure is connected but the GPU is not usable yet (Thunderbolt authorization or a rescan is missing).',
  },
  attached: { label: 'Attached', tone: 'ok', hint: 'Ready. No app is using it.' },
  'in-use': {
    label: 'In use',
    tone: 'busy',
    hint: 'Apps are using it. Eject it before unplugging.',
  },
  ejecting: { label: 'Ejecting…', tone: 'progress', hint: 'Releasing the GPU. Do not unplug yet.' },
  'safe-to-unplug': {
    label: 'Safe to unplug',
    tone: 'safe',
    hint: 'Nothing uses it any more. You can unplug the cable now.',
  },
  unplugged: { label: 'Unplugged', tone: 'neutral', hint: 'Unplugged after a safe eject.' },
  'fell-off-bus': {
    label: 'Fell off the bus',
    tone: 'danger',
    hint: 'The GPU stopped answering on the PCIe bus. Apps using it will fail.',
  },
  'surprise-removed': {
    label: 'Unplugged while in use',
    tone: 'danger',
    hint: 'It disappeared without an eject. Apps that used it may have crashed.',
  },
  stuck: {
    label: 'Stuck',
    tone: 'danger',
    hint: 'The driver is stuck removing it. Do not unplug; save your work.',
  },
} as const satisfies Record<GpuLifecycle, StateLabel>;

/** The hint under the badge; eject advice only makes sense for an external GPU. */
export function stateHint(state: GpuLifecycle, external: boolean): string {
  if (!external && state === 'in-use') return 'Apps are using it.';
  if (!external && state === 'attached') return 'Ready.';
  return STATE_LABELS[state].hint;
}

export const ROLE_LABELS = {
  compositor: 'Desktop compositor',
  'x-server': 'X server',
  xwayland: 'Xwayland',
  'display-manager': 'Login screen',
  compute: 'Compute',
  browser: 'Browser',
  other: 'App',
} as const satisfies Record<ClientRole, string>;

/** Roles the window offers to close. Closing the others ends the whole desktop session. */
export const CLOSABLE_ROLES: ReadonlySet<ClientRole> = new Set(['compute', 'browser', 'other']);

export const STEP_LABELS = {
  'close-app': 'Close app',
  'release-compositor': 'Release the GPU from the desktop',
  'stop-service': 'Stop service',
  unbind: 'Detach the driver',
  remove: 'Remove from the PCI bus',
  'unload-modules': 'Unload driver modules',
  'drop-tunnel': 'Drop the Thunderbolt tunnel',
  'confirm-removal': 'Confirm it is gone',
  'safe-to-unplug': 'Safe to unplug',
  authorize: 'Authorize the Thunderbolt device',
  rescan: 'Rescan the PCI bus',
  bind: 'Attach the driver',
  'reload-modules': 'Reload driver modules',
  verify: 'Check the GPU is back',
} as const satisfies Record<StepId, string>;

export type RowStatus = 'pending' | StepStatus;

export const STEP_STATUS_LABELS = {
  pending: 'Waiting',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
} as const satisfies Record<RowStatus, string>;

export const HEALTH_LABELS = {
  ok: 'Responds on the bus',
  unreachable: 'Not responding',
  unknown: 'Unknown',
} as const satisfies Record<HealthState, string>;

export const SEVERITY_LABELS = {
  info: 'Info',
  warning: 'Warning',
  critical: 'Critical',
} as const satisfies Record<Severity, string>;

export const SEVERITY_TONES = {
  info: 'neutral',
  warning: 'progress',
  critical: 'danger',
} as const satisfies Record<Severity, Tone>;

/** States where the eject button makes sense (the planner still decides). */
export const EJECTABLE: ReadonlySet<GpuLifecycle> = new Set(['attached', 'in-use', 'stuck']);

/** States where recovery (authorize, rescan, bind, reload) can help. */
export const RECOVERABLE: ReadonlySet<GpuLifecycle> = new Set([
  'connected',
  'safe-to-unplug',
  'unplugged',
  'fell-off-bus',
  'surprise-removed',
]);
