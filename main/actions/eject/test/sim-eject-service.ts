// Test support: the eject service as the live core builds it (main/core/create-core.ts), over a
// simulated machine: the real helper on its sysroot, intents and locks in the sysroot's /run,
// and the removal confirmed by a live core following the simulated udev transcript.

import * as path from 'node:path';
import { systemClock } from '../../../platform/clock.js';
import { createNodeCommandRunner } from '../../../platform/command-runner.js';
import { createPrivilegedRunner } from '../../../platform/privileged.js';
import { processAlive } from '../../../platform/processes.js';
import type { SystemRoot } from '../../../platform/system-root.js';
import { createEjectIntents } from '../../eject-intent.js';
import { createFileGpuLocks } from '../../gpu-lock.js';
import {
  createEjectService,
  type EjectService,
  type EjectServiceOptions,
} from '../eject-service.js';
import { coreConfirm } from './core-confirm.js';

export function simEjectService(
  dir: string,
  root: SystemRoot,
  cleanup: (stop: () => void) => void,
  options: { readonly stepTimeoutMs?: number; readonly hooks?: EjectServiceOptions['hooks'] } = {},
): EjectService {
  const stepTimeoutMs = options.stepTimeoutMs ?? 10_000;
  const intents = createEjectIntents(
    path.join(dir, 'run/egpu-guard/ejecting'),
    () => Date.now(),
    processAlive,
  );
  // Confirmed as the core confirms it: from the udev removes in the sim's transcript.
  const core = coreConfirm(root, intents, path.join(dir, 'run/egpu-sim/udev.log'));
  cleanup(() => core.stop());
  return createEjectService({
    root,
    clock: systemClock,
    privileged: createPrivilegedRunner({
      runner: createNodeCommandRunner(),
      testRoot: dir,
      stepTimeoutMs,
    }),
    intents,
    locks: createFileGpuLocks(path.join(dir, 'run/egpu-guard/locks')),
    confirmGone: core.confirmGone,
    uid: process.getuid?.() ?? null,
    stepTimeoutMs,
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });
}
