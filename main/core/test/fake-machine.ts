// The state behind FakeCore: the GPUs, incidents and cable of the scripted machine, changed only
// through these methods, which fire transitions and incidents and build the snapshot.

import { Emitter } from '../../common/disposable.js';
import type { GpuEntry, Incident, Snapshot, Transition } from '../../common/snapshot.js';
import type { Clock } from '../../platform/clock.js';
import * as data from './fake-core-data.js';

export class FakeMachine {
  readonly transitions = new Emitter<Transition>();
  readonly incidentsOpened = new Emitter<Incident>();
  #gpus = new Map<string, GpuEntry>();
  #incidents: Incident[] = [];
  /** The enclosure's cable is in. */
  cablePlugged = true;
  /** The last unplug came after a safe eject (or with nothing using the GPU). */
  cleanUnplug = true;

  constructor(private readonly clock: Clock) {
    this.reset();
  }

  get(bdf: string): GpuEntry | undefined {
    return this.#gpus.get(bdf);
  }

  get egpu(): GpuEntry {
    return this.#gpus.get(data.EGPU_BDF)!;
  }

  all(): GpuEntry[] {
    return [...this.#gpus.values()];
  }

  reset(): void {
    this.#gpus = new Map(data.initialGpus(this.clock.now()).map((g) => [g.bdf, g]));
    this.#incidents = [];
    this.cablePlugged = true;
    this.cleanUnplug = true;
  }

  patch(bdf: string, patch: Partial<GpuEntry>): void {
    const gpu = this.#gpus.get(bdf);
    if (gpu !== undefined) this.#gpus.set(bdf, { ...gpu, ...patch });
  }

  setState(bdf: string, state: GpuEntry['state']): void {
    const gpu = this.#gpus.get(bdf);
    if (gpu === undefined || gpu.state === state) return;
    const at = this.clock.now();
    this.patch(bdf, { state, since: at });
    this.transitions.fire({
      at,
      gpu: bdf,
      name: gpu.name,
      from: gpu.state,
      to: state,
      evidence: [],
    });
  }

  clientsOf(bdf: string): number {
    return this.#gpus.get(bdf)?.clients?.length ?? 0;
  }

  /** Removes a process from every GPU it holds; a GPU nobody uses any more is just attached. */
  dropClient(pid: number): boolean {
    let found = false;
    for (const gpu of this.#gpus.values()) {
      if (!gpu.clients?.some((c) => c.pid === pid)) continue;
      found = true;
      this.patch(gpu.bdf, { clients: gpu.clients.filter((c) => c.pid !== pid) });
      if (gpu.state === 'in-use' && this.clientsOf(gpu.bdf) === 0)
        this.setState(gpu.bdf, 'attached');
    }
    return found;
  }

  openIncident(kind: 'surprise-removal' | 'fell-off-bus', state: GpuEntry['state']): void {
    const at = this.clock.now();
    const text = data.INCIDENT_TEXT[kind];
    const gpu = this.egpu;
    const incident: Incident = {
      id: `inc-${this.#incidents.length + 1}`,
      gpu: gpu.bdf,
      gpuName: gpu.name,
      kind: text.kind,
      severity: 'critical',
      title: `${gpu.name} ${text.title}`,
      openedAt: at,
      updatedAt: at,
      evidence: data.INCIDENT_LINES[kind].map((e, i) => ({ ...e, at: at + i * 3 })),
      meaning: text.meaning,
      nextSteps: text.nextSteps,
    };
    this.#incidents = [...this.#incidents, incident];
    this.patch(gpu.bdf, { incident: incident.id });
    this.setState(gpu.bdf, state);
    this.incidentsOpened.fire(incident);
  }

  snapshot(): Snapshot {
    return {
      gpus: this.all(),
      incidents: this.#incidents,
      thunderbolt: this.cablePlugged ? data.THUNDERBOLT : [],
      pendingDevices: [],
      sources: data.SOURCES,
      preparingForSleep: false,
      updatedAt: this.clock.now(),
    };
  }
}
