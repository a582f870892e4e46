// The live picture eGPU Guard keeps: one lifecycle per GPU, incidents with their evidence, and
// the health of every event source. Plain JSON-safe data, shared by the CLI, the UI and tests.

import type { ClientInfo } from './clients-model.js';
import type { GpuInfo, ThunderboltDomain, ThunderboltRouter } from './inventory-model.js';
import type { KernelEvent } from './kernel-events.js';

export const GPU_STATES = [
  'absent',
  'connected',
  'attached',
  'in-use',
  'ejecting',
  'safe-to-unplug',
  'unplugged',
  'fell-off-bus',
  'surprise-removed',
  'stuck',
] as const;

export type GpuLifecycle = (typeof GPU_STATES)[number];

/** States that mean trouble: the UI and the tray show them as problems. */
export const PROBLEM_STATES: readonly GpuLifecycle[] = [
  'fell-off-bus',
  'surprise-removed',
  'stuck',
];

export type EvidenceSource = 'udev' | 'kernel' | 'bolt' | 'sysfs' | 'logind' | 'action' | 'clients';

export type Evidence = {
  readonly at: number;
  readonly source: EvidenceSource;
  readonly text: string;
  readonly kernel?: KernelEvent;
};

export type IncidentKind =
  'surprise-removal' | 'fell-off-bus' | 'driver-stuck' | 'wedged' | 'kernel-trouble';

export type Severity = 'info' | 'warning' | 'critical';

export type Incident = {
  readonly id: string;
  /** The GPU (bdf) it is about; null when the evidence names none we know. */
  readonly gpu: string | null;
  readonly gpuName: string | null;
  readonly kind: IncidentKind;
  readonly severity: Severity;
  readonly title: string;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly evidence: readonly Evidence[];
  /** What it means and what to do next, in the words `egpu explain` uses. */
  readonly meaning: readonly string[];
  readonly nextSteps: readonly string[];
  /**
   * Who was using the GPU when it went (surprise unplug, fall off the bus): those programs may
   * have crashed and need a restart once it is back. Absent when nobody was, or not known.
   */
  readonly affected?: readonly { readonly pid: number; readonly comm: string }[];
  /** When it ended: the GPU came back, or was ejected. Absent while it is open. */
  readonly resolvedAt?: number;
  /** How it ended, in words ("NVIDIA GeForce RTX 3070 is back on the bus"). */
  readonly outcome?: string;
};

/**
 * How a GPU left the bus, kept until it is back: the same "unplugged" means a finished story after a
 * safe eject and a possible crash after a surprise unplug, and every face words them apart.
 * `safe-eject`: eGPU Guard (or `egpu eject`) removed it; cable evidence that follows is expected.
 * `surprise`: it went without an eject (cable pulled, link lost, removed by someone else).
 * `fell-off-bus`: it stopped answering and was then taken off the bus (by pciehp, or by Recover's
 * remove step); its enclosure may still be connected, but only a reconnect can bring it back.
 */
export type Departure = 'safe-eject' | 'surprise' | 'fell-off-bus';

export type GpuEntry = {
  readonly bdf: string;
  readonly name: string;
  readonly vendorId: string;
  readonly deviceId: string;
  readonly external: boolean;
  readonly enclosure: {
    readonly name: string;
    readonly router: string;
    readonly uniqueId: string;
  } | null;
  readonly state: GpuLifecycle;
  readonly since: number;
  /** In sysfs right now. */
  readonly present: boolean;
  /** The last inventory of it (kept after it is gone, for names and paths). */
  readonly info: GpuInfo | null;
  /** The last client scan of it; null when not scanned yet. */
  readonly clients: readonly ClientInfo[] | null;
  readonly clientsAt: number | null;
  /** The open incident about it, if any. */
  readonly incident: string | null;
  /** How it left the bus; null while present or never seen leaving. */
  readonly departure: Departure | null;
  /**
   * After an eject: what must happen before the unplug (a drive on the same Thunderbolt tunnel
   * stays connected and must be ejected first). Absent or empty: nothing, unplug at will.
   */
  readonly unplugWarnings?: readonly string[];
  /**
   * Gone without an eject: who was using it when it left (they may have crashed). Absent when
   * nobody was, or while it is on the bus (then `clients` says who uses it).
   */
  readonly lostUsers?: readonly { readonly pid: number; readonly comm: string }[];
  /**
   * Off the bus, and its Thunderbolt enclosure is not connected either (no router with its
   * unique_id): nothing can bring it back before it is plugged in again, so nothing offers to.
   * Absent when that cannot be known (no Thunderbolt here, an enclosure without a unique_id).
   */
  readonly enclosureGone?: true;
};

/**
 * A Thunderbolt device waiting for authorization. `known`: an enclosure this machine has seen
 * carry a GPU, or one bolt has stored — Recover authorizes it. Otherwise it is new: its name is
 * whatever the device says about itself, so only the window's "Authorize this device", with the
 * unique_id shown, lets it in (never the tray's one click or a notification).
 */
export type PendingDevice = ThunderboltRouter & { readonly known: boolean };

export type SourceHealth = {
  readonly name: string;
  readonly state: string;
  readonly detail: string;
  readonly via?: string;
};

export type Snapshot = {
  readonly gpus: readonly GpuEntry[];
  readonly incidents: readonly Incident[];
  readonly thunderbolt: readonly ThunderboltDomain[];
  /** Thunderbolt devices connected but not authorized: nothing behind them is usable yet. */
  readonly pendingDevices: readonly PendingDevice[];
  readonly sources: readonly SourceHealth[];
  /** logind PrepareForSleep(true) seen and not yet ended. */
  readonly preparingForSleep: boolean;
  readonly updatedAt: number;
  /**
   * The user the core runs as: the apps it can close are that user's (any, as root). Absent where
   * not known; the window then offers Close and shows the refusal if there is one.
   */
  readonly uid?: number;
};

export type Transition = {
  readonly at: number;
  readonly gpu: string;
  readonly name: string;
  readonly from: GpuLifecycle | null;
  readonly to: GpuLifecycle;
  readonly evidence: readonly Evidence[];
};

/**
 * A one-off notice that is not a state: the machine is about to sleep with an eGPU in use, or one
 * of the user's hooks (docs/hooks.md) failed or ran out of time on an event of this GPU.
 */
export type Notice = {
  readonly at: number;
  readonly kind: 'sleep-with-egpu' | 'hook-failed';
  readonly gpu: string;
  readonly name: string;
  readonly text: string;
};
