// What each kernel event means for someone with an external GPU, and what to do about it.
// Shared by `egpu explain`, the live state machine and the UI so they all say the same thing.
// Sources: the code that prints each message (classify-rules.ts names it) for its meaning; kernel
// Documentation/gpu/drm-uapi.rst "Device Hot-Unplug" for hot-unplug behaviour;
// Documentation/PCI/pcieaer-howto.rst, Documentation/admin-guide/thunderbolt.rst.

import type { KernelEvent, KernelEventKind } from '../common/kernel-events.js';
import { adviceText, type Step } from './advice-steps.js';
import { parseRecoveryAction, xidInfo, type XidInfo, type XidNeeds } from './xid-catalogue.js';

/** How bad one event is on its own. */
export type EventLevel = 'critical' | 'warning' | 'info';

export type EventExplanation = {
  readonly title: string;
  readonly level: EventLevel;
  /** What it takes to get the device working again. */
  readonly needs: XidNeeds;
  /** Events with the same topic share one meaning (Xid 79 and "fallen off the bus"). */
  readonly topic: string;
  readonly meaning: string;
  readonly steps: readonly Step[];
  /** The steps as one paragraph. */
  readonly advice: string;
  /** Which finding heads an incident: higher is more telling. */
  readonly weight: number;
};

type Entry = Omit<EventExplanation, 'advice'>;

const entry = (e: Entry): EventExplanation => ({ ...e, advice: adviceText(e.steps) });

const DEVICE_LOST =
  'The computer can no longer reach the GPU over PCIe: the link went down or the card lost power. On an external GPU the cable, the enclosure’s power or the enclosure itself dropped the connection (or it was unplugged while in use).';

type Plain = Exclude<KernelEventKind, 'gpu-xid' | 'gpu-reset' | 'pcie-aer'>;

// prettier-ignore
const KINDS: Readonly<Record<Plain, EventExplanation>> = {
  'gpu-fell-off-bus': entry({
    title: 'GPU fell off the bus', level: 'critical', needs: 'reboot', topic: 'device-lost', weight: 100,
    meaning: DEVICE_LOST, steps: ['close-clients', 'check-link', 'reconnect'],
  }),
  'driver-remove-blocked': entry({
    title: 'Driver waiting for programs to let go', level: 'critical', needs: 'restart-app', topic: 'clients', weight: 80,
    meaning: 'The GPU was removed or unbound while programs still held it open. The NVIDIA driver then waits — forever if need be — until every program closes /dev/nvidia*, which can freeze the desktop or the eject.',
    steps: ['close-clients', 'eject-next-time'],
  }),
  'pci-config-dead': entry({
    title: 'Device not answering (config space dead)', level: 'critical', needs: 'reboot', topic: 'config-dead', weight: 90,
    meaning: 'Reads of the device’s PCI configuration space fail (all ones): the device is gone or powered off while the system still lists it. Typical after an eGPU drops off without a clean removal.',
    steps: ['reconnect', 'rescan', 'check-link'],
  }),
  'gpu-hang': entry({
    title: 'GPU hang', level: 'warning', needs: 'reset-gpu', topic: 'hang', weight: 60,
    meaning: 'The GPU (or its firmware) stopped finishing work in time, so the driver declared it hung. A single hang is often a program or driver bug; hangs together with link errors point at the connection.',
    steps: ['restart-app', 'update-driver'],
  }),
  'pcie-link-down': entry({
    title: 'PCIe link down', level: 'warning', needs: 'nothing', topic: 'link-down', weight: 50,
    meaning: 'A PCIe hot-plug port lost the link to the device behind it, or the card is no longer present: the enclosure was unplugged, lost power, or the link dropped.',
    steps: ['check-link-if-unplanned'],
  }),
  'power-state-stuck': entry({
    title: 'Device stuck in a low-power state', level: 'warning', needs: 'reset-gpu', topic: 'power', weight: 40,
    meaning: 'The device did not wake from its low-power state (D3) when asked. Common on Thunderbolt ports and enclosures with runtime power management.',
    steps: ['reconnect', 'runtime-pm'],
  }),
  'display-engine-error': entry({
    title: 'Display engine error', level: 'warning', needs: 'restart-app', topic: 'display', weight: 30,
    meaning: 'The GPU’s display part did not finish a screen update (flip or modeset) in time. Screens may freeze or go black while the rest of the system works.',
    steps: ['restart-display'],
  }),
  'tb-disconnected': entry({
    title: 'Thunderbolt device disconnected', level: 'info', needs: 'nothing', topic: 'tb-disconnected', weight: 8,
    meaning: 'A Thunderbolt/USB4 device was disconnected: unplugged, or dropped by a bad cable or lost power.',
    steps: ['check-link-if-unplanned'],
  }),
  'tb-connected': entry({
    title: 'Thunderbolt device connected', level: 'info', needs: 'nothing', topic: 'tb-connected', weight: 5,
    meaning: 'A Thunderbolt/USB4 device (an enclosure or a dock) was connected.',
    steps: ['check-authorized'],
  }),
};

