// Test support: the confirmation port the live core hands the eject service (main/core/
// live-core.ts), for tests that build the service by hand. The core follows the simulated
// machine's udev transcript when one is given (then udev's removes confirm), else it re-reads
// sysfs itself — the two ways a real eject is confirmed.

import { createLiveCore, type ConfirmGone } from '../../../core/live-core.js';
import { systemClock } from '../../../platform/clock.js';
import { createNodeCommandRunner } from '../../../platform/command-runner.js';
import type { SystemRoot } from '../../../platform/system-root.js';
import type { EjectIntents } from '../../eject-intent.js';

export function coreConfirm(
  root: SystemRoot,
  intents: EjectIntents,
  udevLog: string | null,
): { readonly confirmGone: ConfirmGone; stop(): void } {
  const core = createLiveCore({
    root,
    runner: createNodeCommandRunner(),
    clock: systemClock,
    dbus: null,
    sources: {
      ...(udevLog === null ? {} : { udevLog }),
      noDbus: true,
      udevOnly: true,
      sysroot: true,
      cursorPath: null,
      kmsgSeqPath: null,
    },
    knownGpusPath: null,
    intents,
  });
  // Its udev source starts at once; the first client scan start() also runs is not waited for.
  void core.start();
  return { confirmGone: core.confirmGone, stop: () => void core.stop() };
}
