// How a GPU leaves the bus, and what that means: a step of this core's own eject (safe to unplug
// once the eject has finished), an eject another process ran (known by its intent file), a cable
// pulled (a surprise, also when the removal came first and the cable evidence a moment later), a
// dead GPU taken off the bus (still the story it fell off the bus with), and the cable going after
// a safe eject (the end of the story the user chose, whatever order the evidence comes in).
// Pure, like the rest of the state machine: entries and facts in, transitions and incidents out
// through the context.

import type { Evidence, GpuLifecycle } from '../common/snapshot.js';
import type { Fact } from './facts.js';
import { PRESENT_STATES, type Entry } from './gpu-entry.js';
import type { IncidentBook } from './incident-book.js';

/** Physical-unplug evidence this recent turns a PCI removal into a surprise removal. */
export const PHYSICAL_WINDOW_MS = 5_000;

/** What the state machine lends the departure rules. */
export type DepartureContext = {
  set(e: Entry, to: GpuLifecycle, at: number, evidence: readonly Evidence[]): void;
  readonly book: IncidentBook;
  /** 'in-use' or 'attached', from who holds it now. */
  busyState(e: Entry): GpuLifecycle;
};

/** The GPU left the PCI bus (udev remove, or sysfs no longer lists it): what kind of leaving. */
export function pciRemoved(
  ctx: DepartureContext,
  e: Entry | undefined,
  at: number,
  ev: Evidence,
  ejecting: boolean,
  cardPresent: boolean | null,
): void {
  if (e === undefined || !e.present) return;
  e.present = false;
  if ((e.clients?.length ?? 0) > 0) e.lostClients = e.clients;
  e.clients = null;
  const physical =
    cardPresent === false ||
    (e.lastPhysicalAt !== null && at - e.lastPhysicalAt <= PHYSICAL_WINDOW_MS);
  e.departure = 'surprise';
  if (e.state === 'surprise-removed') {
    ctx.book.record(e, 'surprise-removal', [ev], at);
  } else if (e.state === 'fell-off-bus') {
    // The dead device was taken off the bus (pciehp, a recovery's remove, the cable): it is
    // gone now, and the incident stays the one it fell off the bus with.
    e.departure = 'fell-off-bus';
    ctx.set(e, 'unplugged', at, [ev]);
    ctx.book.record(e, 'fell-off-bus', [ev], at);
  } else if (physical) {
    ctx.set(e, 'surprise-removed', at, [ev]);
    ctx.book.record(e, 'surprise-removal', [ev], at);
  } else if (ejecting || e.state === 'ejecting') {
    e.departure = 'safe-eject';
    // An eject removes the GPU only once nothing holds it (the apps were closed first): the last
    // client scan, taken before that, names no one who lost anything.
    e.lostClients = null;
    // This core's own eject goes on after the removal (unload the driver, drop the tunnel):
    // "safe to unplug" comes with its result, never while a step still runs. An eject run by
    // another process is known only by its intent file: its removal is all this core sees.
    if (!(e.state === 'ejecting' && e.ownEject)) ctx.set(e, 'safe-to-unplug', at, [ev]);
  } else if (e.state === 'stuck') {
    // The stuck device was cleaned up (pciehp or a manual remove): it is gone now.
    ctx.set(e, 'unplugged', at, [ev]);
    ctx.book.record(e, 'driver-stuck', [ev], at);
  } else {
    // Removed through sysfs by someone else, or the unplug evidence is still on its way.
    e.unexplainedRemovalAt = at;
    ctx.set(e, 'unplugged', at, [ev]);
  }
}

/**
 * Cable-level evidence. `pcieOnly`: pciehp link down / card not present — which also follows our
 * own tunnel drop at the end of an eject, so for a Thunderbolt enclosure only router-level
 * evidence (disconnect, router removed) means the cable went after safe-to-unplug.
 */
