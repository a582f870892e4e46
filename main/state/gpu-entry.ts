// One GPU as the state machine keeps it: the public entry (GpuEntry, what every face reads) plus
// what only the machine needs — when cable evidence last came, every PCI address that belongs to
// the GPU (its functions and the bridges above it), and who used it when it left the bus.

import type { ClientInfo } from '../common/clients-model.js';
import type { GpuInfo } from '../common/inventory-model.js';
import { isBdf } from '../common/pci.js';
import type { GpuEntry, GpuLifecycle } from '../common/snapshot.js';

export type Entry = {
  -readonly [K in keyof GpuEntry]: GpuEntry[K];
} & {
  lastPhysicalAt: number | null;
  footprint: Set<string>;
  /** Who used it when it left the bus: named in the incident (they may have crashed). */
  lostClients: readonly ClientInfo[] | null;
  /**
   * This core runs the eject now (its 'eject started' fact came, its result has not): the GPU
   * leaving the bus is then a step of it, and "safe to unplug" waits for the last step.
   */
  ownEject: boolean;
  /** The cable went while that eject was still finishing: its end is "unplugged", not "safe". */
  cableGoneDuringEject: boolean;
  /**
   * When it last left the PCI bus with nothing to explain it yet (no eject, no cable evidence):
   * cable evidence soon after makes that a surprise removal. Cable evidence about a GPU that was
   * not on the bus (an enclosure plugged in and out again) never does.
   */
  unexplainedRemovalAt: number | null;
};

/** States in which the GPU is on the bus. */
export const PRESENT_STATES: ReadonlySet<GpuLifecycle> = new Set([
  'attached',
  'in-use',
  'ejecting',
  'fell-off-bus',
  'stuck',
]);

/** The GPU's own addresses and every bridge on its path: kernel lines name any of them. */
export function footprintOf(info: GpuInfo): Set<string> {
  const set = new Set<string>([info.bdf, ...info.functions.map((f) => f.bdf)]);
  for (const part of info.sysfsPath.split('/')) if (isBdf(part)) set.add(part);
  return set;
}

/** Programs by pid, once each (a client scan lists a process once per node it holds). */
export function usersOf(clients: readonly ClientInfo[]): { pid: number; comm: string }[] {
  return [...new Map(clients.map((c) => [c.pid, { pid: c.pid, comm: c.comm }])).values()];
}

/** Who was using it: still listed, or remembered from before it left the bus. */
export function affectedBy(e: Entry): { pid: number; comm: string }[] {
  return usersOf((e.clients?.length ?? 0) > 0 ? (e.clients ?? []) : (e.lostClients ?? []));
}

/** What the faces see of an entry: GpuEntry, with who used it when it left (`lostUsers`). */
export function publicEntry(entry: Entry): GpuEntry {
  const {
    lastPhysicalAt: _l,
    footprint: _f,
    lostClients: lost,
    ownEject: _o,
    cableGoneDuringEject: _c,
    unexplainedRemovalAt: _u,
    ...e
  } = entry;
  return lost !== null && lost.length > 0 && !e.present
    ? { ...e, lostUsers: usersOf(lost) }
    : { ...e };
}
