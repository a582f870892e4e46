// FakeCore: a scripted, in-memory Core (a Thunderbolt 3 NVIDIA eGPU with ollama using it) for the
// browser mode, the Electron shell and UI tests until the real core lands. Ejects and recoveries
// run step by step on the injected Clock and push progress; the demo actions change the machine.
// Nothing here touches the OS.

import type {
  ActionFinal,
  ActionPlan,
  CompositorAdvice,
  EjectOptions,
  PlanStep,
  StepId,
  StepProgress,
} from '../common/actions-model.js';
import type { ClientsReport } from '../common/clients-model.js';
import { Emitter, type Disposable } from '../common/disposable.js';
import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import type { GpuEntry, Incident, Notice, Snapshot, Transition } from '../common/state-model.js';
import { systemClock, type Clock } from '../platform/clock.js';
import type { ActionRun, Core } from './api.js';
import * as data from './fake-core-data.js';
import { fakeEjectPlan, fakeRecoverPlan } from './fake-core-plans.js';

/** The simulated hardware events of the demo panel (the `demo:act` channel). */
export type DemoAction = 'plug' | 'unplug' | 'start-app' | 'stop-app' | 'fall-off-bus' | 'reset';

export type DemoControl = { act(action: DemoAction): Promise<Result<void>> };

export type FakeCoreOptions = {
  readonly clock?: Clock;
  /** How long each step of an eject or recovery takes (default 250 ms). */
  readonly stepMs?: number;
  /** For testing: this step fails when it runs. */
  readonly failAt?: StepId;
};

type Run = { abort(final: ActionFinal): void };

export class FakeCore implements Core, DemoControl {
  readonly #clock: Clock;
  readonly #stepMs: number;
  readonly #failAt: StepId | undefined;
  readonly #snapshots = new Emitter<Snapshot>();
  readonly #transitions = new Emitter<Transition>();
  readonly #incidentEvents = new Emitter<Incident>();
  readonly #notices = new Emitter<Notice>();
  #gpus = new Map<string, GpuEntry>();
  #incidents: Incident[] = [];
  #cablePlugged = true;
  #cleanUnplug = true;
  #run: Run | null = null;
  #snapshot!: Snapshot;

  constructor(options: FakeCoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#stepMs = options.stepMs ?? 250;
    this.#failAt = options.failAt;
    this.#reset();
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#run?.abort({ result: 'cancelled', detail: 'eGPU Guard is shutting down.' });
    return Promise.resolve();
  }

  snapshot(): Snapshot {
    return this.#snapshot;
  }

  onSnapshot(listener: (s: Snapshot) => void): Disposable {
    return this.#snapshots.event(listener);
  }
  onTransition(listener: (t: Transition) => void): Disposable {
    return this.#transitions.event(listener);
  }
  onIncident(listener: (i: Incident) => void): Disposable {
    return this.#incidentEvents.event(listener);
  }
  onNotice(listener: (n: Notice) => void): Disposable {
    return this.#notices.event(listener);
  }