// prettier-ignore
const AER: Readonly<Record<'fatal' | 'nonfatal' | 'corrected', EventExplanation>> = {
  fatal: entry({
    title: 'PCIe fatal error', level: 'critical', needs: 'reset-gpu', topic: 'aer-fatal', weight: 70,
    meaning: 'A fatal PCIe error: the link or the device is unreliable and was reset; devices behind it may be lost.',
    steps: ['check-link', 'reconnect'],
  }),
  nonfatal: entry({
    title: 'PCIe uncorrected error', level: 'warning', needs: 'nothing', topic: 'aer-nonfatal', weight: 35,
    meaning: 'A PCIe transaction failed and was not corrected; the driver tried to recover. Repeated, it means a weak link.',
    steps: ['check-link'],
  }),
  corrected: entry({
    title: 'PCIe corrected error', level: 'info', needs: 'nothing', topic: 'aer-corrected', weight: 10,
    meaning: 'The PCIe link corrected a transmission error by itself (it resent a packet). Harmless now and then; many in a row on a Thunderbolt link mean a marginal cable or connection.',
    steps: ['check-link-if-repeats'],
  }),
};

// prettier-ignore
const RESET: Readonly<Record<'begin' | 'success' | 'failure', EventExplanation>> = {
  failure: entry({
    title: 'GPU reset failed', level: 'critical', needs: 'reboot', topic: 'reset-failed', weight: 85,
    meaning: 'The driver tried to reset the GPU and failed (error -19 means the device is gone). The GPU is unusable until it is reconnected or the computer restarts.',
    steps: ['reboot-now', 'check-link'],
  }),
  success: entry({
    title: 'GPU reset succeeded', level: 'info', needs: 'nothing', topic: 'reset-ok', weight: 15,
    meaning: 'The driver reset the GPU and it works again; programs that were drawing may have lost their state.',
    steps: ['restart-app'],
  }),
  begin: entry({
    title: 'GPU reset started', level: 'warning', needs: 'nothing', topic: 'reset-begin', weight: 20,
    meaning: 'The driver started resetting the GPU (or one of its engines) to recover from a hang.',
    steps: ['wait-reset'],
  }),
};

const XID_LEVEL: Readonly<Record<XidInfo['class'], EventLevel>> = {
  'device-lost': 'critical',
  link: 'warning',
  hang: 'warning',
  firmware: 'warning',
  hardware: 'warning',
  app: 'info',
  info: 'info',
};
const XID_WEIGHT: Readonly<Record<XidInfo['class'], number>> = {
  'device-lost': 100,
  link: 55,
  hang: 60,
  firmware: 65,
  hardware: 45,
  app: 25,
  info: 12,
};

function explainXid(xid: number, text: string): EventExplanation {
  const info = xidInfo(xid);
  const action = xid === 154 ? parseRecoveryAction(text) : null;
  if (action !== null) {
    const steps: Step[] =
      action.needs === 'reboot'
        ? ['reboot-now']
        : action.needs === 'reset-gpu'
          ? ['reset-gpu']
          : ['look-around'];
    const level: EventLevel =
      action.needs === 'reboot' ? 'critical' : action.needs === 'reset-gpu' ? 'warning' : 'info';
    return entry({
      title: `Xid 154: recovery action "${action.name}"`,
      level,
      needs: action.needs,
      topic: 'xid-154',
      weight: action.needs === 'reboot' ? 95 : 30,
      meaning: `${info.meaning} It says: ${action.name}.`,
      steps,
    });
  }
  return entry({
    title: `Xid ${xid}: ${info.title}`,
    level: XID_LEVEL[info.class],
    needs: info.needs,
    topic: info.class === 'device-lost' ? 'device-lost' : `xid-${xid}`,
    weight: XID_WEIGHT[info.class],
    meaning: info.meaning,
    steps: info.steps,
  });
}

/** Title, level, meaning and steps for one event, Xid details and recovery actions included. */
export function explainEvent(e: KernelEvent): EventExplanation {
  if (e.xid !== undefined && (e.kind === 'gpu-xid' || e.kind === 'gpu-fell-off-bus')) {
    return explainXid(e.xid, e.text);
  }
  if (e.kind === 'pcie-aer') return AER[e.severity ?? 'corrected'];
  if (e.kind === 'gpu-reset') return RESET[e.outcome ?? 'begin'];
  if (e.kind === 'gpu-xid') return explainXid(0, e.text); // an Xid event always has its number
  return KINDS[e.kind];
}
