// The demo machine behind `egpu ui --demo` (npm run demo): a real scenario sysroot with the
// simulated kernel running on it, a real child process playing an app on the eGPU, and the real
// core (sources, state machine, actions, the helper with --test-root) watching it. Nothing is
// scripted: plugging, yanking the cable or a fall off the bus go through the same code paths
// as on a real machine. Clearly a simulation: the UI says so, and nothing outside the temporary
// folder is touched.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter, type Disposable } from '../../common/disposable.js';
import { appError } from '../../common/errors.js';
import { err, ok, type Result } from '../../common/result.js';
import type { Incident, Notice, Snapshot, Transition } from '../../common/snapshot.js';
import type { ActionRun, Core } from '../../core/api.js';
import { createCore } from '../../core/create-core.js';
import type { DemoAction, DemoControl } from '../../core/api.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { SimKernel } from '../kernel.js';
import type { Scenario } from '../scenario.js';
import { scenarioByName } from '../scenarios/index.js';
import { writeScenario } from '../sysroot-writer.js';

export type DemoMachineOptions = {
  /** Scenario name (default tb3-nvidia: an NVIDIA RTX 3070 in a Razer Core X over Thunderbolt 3). */
  readonly scenario?: string;
  readonly stepTimeoutMs?: number;
};

/** A child killed by a signal (the window's Close sends SIGTERM) has a signalCode, no exitCode. */
const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;

type World = {
  dir: string;
  sim: SimKernel;
  core: Core;
  subs: Disposable[];
  app: ChildProcess | null;
};

export class DemoMachine implements Core, DemoControl {
  readonly #scenario: Scenario;
  readonly #stepTimeoutMs: number;
  readonly #snapshots = new Emitter<Snapshot>();
  readonly #transitions = new Emitter<Transition>();
  readonly #incidents = new Emitter<Incident>();
  readonly #notices = new Emitter<Notice>();
  #world: World | null = null;

  constructor(options: DemoMachineOptions = {}) {
    const s = scenarioByName(options.scenario ?? 'tb3-nvidia');
    if (s === undefined) throw new Error(`no demo scenario ${options.scenario ?? ''}`);
    this.#scenario = s;
    this.#stepTimeoutMs = options.stepTimeoutMs ?? 10_000;
  }

  /** The folder standing for the simulated machine's root (for tests). */
  get dir(): string | null {
    return this.#world?.dir ?? null;
  }

