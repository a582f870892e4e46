// The one Core API every face adapts: the Electron shell, browser mode (`egpu ui`) and the CLI.
// The faces never reach past it into sources, inventory or the helper.

import type {
  ActionFinal,
  ActionPlan,
  CompositorAdvice,
  EjectOptions,
  RecoverRequest,
  StepProgress,
} from '../common/actions-model.js';
import type { ClientsReport } from '../common/clients-model.js';
import type { Disposable } from '../common/disposable.js';
import type { Result } from '../common/result.js';
import type { Incident, Notice, Snapshot, Transition } from '../common/snapshot.js';

export type ActionRun = {
  /** Resolves with the final result; never rejects. */
  readonly done: Promise<ActionFinal>;
  /** Cancel between steps: the run stops before the next step and reports what was done. */
  cancel(): void;
};

export type Core = {
  start(): Promise<void>;
  stop(): Promise<void>;
  snapshot(): Snapshot;
  /** Every change of the snapshot (coalesced: at most one call per burst of events). */
  onSnapshot(listener: (s: Snapshot) => void): Disposable;
  onTransition(listener: (t: Transition) => void): Disposable;
  onIncident(listener: (i: Incident) => void): Disposable;
  onNotice(listener: (n: Notice) => void): Disposable;
  /** Re-scans who uses each GPU now (the snapshot's clients refresh too). */
  refreshClients(): Promise<ClientsReport>;
  planEject(bdf: string): Promise<Result<ActionPlan>>;
  runEject(bdf: string, options: EjectOptions, onProgress: (p: StepProgress) => void): ActionRun;
  /** `request.approve`: a new Thunderbolt device the user approved in the window (only there). */
  planRecover(bdf: string | null, request?: RecoverRequest): Promise<Result<ActionPlan>>;
  runRecover(
    bdf: string | null,
    onProgress: (p: StepProgress) => void,
    request?: RecoverRequest,
  ): ActionRun;
  /** SIGTERM (or SIGKILL with force) one process, after the user confirmed it in the UI. */
  closeClient(pid: number, force: boolean): Promise<Result<void>>;
  compositorAdvice(): Promise<CompositorAdvice>;
  /**
   * Runs one action the advice offers (log out, restart the display manager …) after the user
   * chose it — and, when it warns that apps close, confirmed it. One line on what happened.
   */
  runCompositorAction(id: string, confirmed: boolean): Promise<Result<string>>;
};

/** What the demo's Simulation panel can do to the simulated machine. */
export type DemoAction = 'plug' | 'unplug' | 'start-app' | 'stop-app' | 'fall-off-bus' | 'reset';

/** The simulated machine's controls (`--demo`); null outside demo mode. */
export type DemoControl = { act(action: DemoAction): Promise<Result<void>> };
