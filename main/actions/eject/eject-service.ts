// Eject with real ports: gathers the facts from sysfs and /proc, plans, and executes through the
// privileged helper. Used by the core (tray app, browser mode, `egpu eject`). Every run
// takes the GPU's lock (main/actions/gpu-lock.ts) and records the eject intent before the first
// kernel write; when either fails nothing is changed and the final result carries the code.

import type {
  ActionFinal,
  ActionPlan,
  EjectOptions,
  StepProgress,
} from '../../common/actions-model.js';
import type { ClientInfo } from '../../common/clients-model.js';
import type { GpuLifecycle } from '../../common/snapshot.js';
import type { AppError } from '../../common/errors.js';
import type { EjectIntents } from '../eject-intent.js';
import type { GpuLocks } from '../gpu-lock.js';
import { scanClients } from '../../inventory/clients/scan-clients.js';
import { readInventory } from '../../inventory/inventory.js';
import type { Clock } from '../../platform/clock.js';
import type { PrivilegedRunner } from '../../platform/privileged.js';
import { processAlive, signalProcess } from '../../platform/processes.js';
import type { SystemRoot } from '../../platform/system-root.js';
import {
  enclosureFacts,
  parseKernelRelease,
  primaryGpuOf,
  type EjectFacts,
} from './eject-facts.js';
import {
  loadKnownEnclosures,
  mergeKnownEnclosures,
  saveKnownEnclosures,
} from '../known-enclosures.js';
import { executeEject, type EjectPorts } from './eject-executor.js';
import { planEject } from './eject-planner.js';
import { preEjectFacts } from '../hooks/hook-events.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import { printable } from '../hooks/hook-rules.js';

export type EjectServiceOptions = {
  readonly root: SystemRoot;
  readonly clock: Clock;
  readonly privileged: PrivilegedRunner;
  readonly intents: EjectIntents;
  /** One eject or recovery per GPU across processes (CLI, tray app, browser mode). */
  readonly locks: GpuLocks;
  /**
   * Resolves once the core has seen every address of the GPU leave the bus (its udev source's
   * remove events, its state machine, its re-reads of sysfs: main/core/live-core.ts); false after
   * the timeout. The core supplies it: the service keeps no picture of the machine of its own.
   */
  readonly confirmGone: EjectPorts['confirmGone'];
  readonly uid: number | null;
  readonly stepTimeoutMs: number;
  /**
   * Where enclosures seen carrying a GPU are remembered (known-enclosures.json), or null. An eject
   * drops the tunnel, and only a remembered enclosure is authorized again by Recover: a CLI-only
   * user must not find their own enclosure called "a new device" after `egpu eject`.
   */
  readonly knownEnclosuresPath?: string | null;
  /**
   * The user's hooks (docs/hooks.md): the pre-eject ones run once the GPU's lock is taken and
   * before anything changes, whichever face started the eject; one that fails blocks it. Absent
   * or null: none run.
   */
  readonly hooks?: HookRunner | null;
};

export type EjectService = {
  facts(bdf: string, state?: GpuLifecycle | null): Promise<EjectFacts>;
  plan(bdf: string, state?: GpuLifecycle | null): Promise<ActionPlan>;
  run(
    bdf: string,
    options: EjectOptions,
    onProgress: (p: StepProgress) => void,
    isCancelled: () => boolean,
    state?: GpuLifecycle | null,
  ): Promise<ActionFinal>;
  /**
   * Runs the plan of facts just gathered, without reading sysfs and /proc a second time. The
   * executor still re-checks the holders right before the unbind.
   */
  execute(
    facts: EjectFacts,
    options: EjectOptions,
    onProgress: (p: StepProgress) => void,
    isCancelled: () => boolean,
  ): Promise<ActionFinal>;
};

const sleep = (clock: Clock, ms: number): Promise<void> =>
  new Promise((resolve) => clock.setTimeout(resolve, ms));

