// FakeCore: a scripted, in-memory Core (a Thunderbolt 3 NVIDIA eGPU with ollama using it) for fast,
// deterministic UI and shell tests. Test support only, never shipped: in-process tests create it
// directly, and browser tests serve it from main/server/test/fake-ui.ts (docs/testing.md). Ejects
// and recoveries run step by step on the injected Clock and push progress; the demo actions change
// the machine (fake-machine.ts). Nothing here touches the OS.

import type {
  ActionFinal,
  ActionPlan,
  CompositorAdvice,
  EjectOptions,
  PlanStep,
  StepId,
  StepProgress,
} from '../../common/actions-model.js';
import type { ClientsReport } from '../../common/clients-model.js';
import { Emitter, type Disposable } from '../../common/disposable.js';
import { appError } from '../../common/errors.js';
import { err, ok, type Result } from '../../common/result.js';
import type { Incident, Notice, Snapshot, Transition } from '../../common/snapshot.js';
import { systemClock, type Clock } from '../../platform/clock.js';
import type { ActionRun, Core, DemoAction, DemoControl } from '../api.js';
import * as data from './fake-core-data.js';
import { fakeEjectPlan, fakeRecoverPlan } from './fake-core-plans.js';
import { runScriptedSteps, type ScriptedRun, type StepHooks } from './fake-core-steps.js';
import { FakeMachine } from './fake-machine.js';

export type FakeCoreOptions = {
  readonly clock?: Clock;
  /** How long each step of an eject or recovery takes (default 250 ms). */
  readonly stepMs?: number;
  /** For testing: this step fails when it runs. */
  readonly failAt?: StepId;
};

export class FakeCore implements Core, DemoControl {
  readonly #clock: Clock;
  readonly #stepMs: number;
  readonly #failAt: StepId | undefined;
  readonly #snapshots = new Emitter<Snapshot>();
  readonly #notices = new Emitter<Notice>();
  readonly #m: FakeMachine;
  #run: ScriptedRun | null = null;
  #snapshot: Snapshot;

  constructor(options: FakeCoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#stepMs = options.stepMs ?? 250;
    this.#failAt = options.failAt;
    this.#m = new FakeMachine(this.#clock);
    this.#snapshot = this.#m.snapshot();
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
    return this.#m.transitions.event(listener);
  }
  onIncident(listener: (i: Incident) => void): Disposable {
    return this.#m.incidentsOpened.event(listener);
  }
  onNotice(listener: (n: Notice) => void): Disposable {
    return this.#notices.event(listener);
  }

  refreshClients(): Promise<ClientsReport> {
    const clients = this.#m.all().flatMap((g) => g.clients ?? []);
    return Promise.resolve({ clients, uninspectable: 0, vanished: 0, scanned: 212 });
  }

  planEject(bdf: string): Promise<Result<ActionPlan>> {
    const gpu = this.#m.get(bdf);
    return Promise.resolve(gpu ? ok(fakeEjectPlan(gpu)) : err(notFound(bdf)));
  }

