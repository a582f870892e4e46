// Composition root of the live core for every face (watch, ui, the tray app): real runner,
// clock, D-Bus, the privileged helper (pkexec; directly with --test-root for a sysroot), state
// files in the user's state folder (or inside the sysroot).

import { compositorAdvice } from '../actions/compositor/compositor-advice.js';
import { createCoreActions } from './core-actions.js';
import { createEjectService } from '../actions/eject/eject-service.js';
import { createRecoverService } from '../actions/recover/recover-service.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { createNodeCommandRunner, type CommandRunner } from '../platform/command-runner.js';
import { createDbusPort } from '../platform/dbus.js';
import { createPrivilegedRunner } from '../platform/privileged.js';
import { processAlive } from '../platform/processes.js';
import { machineStatePath } from '../platform/state-files.js';
import type { SystemRoot } from '../platform/system-root.js';
import type { Core } from './api.js';
import { createEjectIntents, ejectIntentDir } from '../actions/eject-intent.js';
import { createFileGpuLocks, gpuLockDir } from '../actions/gpu-lock.js';
import { withRecoverLock } from './locked-recover.js';
import { createLiveCore, type ActionsContext, type ActionsPort } from './live-core.js';
import { Emitter } from '../common/disposable.js';
import type { Notice } from '../common/snapshot.js';
import { createHookRunner, hookPathsFor } from '../actions/hooks/hook-runner.js';
import { hookNotice, withUserHooks } from './core-hooks.js';
import type { SourceChoice } from './sources-setup.js';

export type CoreSetup = {
  readonly root: SystemRoot;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly udevLog?: string;
  readonly journalFile?: string;
  readonly kernelLog?: string;
  readonly noDbus?: boolean;
  readonly runner?: CommandRunner;
  readonly clock?: Clock;
  /** How long one kernel write may take before it counts as stuck (default 20 s). */
  readonly stepTimeoutMs?: number;
  /**
   * 'action': the core of one `egpu eject` / `egpu recover` (main/cli/action-core.ts): udev alone,
   * started when an eject begins; no kernel log, no D-Bus watchers, no client scans of its own.
   */
  readonly mode?: 'watch' | 'action';
  /** Replaces the real actions (tests). */
  readonly actions?: (ctx: ActionsContext) => ActionsPort;
  readonly compositorAdvice?: ActionsPort['compositorAdvice'];
  /**
   * Run the user's transition hooks (attached, safe-to-unplug, unplugged … — docs/hooks.md) on
   * this core's lifecycle transitions. Off by default: only the one long-running core of a session
   * (`egpu watch`, the service, the tray app) turns it on, so no event runs its hooks twice.
   * Pre-eject hooks run in every eject regardless.
   */
  readonly transitionHooks?: boolean;
};

export function createCore(setup: CoreSetup): Core {
  const { root } = setup;
  const sysroot = root.root !== '/';
  // A sysroot's state is the sysroot's: kept out of the user's real state folder.
  const statePath = (name: string): string => machineStatePath(root, name, setup.env);
  const sources: SourceChoice = {
    ...(setup.udevLog === undefined ? {} : { udevLog: setup.udevLog }),
    ...(setup.journalFile === undefined ? {} : { journalFile: setup.journalFile }),
    ...(setup.kernelLog === undefined ? {} : { kernelLog: setup.kernelLog }),
    noDbus: setup.noDbus ?? false,
    ...(setup.mode === 'action' ? { udevOnly: true } : {}),
    sysroot,
    cursorPath: sysroot ? null : statePath('journal-cursor'),
    kmsgSeqPath: sysroot ? null : statePath('kmsg-seq'),
  };
  const clock = setup.clock ?? systemClock;
  const runner = setup.runner ?? createNodeCommandRunner();
  const dbus = setup.noDbus ? null : createDbusPort({ env: setup.env });
  const stepTimeoutMs = setup.stepTimeoutMs ?? 20_000;
  const intents = createEjectIntents(
    ejectIntentDir(root, setup.env),
    () => clock.now(),
    processAlive,
  );
  // The same lock folder as `egpu eject` and `egpu recover` in a terminal: one action per GPU.
  const locks = createFileGpuLocks(gpuLockDir(root, setup.env));
  // The user's hooks (a sysroot's own, inside it): failures become notices on the core's channel.
  const hookNotices = new Emitter<Notice>();
  const hookPaths = hookPathsFor(root, setup.env);
  const hooks = createHookRunner({
    dir: hookPaths.dir,
    uid: process.getuid?.() ?? null,
    env: setup.env,
    logPath: hookPaths.log,
    now: () => clock.now(),
    onFailure: (f) => hookNotices.fire(hookNotice(f)),
  });
  const privileged = createPrivilegedRunner({
    runner,
    stepTimeoutMs,
    ...(sysroot ? { testRoot: root.root } : {}),
  });
  const actions =
    setup.actions ??
    createCoreActions({
      eject: createEjectService({
        root,
        clock,
        privileged,
        intents,
        locks,
        // The removal is confirmed from the core's own state (made below, once it has its
        // actions): the udev source's remove events and its re-reads of sysfs.
        confirmGone: (bdfs, timeoutMs) => live.confirmGone(bdfs, timeoutMs),
        uid: process.getuid?.() ?? null,
        stepTimeoutMs,
        knownEnclosuresPath: statePath('known-enclosures.json'),
        hooks,
      }),
      recover: withRecoverLock(
        createRecoverService({
          root,
          clock,
          privileged,
          dbus,
          knownGpusPath: statePath('known-gpus.json'),
          stepTimeoutMs,
        }),
        locks,
      ),
      now: () => clock.now(),
      // A sysroot has no desktop session of its own: nothing runs on this machine's behalf then.
      ...(sysroot ? {} : { compositorPorts: { runner, privileged, env: setup.env } }),
      compositorAdvice:
        setup.compositorAdvice ??
        (() =>
          compositorAdvice({
            root,
            // A sysroot has no session of its own: do not ask this machine's logind about it.
            dbus: sysroot ? null : dbus,
            env: sysroot ? {} : setup.env,
            pid: process.pid,
            uid: process.getuid?.() ?? null,
          })),
    });
  const live = createLiveCore({
    root,
    runner,
    clock,
    dbus,
    uid: process.getuid?.() ?? null,
    sources,
    knownGpusPath: statePath('known-gpus.json'),
    intents,
    actions,
    ...(setup.mode === undefined ? {} : { mode: setup.mode }),
  });
  return withUserHooks(live, {
    runner: hooks,
    notices: hookNotices,
    transitions: setup.transitionHooks ?? false,
  });
}
