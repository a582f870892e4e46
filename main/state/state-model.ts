// The state machine: one lifecycle per GPU, fed with facts, producing transitions, incidents and
// notices. Pure and deterministic (time comes with each fact), so every scenario is a unit test.
//
//   absent → connected (Thunderbolt device present, not authorized) → attached → in-use
//          → ejecting → safe-to-unplug → unplugged
//   failures: fell-off-bus (config space dead), surprise-removed (gone without an eject),
//             stuck (driver remove blocked).

import type { ClientInfo } from '../common/clients-model.js';
import type { GpuInfo, Inventory, ThunderboltRouter } from '../common/inventory-model.js';
import type {
  Evidence,
  GpuEntry,
  GpuLifecycle,
  Incident,
  Notice,
  Snapshot,
  SourceHealth,
  Transition,
} from '../common/snapshot.js';
import { byFootprint, byRouter, subjectsOf } from './attribution.js';
import type { Fact, KnownGpu } from './facts.js';
import {
  ejectFact,
  physicalEvidence,
  pciRemoved,
  PHYSICAL_WINDOW_MS,
  type DepartureContext,
} from './departures.js';
import { footprintOf, PRESENT_STATES, publicEntry, type Entry } from './gpu-entry.js';
import { IncidentBook } from './incident-book.js';

/** How long a GPU may stay listed in sysfs after its cable went, before a link flap is assumed. */
export const LINGER_MS = 10_000;
export { PHYSICAL_WINDOW_MS };

export type Output = {
  readonly transitions: readonly Transition[];
  readonly incidents: readonly Incident[];
  readonly notices: readonly Notice[];
};

