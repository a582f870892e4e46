// Composition root of the live core for every face (watch, ui, the tray app): real runner,
// clock, D-Bus, state files in the user's state folder (or in memory for a sysroot).

import type { SystemRoot } from '../platform/system-root.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { createNodeCommandRunner, type CommandRunner } from '../platform/command-runner.js';
import { createDbusPort } from '../platform/dbus.js';
import { processAlive } from '../platform/processes.js';
import { defaultStatePath } from '../platform/state-files.js';
import { createEjectIntents, ejectIntentDir } from './eject-intent.js';
import { createLiveCore, type ActionsPort } from './live-core.js';
import type { Core } from './api.js';
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
  readonly actions?: (core: Core) => ActionsPort;
};

export function createCore(setup: CoreSetup): Core {
  const sysroot = setup.root.root !== '/';
  // A sysroot's state is the sysroot's: keep it out of the user's real state folder.
  const statePath = (name: string): string | null =>
    sysroot
      ? setup.root.hostPath(`/var/lib/egpu-guard/${name}`)
      : defaultStatePath(name, setup.env);
  const sources: SourceChoice = {
    ...(setup.udevLog === undefined ? {} : { udevLog: setup.udevLog }),
    ...(setup.journalFile === undefined ? {} : { journalFile: setup.journalFile }),
    ...(setup.kernelLog === undefined ? {} : { kernelLog: setup.kernelLog }),
    noDbus: setup.noDbus ?? false,
    sysroot,
    cursorPath: sysroot ? null : statePath('journal-cursor'),
    kmsgSeqPath: sysroot ? null : statePath('kmsg-seq'),
  };
  const clock = setup.clock ?? systemClock;
  return createLiveCore({
    root: setup.root,
    runner: setup.runner ?? createNodeCommandRunner(),
    clock,
    dbus: setup.noDbus ? null : createDbusPort({ env: setup.env }),
    sources,
    knownGpusPath: statePath('known-gpus.json'),
    intents: createEjectIntents(
      ejectIntentDir(setup.root, setup.env),
      () => clock.now(),
      processAlive,
    ),
    ...(setup.actions === undefined ? {} : { actions: setup.actions }),
  });
}