  async start(): Promise<void> {
    if (this.#world !== null) return;
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-demo-')));
    writeScenario(dir, this.#scenario);
    const sim = new SimKernel({ dir, scenario: this.#scenario });
    const core = createCore({
      root: createSystemRoot({ root: dir }),
      env: {},
      udevLog: path.join(dir, 'run/egpu-sim/udev.log'),
      kernelLog: path.join(dir, 'run/egpu-sim/kern.log'),
      noDbus: true,
      stepTimeoutMs: this.#stepTimeoutMs,
    });
    const world: World = { dir, sim, core, app: null, subs: [] };
    world.subs.push(
      core.onSnapshot((s) => this.#snapshots.fire(s)),
      core.onTransition((t) => this.#transitions.fire(t)),
      core.onIncident((i) => this.#incidents.fire(i)),
      core.onNotice((n) => this.#notices.fire(n)),
    );
    this.#world = world;
    await core.start();
    this.#snapshots.fire(core.snapshot());
  }

  async stop(): Promise<void> {
    const w = this.#world;
    this.#world = null;
    if (w === null) return;
    w.app?.kill('SIGKILL');
    for (const s of w.subs) s.dispose();
    await w.core.stop();
    w.sim.dispose();
    fs.rmSync(w.dir, { recursive: true, force: true });
  }

  #core(): Core {
    if (this.#world === null) throw new Error('the demo machine is not running');
    return this.#world.core;
  }

  snapshot(): Snapshot {
    return this.#core().snapshot();
  }
  readonly onSnapshot = this.#snapshots.event;
  readonly onTransition = this.#transitions.event;
  readonly onIncident = this.#incidents.event;
  readonly onNotice = this.#notices.event;
  refreshClients: Core['refreshClients'] = () => this.#core().refreshClients();
  planEject: Core['planEject'] = (bdf) => this.#core().planEject(bdf);
  runEject: Core['runEject'] = (bdf, o, p): ActionRun => this.#core().runEject(bdf, o, p);
  planRecover: Core['planRecover'] = (bdf, r) => this.#core().planRecover(bdf, r);
  runRecover: Core['runRecover'] = (bdf, p, r): ActionRun => this.#core().runRecover(bdf, p, r);
  closeClient: Core['closeClient'] = (pid, force) => this.#core().closeClient(pid, force);
  compositorAdvice: Core['compositorAdvice'] = () => this.#core().compositorAdvice();
  /** The simulation never logs you out or restarts your display manager. */
  runCompositorAction: Core['runCompositorAction'] = () =>
    Promise.resolve(
      err(appError('unsupported', 'The simulation does not restart or log out your desktop.')),
    );

  /** A real process (a copy of /bin/sleep named ollama) holding the eGPU's device nodes. */
  #startApp(w: World): Result<void> {
    if (w.app !== null && running(w.app))
      // Not 'busy': nothing is in progress, the button just does not apply now.
      return err(appError('invalid-input', 'The demo app is already running.'));
    const gpu = w.core.snapshot().gpus.find((g) => g.external && g.present)?.info;
    if (gpu === undefined || gpu === null)
      return err(appError('not-found', 'No eGPU is attached to run an app on.'));
    const nodes = [
      gpu.nvidia?.node,
      gpu.nvidia ? '/dev/nvidiactl' : null,
      gpu.nvidia ? '/dev/nvidia-uvm' : '/dev/kfd',
      gpu.drm.render,
    ]
      .filter((n): n is string => typeof n === 'string')
      .map((n) => path.join(w.dir, n))
      .filter((p) => fs.existsSync(p));
    const bin = path.join(w.dir, 'usr/bin/ollama');
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    if (!fs.existsSync(bin)) fs.copyFileSync('/bin/sleep', bin);
    fs.chmodSync(bin, 0o755);
    const fds = nodes.map((p) => fs.openSync(p, 'r'));
    // argv[0] as an installed ollama's: the close dialog shows the command line, and the demo's
    // temporary folder in it meant nothing to the person trying the demo.
    const app = spawn(bin, ['86400'], {
      argv0: '/usr/bin/ollama',
      stdio: ['ignore', 'ignore', 'ignore', ...fds],
    });
    for (const fd of fds) fs.closeSync(fd);
    app.on('error', () => undefined);
    w.app = app;
    return ok(undefined);
  }

  /**
   * A program whose GPU is pulled from under it gets an error on its next call into the driver
   * (CUDA: "unspecified launch failure" / cudaErrorDevicesUnavailable) and, like ollama's
   * runner, ends. The demo's app does the same once the core has seen the GPU go, so that the
   * core names it as the one that was using it ("may have crashed") and the card after a
   * re-plug does not show a program that, on a real machine, would be gone. A fall off the bus
   * leaves it running: there programs hang, which is what that story is about.
   */
  #crashAppWithItsGpu(w: World): void {
    const app = w.app;
    if (app === null || !running(app)) return;
    const gone = (): boolean =>
      !w.core.snapshot().gpus.some((g) => g.external && g.present && g.state !== 'fell-off-bus');
    const crash = (): void => {
      sub.dispose();
      clearTimeout(timer);
      if (this.#world !== w || !running(app)) return;
      app.kill('SIGKILL');
      app.once('exit', () => void w.core.refreshClients());
    };
    const sub = w.core.onSnapshot(() => {
      if (gone()) crash();
    });
    // Should the core never see it go (it will), the app still ends, as it would.
    const timer = setTimeout(crash, 5000);
    if (gone()) crash();
  }

  async act(action: DemoAction): Promise<Result<void>> {
    const w = this.#world;
    if (w === null) return err(appError('unsupported', 'The demo machine is not running.'));
    switch (action) {
      case 'plug':
        return w.sim.plug()
          ? ok(undefined)
          : // Not 'busy': nothing is in progress, the button just does not apply now.
            err(appError('invalid-input', 'The enclosure is already plugged in.'));
      case 'unplug':
        if (!w.sim.unplug()) return err(appError('not-found', 'The enclosure is not plugged in.'));
        this.#crashAppWithItsGpu(w);
        return ok(undefined);
      case 'fall-off-bus':
        return w.sim.fallOffBus().length > 0
          ? ok(undefined)
          : err(appError('not-found', 'No eGPU is attached.'));
      case 'start-app': {
        const r = this.#startApp(w);
        if (r.ok) await w.core.refreshClients();
        return r;
      }
      case 'stop-app':
        if (w.app === null || !running(w.app))
          return err(appError('not-found', 'The demo app is not running.'));
        w.app.kill('SIGTERM');
        await new Promise((r) => w.app?.once('exit', r));
        await w.core.refreshClients();
        return ok(undefined);
      case 'reset':
        await this.stop();
        await this.start();
        return ok(undefined);
    }
  }
}
