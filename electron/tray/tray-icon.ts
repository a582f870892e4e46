// Pure: the tray icon state and tooltip for a snapshot. One icon for all eGPUs, the most urgent
// state wins. Icons live in assets/icons/tray/<state>.png (+ @2x, which Electron's nativeImage
// picks up by itself on HiDPI screens).

import type { GpuEntry, GpuLifecycle, Snapshot } from '../../main/common/snapshot.js';
import { PROBLEM_STATES } from '../../main/common/snapshot.js';
import { gpuWords } from '../../main/common/gpu-words.js';

export const TRAY_ICON_STATES = [
  'no-egpu',
  'attached',
  'in-use',
  'ejecting',
  'safe-to-unplug',
  'problem',
] as const;

export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

/** Most urgent first. */
const PRIORITY: readonly TrayIconState[] = [
  'problem',
  'ejecting',
  'safe-to-unplug',
  'in-use',
  'attached',
  'no-egpu',
];

function iconOf(state: GpuLifecycle): TrayIconState {
  switch (state) {
    case 'in-use':
      return 'in-use';
    case 'ejecting':
      return 'ejecting';
    case 'safe-to-unplug':
      return 'safe-to-unplug';
    // An enclosure waiting for authorization is plugged in: show it as there, the menu says more.
    case 'connected':
    case 'attached':
      return 'attached';
    case 'fell-off-bus':
    case 'surprise-removed':
    case 'stuck':
      return 'problem';
    case 'absent':
    case 'unplugged':
      return 'no-egpu';
  }
}

const hasCriticalIncident = (s: Snapshot, g: GpuEntry): boolean =>
  g.incident !== null && s.incidents.some((i) => i.id === g.incident && i.severity === 'critical');

/**
 * Only external GPUs set the icon, except that any GPU in trouble (a dGPU that fell off the bus
 * too) shows as a problem.
 */
export function trayIconState(snapshot: Snapshot | null): TrayIconState {
  if (snapshot === null) return 'no-egpu';
  const states = new Set<TrayIconState>();
  for (const g of snapshot.gpus) {
    if (PROBLEM_STATES.includes(g.state) || (g.present && hasCriticalIncident(snapshot, g))) {
      states.add('problem');
    } else if (g.external) {
      states.add(iconOf(g.state));
    }
  }
  return PRIORITY.find((p) => states.has(p)) ?? 'no-egpu';
}

/** The icon file for a state; `dir` is assets/icons/tray. */
export const trayIconFile = (dir: string, state: TrayIconState): string => `${dir}/${state}.png`;

/** Short words for a GPU's state, as the tray menu and tooltip show them (shared vocabulary). */
export function stateLabel(g: GpuEntry): string {
  return gpuWords(g).short;
}

/** The tooltip: one line per eGPU (StatusNotifier hosts show it on hover). */
export function trayTooltip(snapshot: Snapshot | null): string {
  const external = snapshot?.gpus.filter((g) => g.external) ?? [];
  if (external.length === 0) return 'eGPU Guard: no external GPU';
  return ['eGPU Guard', ...external.map((g) => `${g.name}: ${stateLabel(g)}`)].join('\n');
}