export class StateModel {
  #entries = new Map<string, Entry>();
  readonly #book = new IncidentBook((i) => this.#out.incidents.set(i.id, i));
  #thunderbolt: Inventory['thunderbolt'] = [];
  #trustedEnclosures: ReadonlySet<string> = new Set();
  #sources = new Map<string, SourceHealth>();
  #sleeping = false;
  #updatedAt = 0;
  readonly #departures: DepartureContext = {
    set: (e, to, at, evidence) => this.#set(e, to, at, evidence),
    book: this.#book,
    busyState: (e) => this.#busyState(e),
  };
  #out: { transitions: Transition[]; incidents: Map<string, Incident>; notices: Notice[] } = {
    transitions: [],
    incidents: new Map(),
    notices: [],
  };

  apply(fact: Fact): Output {
    this.#updatedAt = Math.max(this.#updatedAt, fact.at);
    switch (fact.type) {
      case 'known':
        for (const k of fact.gpus) this.#remember(k, fact.at);
        break;
      case 'inventory':
        this.#reconcile(fact.inventory, fact.at);
        break;
      case 'pci-removed':
        pciRemoved(
          this.#departures,
          this.#entries.get(fact.bdf),
          fact.at,
          fact.evidence,
          fact.ejecting,
          fact.cardPresent,
        );
        if (fact.ejecting && (fact.unplugWarnings?.length ?? 0) > 0) {
          const e = this.#entries.get(fact.bdf);
          if (e?.state === 'safe-to-unplug') e.unplugWarnings = fact.unplugWarnings;
        }
        break;
      case 'pci-unbound':
        break; // progress of a removal; the remove (or the next inventory) decides
      case 'kernel':
        this.#kernel(fact);
        break;
      case 'tb-router':
        this.#tbRouter(fact);
        break;
      case 'drm-wedged': {
        const e = fact.bdf === null ? undefined : byFootprint(this.#entries.values(), fact.bdf)[0];
        this.#book.record(e ?? null, 'wedged', [fact.evidence], fact.at);
        break;
      }
      case 'clients':
        this.#clients(fact.report.clients, fact.at);
        break;
      case 'eject':
        ejectFact(this.#departures, this.#entries.get(fact.bdf), fact);
        break;
      case 'ejected-before':
        this.#ejectedBefore(fact);
        break;
      case 'sleep':
        this.#sleep(fact.start, fact.at);
        break;
      case 'source':
        this.#sources.set(fact.name, {
          name: fact.name,
          state: fact.state,
          detail: fact.detail,
          ...(fact.via === undefined ? {} : { via: fact.via }),
        });
        break;
    }
    const out = {
      transitions: this.#out.transitions,
      incidents: [...this.#out.incidents.values()],
      notices: this.#out.notices,
    };
    this.#out = { transitions: [], incidents: new Map(), notices: [] };
    return out;
  }

  snapshot(): Snapshot {
    const routers = this.#thunderbolt.flatMap((d) => d.routers);
    const connected = new Set(routers.map((r) => r.uniqueId));
    const gpus: GpuEntry[] = [...this.#entries.values()]
      .map((e) => {
        const g = publicEntry(e);
        const uid = g.enclosure?.uniqueId;
        // Known only where a Thunderbolt domain is listed at all.
        return !g.present &&
          uid !== undefined &&
          this.#thunderbolt.length > 0 &&
          !connected.has(uid)
          ? { ...g, enclosureGone: true as const }
          : g;
      })
      .sort((a, b) => Number(b.external) - Number(a.external) || (a.bdf < b.bdf ? -1 : 1));
    // Enclosures whose GPU eGPU Guard released: their tunnel was dropped on purpose, so they are
    // ready to unplug — not devices waiting for authorization.
    const released = new Set(
      gpus
        .filter((g) => !g.present && g.departure === 'safe-eject' && g.enclosure !== null)
        .map((g) => g.enclosure?.uniqueId),
    );
    return {
      gpus,
      incidents: this.#book.list(),
      thunderbolt: this.#thunderbolt,
      pendingDevices: routers
        .filter(
          (r: ThunderboltRouter) =>
            !r.host && r.authorized === 0 && (r.uniqueId === null || !released.has(r.uniqueId)),
        )
        .map((r) => ({ ...r, known: this.#isKnownEnclosure(r.uniqueId, gpus) })),
      sources: [...this.#sources.values()],
      preparingForSleep: this.#sleeping,
      updatedAt: this.#updatedAt,
    };
  }

  /** unique_ids Recover may authorize (remembered enclosures, bolt's stored devices): the core's. */
  setTrustedEnclosures(uniqueIds: Iterable<string>): void {
    this.#trustedEnclosures = new Set(uniqueIds);
  }

  #isKnownEnclosure(uniqueId: string | null, gpus: readonly GpuEntry[]): boolean {
    if (uniqueId === null || uniqueId === '') return false;
    return (
      this.#trustedEnclosures.has(uniqueId) || gpus.some((g) => g.enclosure?.uniqueId === uniqueId)
    );
  }

  entry(bdf: string): GpuEntry | undefined {
    return this.#entries.get(bdf);
  }

  // ── transitions ──────────────────────────────────────────────────────────────────────────

  #set(e: Entry, to: GpuLifecycle, at: number, evidence: readonly Evidence[]): void {
    if (e.state === to) return;
    const from = e.state;
    e.state = to;
    e.since = at;
    this.#out.transitions.push({ at, gpu: e.bdf, name: e.name, from, to, evidence });
  }

  // ── facts ────────────────────────────────────────────────────────────────────────────────

  #remember(k: KnownGpu, at: number): void {
    if (this.#entries.has(k.bdf)) return;
    this.#entries.set(k.bdf, {
      bdf: k.bdf,
      name: k.name,
      vendorId: k.vendorId,
      deviceId: k.deviceId,
      external: true,
      enclosure: k.enclosure,
      state: 'absent',
      since: at,
      present: false,
      info: null,
      clients: null,
      clientsAt: null,
      incident: null,
      departure: null,
      lastPhysicalAt: null,
      lostClients: null,
      ownEject: false,
      cableGoneDuringEject: false,
      unexplainedRemovalAt: null,
      footprint: new Set([k.bdf, ...(k.footprint ?? [])]),
    });
  }

  /** The entry a freshly seen GPU continues: same address, or the same card back at a new one. */
  #matchEntry(g: GpuInfo): Entry | undefined {
    const same = this.#entries.get(g.bdf);
    if (same !== undefined) return same;
    return [...this.#entries.values()].find(
      (e) =>
        !e.present &&
        e.vendorId === g.vendorId &&
        e.deviceId === g.deviceId &&
        (e.enclosure === null ||
          g.enclosure === null ||
          e.enclosure.uniqueId === g.enclosure.uniqueId),
    );
  }

  #reconcile(inv: Inventory, at: number): void {
    this.#thunderbolt = inv.thunderbolt;
    const seen = new Set<string>();
    for (const g of inv.gpus) {
      seen.add(g.bdf);
      let e = this.#matchEntry(g);
      const sysfs: Evidence = {
        at,
        source: 'sysfs',
        text: `${g.bdf} present (driver ${g.driver ?? 'none'}, health ${g.health})`,
      };
      if (e !== undefined && e.bdf !== g.bdf) {
        this.#entries.delete(e.bdf);
        e.bdf = g.bdf;
      }
      if (e === undefined) {
        e = {
          bdf: g.bdf,
          name: g.name,
          vendorId: g.vendorId,
          deviceId: g.deviceId,
          external: g.external,
          enclosure: g.enclosure,
          state: 'attached',
          since: at,
          present: true,
          info: g,
          clients: null,
          clientsAt: null,
          incident: null,
          departure: null,
          lastPhysicalAt: null,
          lostClients: null,
          ownEject: false,
          cableGoneDuringEject: false,
          unexplainedRemovalAt: null,
          footprint: footprintOf(g),
        };
        this.#entries.set(g.bdf, e);
        this.#out.transitions.push({
          at,
          gpu: g.bdf,
          name: g.name,
          from: null,
          to: 'attached',
          evidence: [sysfs],
        });
      } else {
        const wasPresent = e.present;
        Object.assign(e, {
          name: g.name,
          external: g.external,
          info: g,
          present: true,
          footprint: footprintOf(g),
        });
        if (g.enclosure) e.enclosure = g.enclosure;
        if (!wasPresent) {
          e.departure = null;
          delete e.unplugWarnings;
          e.lostClients = null;
        }
        // After a cable pull the functions linger in sysfs until pciehp has torn them down
        // (longer while NVIDIA waits for clients): still being listed is not being back.
        const tearingDown =
          wasPresent && e.lastPhysicalAt !== null && at - e.lastPhysicalAt <= LINGER_MS;
        if (tearingDown) {
          // keep the surprise-removed (or stuck) state until sysfs catches up
        } else if (!wasPresent || !PRESENT_STATES.has(e.state)) {
          // Back on the bus: cable evidence from before it came back says nothing about it now.
          e.lastPhysicalAt = null;
          this.#set(e, this.#busyState(e), at, [sysfs]);
          if (g.health === 'ok') this.#book.resolve(e, at, `${e.name} is back on the bus`);
        } else if (e.state === 'fell-off-bus' && g.health === 'ok') {
          this.#set(e, this.#busyState(e), at, [sysfs]);
          this.#book.resolve(e, at, `${e.name} answers on the bus again`);
        }
      }
      this.#entries.set(g.bdf, e);
      if (
        g.health === 'unreachable' &&
        e.state !== 'fell-off-bus' &&
        e.state !== 'surprise-removed'
      ) {
        const dead: Evidence = { at, source: 'sysfs', text: `${g.bdf}: ${g.healthReason}` };
        this.#set(e, 'fell-off-bus', at, [dead]);
        this.#book.record(e, 'fell-off-bus', [dead], at);
      }
    }
    for (const e of this.#entries.values()) {
      if (e.present && !seen.has(e.bdf)) {
        // Gone without a udev event reaching us (missed while udevadm restarted): same as a remove.
        pciRemoved(
          this.#departures,
          e,
          at,
          { at, source: 'sysfs', text: `${e.bdf} no longer in sysfs` },
          false,
          null,
        );
      }
    }
    this.#matchRouters(at);
  }

  /** Absent or unplugged eGPUs whose enclosure is plugged in again: connected (not yet usable). */
  #matchRouters(at: number): void {
    const routers = this.#thunderbolt.flatMap((d) => d.routers).filter((r) => !r.host);
    for (const e of this.#entries.values()) {
      if (e.present || e.enclosure === null) continue;
      const r = routers.find((x) => x.uniqueId === e.enclosure?.uniqueId);
      if (r === undefined) {
        if (e.state === 'connected' || e.state === 'safe-to-unplug') {
          this.#set(e, e.state === 'connected' ? 'absent' : 'unplugged', at, [
            { at, source: 'sysfs', text: `Thunderbolt device ${e.enclosure.router} gone` },
          ]);
        }
        continue;
      }
      // A router still listed, de-authorized, after a safe eject is the tunnel we dropped ourselves
      // (or one lingering until the cable goes): ready to unplug, not a device waiting for the user.
      // A real re-plug comes as a Thunderbolt "add" (tb-router fact) and still shows "connected".
      if (e.departure === 'safe-eject' && r.authorized === 0) continue;
      // A GPU that died behind a still-connected enclosure is not "connected, not usable yet":
      // Recover cannot help until the enclosure is reconnected (a new Thunderbolt add).
      if (e.departure === 'fell-off-bus') continue;
      if (e.state === 'absent' || e.state === 'unplugged' || e.state === 'surprise-removed') {
        const auth = r.authorized === 0 ? 'not authorized' : 'authorized, GPU not enumerated yet';
        this.#set(e, 'connected', at, [
          {
            at,
            source: 'sysfs',
            text: `Thunderbolt device ${r.router} (${r.deviceName ?? '?'}) connected, ${auth}`,
          },
        ]);
      }
    }
  }

  /**
   * A safe eject from before this core: the enclosure waits to be unplugged (or already was),
   * and the unplug is the end of that story — not a GPU that vanished, nor one to recover.
   */
  #ejectedBefore(fact: Extract<Fact, { type: 'ejected-before' }>): void {
    const e = this.#entries.get(fact.bdf);
    if (e === undefined || e.present) return;
    e.departure = 'safe-eject';
    if (fact.unplugWarnings.length > 0) e.unplugWarnings = fact.unplugWarnings;
    this.#set(e, fact.enclosureConnected ? 'safe-to-unplug' : 'unplugged', fact.at, [
      { at: fact.ejectedAt, source: 'action', text: 'ejected safely before eGPU Guard started' },
    ]);
  }

  #busyState(e: Entry): GpuLifecycle {
    return e.clients !== null && e.clients.length > 0 ? 'in-use' : 'attached';
  }

  #kernel(fact: Extract<Fact, { type: 'kernel' }>): void {
    const { event: k, at, evidence: ev } = fact;
    const subjects = subjectsOf([...this.#entries.values()], k);
    switch (k.kind) {
      case 'pcie-link-down':
      case 'tb-disconnected':
        if (subjects.length > 0)
          physicalEvidence(this.#departures, subjects, at, ev, k.kind === 'pcie-link-down');
        else this.#book.record(null, 'kernel-trouble', [ev], at);
        return;
      case 'tb-connected':
        for (const e of subjects) {
          if (!e.present && e.state !== 'connected') this.#set(e, 'connected', at, [ev]);
        }
        return;
      case 'gpu-fell-off-bus':
        for (const e of subjects) {
          if (!e.present && e.departure === 'safe-eject') continue; // released before the cable went
          const recentUnplug =
            e.lastPhysicalAt !== null && at - e.lastPhysicalAt <= PHYSICAL_WINDOW_MS;
          if (recentUnplug || e.state === 'surprise-removed')
            this.#book.record(e, 'surprise-removal', [ev], at);
          else {
            if (e.present) this.#set(e, 'fell-off-bus', at, [ev]);
            this.#book.record(e, 'fell-off-bus', [ev], at);
          }
        }
        if (subjects.length === 0) this.#book.record(null, 'fell-off-bus', [ev], at);
        return;
      case 'driver-remove-blocked':
        for (const e of subjects) {
          if (e.state !== 'surprise-removed') this.#set(e, 'stuck', at, [ev]);
          this.#book.record(e, 'driver-stuck', [ev], at);
        }
        if (subjects.length === 0) this.#book.record(null, 'driver-stuck', [ev], at);
        return;
      case 'gpu-xid':
      case 'gpu-hang':
      case 'gpu-reset':
      case 'pcie-aer':
      case 'pci-config-dead':
      case 'power-state-stuck':
      case 'display-engine-error':
        if (subjects.length === 0) this.#book.record(null, 'kernel-trouble', [ev], at);
        for (const e of subjects) this.#book.record(e, 'kernel-trouble', [ev], at);
        return;
    }
  }

  #tbRouter(fact: Extract<Fact, { type: 'tb-router' }>): void {
    const subjects = byRouter(this.#entries.values(), fact.router, fact.uniqueId);
    switch (fact.change) {
      case 'removed':
      case 'disconnected':
        physicalEvidence(this.#departures, subjects, fact.at, fact.evidence);
        return;
      case 'added':
      case 'authorized':
        for (const e of subjects) {
          if (!e.present && e.state !== 'connected')
            this.#set(e, 'connected', fact.at, [fact.evidence]);
        }
        return;
      case 'deauthorized':
        return; // the tunnel was dropped on purpose (eject step); PCI removal already told us
    }
  }

  #clients(all: readonly ClientInfo[], at: number): void {
    for (const e of this.#entries.values()) {
      if (!e.present) continue;
      e.clients = all.filter((c) => c.gpu === e.bdf);
      e.clientsAt = at;
      if (e.state === 'attached' || e.state === 'in-use') {
        const n = e.clients.length;
        const names = [...new Set(e.clients.map((c) => c.comm))].slice(0, 4).join(', ');
        const pids = new Set(e.clients.map((c) => c.pid)).size;
        this.#set(e, this.#busyState(e), at, [
          {
            at,
            source: 'clients',
            text:
              n === 0
                ? 'no process uses it'
                : `used by ${pids === 1 ? '1 process' : `${pids} processes`}: ${names}`,
          },
        ]);
      }
    }
  }

  #sleep(start: boolean, at: number): void {
    this.#sleeping = start;
    if (!start) return;
    for (const e of this.#entries.values()) {
      if (e.external && (e.state === 'in-use' || e.state === 'attached')) {
        this.#out.notices.push({
          at,
          kind: 'sleep-with-egpu',
          gpu: e.bdf,
          name: e.name,
          text:
            e.state === 'in-use'
              ? `${e.name} is in use and the computer is going to sleep; many eGPU setups do not survive suspend. Eject it first.`
              : `${e.name} is attached and the computer is going to sleep; eject it first if your setup does not resume well.`,
        });
      }
    }
  }
}
