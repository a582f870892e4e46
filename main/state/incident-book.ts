// The incidents the state machine keeps: evidence about one event merged into one incident per GPU
// while it is open (incidents.ts decides kind, words and merging), a GPU-less incident for
// evidence that names no GPU we know, and the end of an incident when its GPU is back or ejected.

import type { Evidence, Incident, IncidentKind } from '../common/snapshot.js';
import { affectedBy, type Entry } from './gpu-entry.js';
import { isOpen, mergeIncident, openIncident, resolveIncident } from './incidents.js';

export class IncidentBook {
  readonly #incidents = new Map<string, Incident>();
  #seq = 0;
  /** Called with every incident opened, changed or ended (the machine's output). */
  readonly #changed: (i: Incident) => void;

  constructor(changed: (i: Incident) => void) {
    this.#changed = changed;
  }

  list(): Incident[] {
    return [...this.#incidents.values()].sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Adds evidence to the GPU's open incident, or opens one; `e` null: evidence about no GPU. */
  record(e: Entry | null, kind: IncidentKind, evidence: readonly Evidence[], at: number): void {
    const key = e?.incident ?? null;
    const open = key === null ? undefined : this.#incidents.get(key);
    const affected = e === null ? [] : affectedBy(e);
    let inc: Incident;
    if (open !== undefined && isOpen(open, at)) {
      inc = mergeIncident(open, kind, evidence, at, affected);
    } else {
      const orphan =
        e === null
          ? [...this.#incidents.values()].find((i) => i.gpu === null && isOpen(i, at))
          : undefined;
      inc = orphan
        ? mergeIncident(orphan, kind, evidence, at)
        : openIncident(
            `i${++this.#seq}`,
            e?.bdf ?? null,
            e?.name ?? null,
            kind,
            evidence,
            at,
            affected,
          );
    }
    this.#incidents.set(inc.id, inc);
    this.#changed(inc);
    if (e !== null) e.incident = inc.id;
  }

  /** Ends the GPU's open incident (it is back, or was ejected): it takes no more evidence. */
  resolve(e: Entry, at: number, outcome: string): void {
    const inc = e.incident === null ? undefined : this.#incidents.get(e.incident);
    e.incident = null;
    if (inc === undefined || inc.resolvedAt !== undefined) return;
    const done = resolveIncident(inc, at, outcome);
    this.#incidents.set(done.id, done);
    this.#changed(done);
  }

  hasOpen(e: Entry, at: number): boolean {
    const inc = e.incident === null ? undefined : this.#incidents.get(e.incident);
    return inc !== undefined && isOpen(inc, at);
  }
}