export function createEjectService(o: EjectServiceOptions): EjectService {
  const { root } = o;
  const facts = async (bdf: string, state: GpuLifecycle | null = null): Promise<EjectFacts> => {
    const inventory = readInventory(root);
    const gpu = inventory.gpus.find((g) => g.bdf === bdf) ?? null;
    const report = gpu === null ? null : await scanClients(root, inventory, { gpu: bdf });
    const clients = report?.clients ?? [];
    // Which GPU each compositor or X server renders on decides whether it can let go.
    const primaryOf = new Map<number, string | null>();
    const displayServers = clients.filter((c) => c.role === 'compositor' || c.role === 'x-server');
    if (displayServers.length > 0) {
      const all = (await scanClients(root, inventory)).clients;
      for (const c of displayServers) {
        const held = all
          .filter((x) => x.pid === c.pid && x.gpu !== null)
          .map((x) => x.gpu as string);
        primaryOf.set(c.pid, primaryGpuOf(root, c.pid, inventory, held));
      }
    }
    const release = root.readText('/proc/sys/kernel/osrelease', 256);
    const hooks = o.hooks?.list().hooks ?? [];
    return {
      bdf,
      gpu,
      state,
      inventory,
      clients,
      primaryOf,
      ...enclosureFacts(root, gpu, inventory),
      kernel: parseKernelRelease(release.ok ? release.value : null),
      uid: o.uid,
      ...(hooks.length === 0 ? {} : { preEjectHooks: hooks.map(printable) }),
    };
  };

  /**
   * The pre-eject hooks, with the lock held and nothing changed yet. None run when the plan cannot
   * run anyway (a blocker that no consent clears). After they ran the facts are read again: a hook
   * may have stopped the very program that held the GPU ("stop my render job before an eject").
   */
  const preEject = async (
    f: EjectFacts,
  ): Promise<{ readonly facts: EjectFacts } | { readonly final: ActionFinal }> => {
    if (o.hooks === undefined || o.hooks === null) return { facts: f };
    if (planEject(f).blockers.some((b) => !b.closable)) return { facts: f };
    const report = await o.hooks.run(
      preEjectFacts({
        bdf: f.bdf,
        name: f.gpu?.name ?? null,
        state: f.state,
        holders: f.clients.length,
        enclosure: f.gpu?.enclosure?.name ?? null,
      }),
    );
    if (report.refusal !== null) return { final: { result: 'blocked', detail: report.refusal } };
    return report.runs.length === 0 ? { facts: f } : { facts: await facts(f.bdf, f.state) };
  };

  const clientsOf = async (bdf: string): Promise<readonly ClientInfo[]> => {
    const inventory = readInventory(root);
    return (await scanClients(root, inventory, { gpu: bdf })).clients;
  };

  const notStarted = (e: AppError): ActionFinal => ({
    result: 'failed',
    detail: `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`,
    code: e.code,
  });

  const execute: EjectService['execute'] = async (f, options, onProgress, isCancelled) => {
    const lock = o.locks.acquire(f.bdf, 'eject');
    if (!lock.ok) return notStarted(lock.error);
    try {
      const hooked = await preEject(f);
      if ('final' in hooked) return hooked.final;
      // Recorded here, checked, before the executor's first step: a watcher that cannot see the
      // intent would call the removal a surprise and lose the GPU's name.
      const plan = planEject(hooked.facts);
      const announced = o.intents.announce(f.bdf, plan.unplugWarnings ?? []);
      if (!announced.ok) return notStarted(announced.error);
      const path = o.knownEnclosuresPath ?? null;
      const merged = mergeKnownEnclosures(loadKnownEnclosures(path), f.inventory);
      if (merged !== null) saveKnownEnclosures(path, merged);
      try {
        const final = await executeEject(
          plan,
          {
            runHelper: (verb, args) => o.privileged.run(verb, args),
            signal: signalProcess,
            alive: processAlive,
            sleep: (ms) => sleep(o.clock, ms),
            clientsOf,
            confirmGone: o.confirmGone,
            loadedModules: (names) => names.filter((m) => o.root.exists(`/sys/module/${m}`)),
          },
          {
            ...options,
            stepTimeoutMs: o.stepTimeoutMs,
            isCancelled,
            onProgress,
            strictHolders: f.gpu?.driver === 'nvidia',
          },
        );
        if (final.result === 'safe-to-unplug')
          o.intents.recordEjected(f.bdf, final.unplugWarnings ?? plan.unplugWarnings ?? []);
        return final;
      } finally {
        o.intents.clear(f.bdf);
      }
    } finally {
      lock.value.release();
    }
  };

  return {
    facts,
    async plan(bdf, state = null) {
      return planEject(await facts(bdf, state));
    },
    async run(bdf, options, onProgress, isCancelled, state = null) {
      return execute(await facts(bdf, state), options, onProgress, isCancelled);
    },
    execute,
  };
}