  planRecover(bdf: string | null): Promise<Result<ActionPlan>> {
    const gpu = this.#m.get(bdf ?? data.EGPU_BDF);
    return Promise.resolve(
      gpu ? ok(fakeRecoverPlan(gpu, this.#m.cablePlugged)) : err(notFound(bdf ?? '')),
    );
  }

  runEject(bdf: string, options: EjectOptions, onProgress: (p: StepProgress) => void): ActionRun {
    const gpu = this.#m.get(bdf);
    if (gpu === undefined) return settled({ result: 'failed', detail: notFound(bdf).message });
    const plan = fakeEjectPlan(gpu);
    const open = plan.blockers.filter((b) => !(b.closable && options.closePids.includes(b.pid!)));
    if (open.length > 0) {
      return settled({ result: 'blocked', detail: open.map((b) => b.reason).join(' ') });
    }
    const before = gpu.state;
    this.#m.setState(bdf, 'ejecting');
    let removed = false;
    return this.#steps(plan.steps, onProgress, {
      apply: (s) => {
        if (s.step === 'close-app') this.#m.dropClient(s.pid!);
        if (s.step === 'remove') {
          removed = true;
          this.#m.patch(bdf, { present: false });
        }
        if (s.step === 'safe-to-unplug') this.#m.setState(bdf, 'safe-to-unplug');
      },
      finish: () => ({
        result: 'safe-to-unplug',
        detail: `You can unplug the ${gpu.enclosure?.name ?? 'enclosure'} now.`,
      }),
      stopped: (final) => {
        const gone = removed ? 'safe-to-unplug' : before;
        this.#m.setState(
          bdf,
          gone === 'in-use' && this.#m.clientsOf(bdf) === 0 ? 'attached' : gone,
        );
        return final;
      },
    });
  }

  runRecover(bdf: string | null, onProgress: (p: StepProgress) => void): ActionRun {
    const target = bdf ?? data.EGPU_BDF;
    const gpu = this.#m.get(target);
    if (gpu === undefined) return settled({ result: 'failed', detail: notFound(target).message });
    const plan = fakeRecoverPlan(gpu, this.#m.cablePlugged);
    if (plan.result === 'blocked') {
      return settled({ result: 'blocked', detail: plan.blockers.map((b) => b.reason).join(' ') });
    }
    return this.#steps(plan.steps, onProgress, {
      apply: (s) => {
        if (s.step !== 'verify') return;
        this.#m.patch(target, {
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
    if (!this.#m.dropClient(pid)) {
      return Promise.resolve(err(appError('not-found', `No process ${pid} is using a GPU.`)));
    }
    this.#emit();
    return Promise.resolve(ok(undefined));
  }

  compositorAdvice(): Promise<CompositorAdvice> {
    return Promise.resolve(data.COMPOSITOR_ADVICE);
  }

  runCompositorAction(id: string, confirmed: boolean): Promise<Result<string>> {
    const action = data.COMPOSITOR_ADVICE.actions.find((a) => a.id === id);
    if (action === undefined)
      return Promise.resolve(err(appError('not-found', `no action '${id}' for this session`)));
    if (action.warning !== undefined && !confirmed)
      return Promise.resolve(err(appError('blocked', `'${id}' needs your confirmation`)));
    return Promise.resolve(ok(`${action.title}: done (simulated)`));
  }

  act(action: DemoAction): Promise<Result<void>> {
    const egpu = this.#m.get(data.EGPU_BDF)!;
    switch (action) {
      case 'reset':
        this.#run?.abort({ result: 'cancelled', detail: 'The simulation was reset.' });
        this.#run = null;
        this.#m.reset();
        break;
      case 'plug':
        if (this.#m.cablePlugged) break;
        this.#m.cablePlugged = true;
        this.#m.setState(data.EGPU_BDF, this.#m.cleanUnplug ? 'attached' : 'connected');
        if (this.#m.cleanUnplug)
          this.#m.patch(data.EGPU_BDF, { present: true, info: data.EGPU_INFO });
        break;
      case 'unplug': {
        if (!this.#m.cablePlugged) break;
        this.#run?.abort({ result: 'failed', detail: 'The enclosure was unplugged mid-way.' });
        this.#m.cablePlugged = false;
        // Re-read: aborting a run above may have moved the state back.
        const was = this.#m.get(data.EGPU_BDF)!.state;
        this.#m.cleanUnplug = was === 'safe-to-unplug' || was === 'attached';
        if (this.#m.cleanUnplug) this.#m.setState(data.EGPU_BDF, 'unplugged');
        else this.#m.openIncident('surprise-removal', 'surprise-removed');
        this.#m.patch(data.EGPU_BDF, { present: false, clients: [] });
        break;
      }
      case 'start-app':
        if (!egpu.present || egpu.state === 'fell-off-bus') {
          return Promise.resolve(err(appError('device-gone', `${egpu.name} is not attached.`)));
        }
        if (egpu.clients?.some((c) => c.pid === data.DEMO_APP.pid)) break;
        this.#m.patch(data.EGPU_BDF, { clients: [...(egpu.clients ?? []), data.DEMO_APP] });
        if (egpu.state === 'attached') this.#m.setState(data.EGPU_BDF, 'in-use');
        break;
      case 'stop-app':
        this.#m.dropClient(data.DEMO_APP.pid);
        break;
      case 'fall-off-bus':
        if (!egpu.present || egpu.state === 'fell-off-bus') break;
        this.#m.patch(data.EGPU_BDF, { info: data.EGPU_INFO_DEAD });
        this.#m.openIncident('fell-off-bus', 'fell-off-bus');
        break;
    }
    this.#emit();
    return Promise.resolve(ok(undefined));
  }

  #steps(
    steps: readonly PlanStep[],
    onProgress: (p: StepProgress) => void,
    hooks: Omit<StepHooks, 'changed'>,
  ): ActionRun {
    const run = runScriptedSteps({
      steps,
      onProgress,
      clock: this.#clock,
      stepMs: this.#stepMs,
      failAt: this.#failAt,
      hooks: { ...hooks, changed: () => this.#emit() },
      onEnd: () => {
        if (this.#run === run) this.#run = null;
      },
    });
    this.#run = run;
    return run;
  }

  #emit(): void {
    this.#snapshot = this.#m.snapshot();
    this.#snapshots.fire(this.#snapshot);
  }
}

const notFound = (bdf: string) => appError('not-found', `No GPU at ${bdf}.`);

const settled = (final: ActionFinal): ActionRun => ({
  done: Promise.resolve(final),
  cancel: () => undefined,
});

export const createFakeCore = (options: FakeCoreOptions = {}): FakeCore => new FakeCore(options);
