// Words and tones for what the window shows: lifecycle states, client roles, step names, health.
// Pure data and functions, tested without the DOM; components only look things up here.

import type { StepId, StepStatus } from '../../main/common/actions-model.js';
import type { ClientRole } from '../../main/common/clients-model.js';
import type { HealthState } from '../../main/common/inventory-model.js';
import type { GpuLifecycle, Severity } from '../../main/common/snapshot.js';

/** Colour families (styles/tokens.css): each has a text, background and border token. */
export type Tone = 'ok' | 'busy' | 'progress' | 'safe' | 'neutral' | 'danger';

/** The badge: short words and a colour. The sentence under it comes from main/common/gpu-words.ts. */
export type StateLabel = { readonly label: string; readonly tone: Tone };

export const STATE_LABELS = {
  absent: { label: 'Absent', tone: 'neutral' },
  connected: {
    label: 'Connected',
    tone: 'progress',
  },
  attached: { label: 'Attached', tone: 'ok' },
  'in-use': {
    label: 'In use',
    tone: 'busy',
  },
  ejecting: { label: 'Ejecting…', tone: 'progress' },
  'safe-to-unplug': {
    label: 'Safe to unplug',
    tone: 'safe',
  },
  unplugged: { label: 'Unplugged', tone: 'neutral' },
  'fell-off-bus': {
    label: 'Fell off the bus',
    tone: 'danger',
  },
  'surprise-removed': {
    label: 'Unplugged while in use',
    tone: 'danger',
  },
  stuck: {
    label: 'Stuck',
    tone: 'danger',
  },
} as const satisfies Record<GpuLifecycle, StateLabel>;

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

/** A step still waiting when its run has ended: it never ran, and will not. */
export const NOT_RUN_LABEL = 'Not run';

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

/** The incidents' collapsed row (a <details> id): "What happened?" opens it. */
export const INCIDENTS_FOLD = 'incidents-fold';