export function physicalEvidence(
  ctx: DepartureContext,
  entries: readonly Entry[],
  at: number,
  ev: Evidence,
  pcieOnly = false,
): void {
  for (const e of entries) {
    if (!e.present && e.departure === 'safe-eject') {
      // The end of the story the user finished: the cable goes after a safe eject. The first
      // piece of cable evidence moves "safe to unplug" to "unplugged"; the rest (pciehp, the
      // Thunderbolt disconnect, udev removes of the enclosure — in any order) is expected, never
      // a surprise. pciehp alone also follows our own tunnel drop, so for a Thunderbolt
      // enclosure it does not mean the cable went.
      const ownTunnelDrop = pcieOnly && e.enclosure !== null;
      if (e.state === 'safe-to-unplug' && !ownTunnelDrop) ctx.set(e, 'unplugged', at, [ev]);
      else if (e.state === 'ejecting' && !ownTunnelDrop) e.cableGoneDuringEject = true;
      continue;
    }
    if (pcieOnly && e.state === 'safe-to-unplug' && e.enclosure !== null) continue;
    e.lastPhysicalAt = at;
    if (e.state === 'safe-to-unplug' || e.state === 'absent' || e.state === 'connected') {
      ctx.set(e, 'unplugged', at, [ev]);
    } else if (
      e.state === 'unplugged' &&
      e.unexplainedRemovalAt !== null &&
      at - e.unexplainedRemovalAt <= PHYSICAL_WINDOW_MS &&
      !ctx.book.hasOpen(e, at)
    ) {
      // The removal came first and the cable evidence second: it was a surprise after all.
      ctx.set(e, 'surprise-removed', at, [ev]);
      ctx.book.record(e, 'surprise-removal', [ev], at);
    } else if (e.state === 'fell-off-bus') {
      // Already dead on the bus: link and slot evidence now is its cleanup (a recovery removes
      // the enclosure's bridges) or the cable going after it. The story stays "it fell off the
      // bus", never "unplugged while in use" — nobody pulled a working GPU.
      ctx.book.record(e, 'fell-off-bus', [ev], at);
    } else if (PRESENT_STATES.has(e.state) || e.state === 'surprise-removed') {
      ctx.set(e, 'surprise-removed', at, [ev]);
      ctx.book.record(e, 'surprise-removal', [ev], at);
    }
  }
}

/** This core's eject started or finished: the lifecycle follows it. */
export function ejectFact(
  ctx: DepartureContext,
  e: Entry | undefined,
  fact: Extract<Fact, { type: 'eject' }>,
): void {
  if (e === undefined) return;
  const ev: Evidence = {
    at: fact.at,
    source: 'action',
    text: fact.phase === 'started' ? 'eject started' : `eject ${fact.result}: ${fact.detail}`,
  };
  if (fact.phase === 'started') {
    if (e.present) {
      e.ownEject = true;
      e.cableGoneDuringEject = false;
      ctx.set(e, 'ejecting', fact.at, [ev]);
    }
    return;
  }
  const cableGone = e.cableGoneDuringEject;
  e.ownEject = false;
  e.cableGoneDuringEject = false;
  switch (fact.result) {
    case 'safe-to-unplug':
      if (fact.unplugWarnings !== undefined && fact.unplugWarnings.length > 0)
        e.unplugWarnings = fact.unplugWarnings;
      if (e.state === 'ejecting' || e.state === 'unplugged') {
        e.departure = 'safe-eject';
        ctx.set(e, cableGone ? 'unplugged' : 'safe-to-unplug', fact.at, [ev]);
        ctx.book.resolve(e, fact.at, `${e.name} was ejected safely`);
      }
      return;
    case 'stuck':
      ctx.set(e, 'stuck', fact.at, [ev]);
      ctx.book.record(e, 'driver-stuck', [ev], fact.at);
      return;
    case 'failed':
    case 'blocked':
    case 'cancelled':
      // Removed before it failed (a later step, such as dropping the tunnel, went wrong): the
      // GPU is off the bus all the same, as the result says.
      if (e.state === 'ejecting')
        ctx.set(
          e,
          e.present
            ? ctx.busyState(e)
            : e.departure === 'safe-eject' && !cableGone
              ? 'safe-to-unplug'
              : 'unplugged',
          fact.at,
          [ev],
        );
      return;
  }
}