  refreshClients(): Promise<ClientsReport> {
    const clients = [...this.#gpus.values()].flatMap((g) => g.clients ?? []);
    return Promise.resolve({ clients, uninspectable: 0, vanished: 0, scanned: 212 });
  }

  planEject(bdf: string): Promise<Result<ActionPlan>> {
    const gpu = this.#gpus.get(bdf);
    return Promise.resolve(gpu ? ok(fakeEjectPlan(gpu)) : err(notFound(bdf)));
  }

  planRecover(bdf: string | null): Promise<Result<ActionPlan>> {
    const gpu = this.#gpus.get(bdf ?? data.EGPU_BDF);
    return Promise.resolve(
      gpu ? ok(fakeRecoverPlan(gpu, this.#cablePlugged)) : err(notFound(bdf ?? '')),
    );
  }

  runEject(bdf: string, options: EjectOptions, onProgress: (p: StepProgress) => void): ActionRun {
    const gpu = this.#gpus.get(bdf);
    if (gpu === undefined) return settled({ result: 'failed', detail: notFound(bdf).message });
    const plan = fakeEjectPlan(gpu);
    const open = plan.blockers.filter((b) => !(b.closable && options.closePids.includes(b.pid!)));
    if (open.length > 0) {
      return settled({ result: 'blocked', detail: open.map((b) => b.reason).join(' ') });
    }
    const before = gpu.state;
    this.#setState(bdf, 'ejecting');
    let removed = false;
    return this.#sequence(plan.steps, onProgress, {
      apply: (s) => {
        if (s.step === 'close-app') this.#dropClient(s.pid!);
        if (s.step === 'remove') {
          removed = true;
          this.#patch(bdf, { present: false });
        }
        if (s.step === 'safe-to-unplug') this.#setState(bdf, 'safe-to-unplug');
      },
      finish: () => ({
        result: 'safe-to-unplug',
        detail: `You can unplug the ${gpu.enclosure?.name ?? 'enclosure'} now.`,
      }),
      stopped: (final) => {
        const gone = removed ? 'safe-to-unplug' : before;
        this.#setState(bdf, gone === 'in-use' && this.#clientsOf(bdf) === 0 ? 'attached' : gone);
        return final;
      },
    });
  }

  runRecover(bdf: string | null, onProgress: (p: StepProgress) => void): ActionRun {
    const target = bdf ?? data.EGPU_BDF;
    const gpu = this.#gpus.get(target);
    if (gpu === undefined) return settled({ result: 'failed', detail: notFound(target).message });
    const plan = fakeRecoverPlan(gpu, this.#cablePlugged);
    if (plan.result === 'blocked') {
      return settled({ result: 'blocked', detail: plan.blockers.map((b) => b.reason).join(' ') });
    }
    return this.#sequence(plan.steps, onProgress, {
      apply: (s) => {
        if (s.step !== 'verify') return;
        this.#patch(target, {
          present: true,
          info: data.EGPU_INFO,
          clients: [],
          incident: null,
          state: 'attached',
        });
      },
      finish: () => ({ result: 'recovered', detail: `${gpu.name} is attached and answering.` }),
      stopped: (final) => final,
    });
  }

  closeClient(pid: number, _force: boolean): Promise<Result<void>> {
    const holder = [...this.#gpus.values()].find((g) => g.clients?.some((c) => c.pid === pid));
    if (holder === undefined) {
      return Promise.resolve(err(appError('not-found', `No process ${pid} is using a GPU.`)));
    }
    this.#dropClient(pid);
    return Promise.resolve(ok(undefined));
  }

  compositorAdvice(): Promise<CompositorAdvice> {
    return Promise.resolve(data.COMPOSITOR_ADVICE);
  }

  act(action: DemoAction): Promise<Result<void>> {
    const egpu = this.#gpus.get(data.EGPU_BDF)!;
    switch (action) {
      case 'reset':
        this.#run?.abort({ result: 'cancelled', detail: 'The simulation was reset.' });
        this.#reset();
        break;
      case 'plug':
        if (this.#cablePlugged) break;
        this.#cablePlugged = true;
        this.#setState(data.EGPU_BDF, this.#cleanUnplug ? 'attached' : 'connected');
        if (this.#cleanUnplug) this.#patch(data.EGPU_BDF, { present: true, info: data.EGPU_INFO });
        break;
      case 'unplug': {
        if (!this.#cablePlugged) break;
        this.#run?.abort({ result: 'failed', detail: 'The enclosure was unplugged mid-way.' });
        this.#cablePlugged = false;
        // Re-read: aborting a run above may have moved the state back.
        const was = this.#gpus.get(data.EGPU_BDF)!.state;
        this.#cleanUnplug = was === 'safe-to-unplug' || was === 'attached';
        if (this.#cleanUnplug) this.#setState(data.EGPU_BDF, 'unplugged');
        else this.#openIncident('surprise-removal', 'surprise-removed');
        this.#patch(data.EGPU_BDF, { present: false, clients: [] });
        break;
      }
      case 'start-app':
        if (!egpu.present || egpu.state === 'fell-off-bus') {
          return Promise.resolve(err(appError('device-gone', `${egpu.name} is not attached.`)));
        }
        if (egpu.clients?.some((c) => c.pid === data.DEMO_APP.pid)) break;
        this.#patch(data.EGPU_BDF, { clients: [...(egpu.clients ?? []), data.DEMO_APP] });
        if (egpu.state === 'attached') this.#setState(data.EGPU_BDF, 'in-use');
        break;
      case 'stop-app':
        this.#dropClient(data.DEMO_APP.pid);
        break;
      case 'fall-off-bus':
        if (!egpu.present || egpu.state === 'fell-off-bus') break;
        this.#patch(data.EGPU_BDF, { info: data.EGPU_INFO_DEAD });
        this.#openIncident('fell-off-bus', 'fell-off-bus');
        break;
    }
    this.#emit();
    return Promise.resolve(ok(undefined));
  }

  #sequence(
    steps: readonly PlanStep[],
    onProgress: (p: StepProgress) => void,
    hooks: {
      apply(step: PlanStep): void;
      finish(): ActionFinal;
      stopped(final: ActionFinal): ActionFinal;
    },
  ): ActionRun {
    let resolve!: (f: ActionFinal) => void;
    const done = new Promise<ActionFinal>((r) => (resolve = r));
    let cancelled = false;
    let timer: Disposable | null = null;
    let index = 0;
    const end = (final: ActionFinal): void => {
      timer?.dispose();
      if (this.#run === run) this.#run = null;
      this.#emit();
      resolve(final);
    };
    const run: Run = { abort: (final) => end(hooks.stopped(final)) };
    const next = (): void => {
      const step = steps[index++];
      if (cancelled || step === undefined) {
        for (const s of steps.slice(index - 1)) {
          if (cancelled) onProgress({ step: s.step, status: 'skipped', detail: s.detail });
        }
        const what = `Cancelled after ${index - 1} of ${steps.length} steps; nothing else was changed.`;
        end(cancelled ? hooks.stopped({ result: 'cancelled', detail: what }) : hooks.finish());
        return;
      }
      onProgress({ step: step.step, status: 'running', detail: step.detail });
      timer = this.#clock.setTimeout(() => {
        if (step.step === this.#failAt) {
          onProgress({ step: step.step, status: 'failed', detail: `${step.detail}: refused` });
          end(hooks.stopped({ result: 'failed', detail: `${step.detail} failed: refused.` }));
          return;
        }
        hooks.apply(step);
        onProgress({ step: step.step, status: 'done', detail: step.detail });
        this.#emit();
        next();
      }, this.#stepMs);
    };
    this.#run = run;
    timer = this.#clock.setTimeout(next, 0);
    return { done, cancel: () => void (cancelled = true) };
  }

  #reset(): void {
    const at = this.#clock.now();
    const entry = (info: typeof data.EGPU_INFO, clients: GpuEntry['clients']): GpuEntry => ({
      bdf: info.bdf,
      name: info.name,
      vendorId: info.vendorId,
      deviceId: info.deviceId,
      external: info.external,
      enclosure: info.enclosure,
      state: (clients?.length ?? 0) > 0 ? 'in-use' : 'attached',
      since: at,
      present: true,
      info,
      clients,
      clientsAt: at,
      incident: null,
    });
    this.#gpus = new Map([
      [data.EGPU_BDF, entry(data.EGPU_INFO, [data.OLLAMA])],
      [data.IGPU_BDF, entry(data.IGPU_INFO, data.DESKTOP_CLIENTS)],
    ]);
    this.#incidents = [];
    this.#cablePlugged = true;
    this.#cleanUnplug = true;
    this.#run = null;
    this.#emit();
  }

  #clientsOf(bdf: string): number {
    return this.#gpus.get(bdf)?.clients?.length ?? 0;
  }

  #dropClient(pid: number): void {
    for (const gpu of this.#gpus.values()) {
      if (!gpu.clients?.some((c) => c.pid === pid)) continue;
      this.#patch(gpu.bdf, { clients: gpu.clients.filter((c) => c.pid !== pid) });
      if (gpu.state === 'in-use' && this.#clientsOf(gpu.bdf) === 0) {
        this.#setState(gpu.bdf, 'attached');
      }
    }
    this.#emit();
  }

  #openIncident(kind: 'surprise-removal' | 'fell-off-bus', state: GpuEntry['state']): void {
    const at = this.#clock.now();
    const text = data.INCIDENT_TEXT[kind];
    const gpu = this.#gpus.get(data.EGPU_BDF)!;
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
    this.#patch(gpu.bdf, { incident: incident.id });
    this.#setState(gpu.bdf, state);
    this.#incidentEvents.fire(incident);
  }

  #setState(bdf: string, state: GpuEntry['state']): void {
    const gpu = this.#gpus.get(bdf);
    if (gpu === undefined || gpu.state === state) return;
    const at = this.#clock.now();
    this.#patch(bdf, { state, since: at });
    this.#transitions.fire({
      at,
      gpu: bdf,
      name: gpu.name,
      from: gpu.state,
      to: state,
      evidence: [],
    });
  }

  #patch(bdf: string, patch: Partial<GpuEntry>): void {
    const gpu = this.#gpus.get(bdf);
    if (gpu !== undefined) this.#gpus.set(bdf, { ...gpu, ...patch });
  }

  #emit(): void {
    this.#snapshot = {
      gpus: [...this.#gpus.values()],
      incidents: this.#incidents,
      thunderbolt: this.#cablePlugged ? data.THUNDERBOLT : [],
      pendingDevices: [],
      sources: data.SOURCES,
      preparingForSleep: false,
      updatedAt: this.#clock.now(),
    };
    this.#snapshots.fire(this.#snapshot);
  }
}

const notFound = (bdf: string) => appError('not-found', `No GPU at ${bdf}.`);

const settled = (final: ActionFinal): ActionRun => ({
  done: Promise.resolve(final),
  cancel: () => undefined,
});

export const createFakeCore = (options: FakeCoreOptions = {}): FakeCore => new FakeCore(options);
