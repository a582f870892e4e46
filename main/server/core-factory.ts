// The one place `egpu ui` gets its Core from.
//
// TODO(real core): the real core (sources → state → actions over the options below) and the
// demo's simulated machine (a sysroot plus main/sim's SimKernel) are being written elsewhere.
// Until they land, BOTH modes return the scripted FakeCore; live mode says so in `notice`, which
// the window shows. Switch here, and only here, when they exist: the server, the CLI command and
// the renderer already speak the Core / IPC contract and need no change.

import type { Clock } from '../platform/clock.js';
import type { Core } from '../core/api.js';
import { createFakeCore, type DemoControl } from '../core/fake-core.js';

export type UiCoreOptions = {
  /** 'demo' runs a simulated machine and enables the `demo:act` channel. */
  readonly mode: 'live' | 'demo';
  readonly root?: string;
  readonly proc?: string;
  readonly udevLog?: string;
  readonly journalFile?: string;
  readonly kernelLog?: string;
  /** false with --no-dbus: no bolt, logind, switcheroo or notification watchers. */
  readonly dbus: boolean;
  readonly clock?: Clock;
  /** For testing: how long each simulated step takes. */
  readonly stepMs?: number;
};

/** A Core plus what browser mode adds: the demo controls and a line the window should show. */
export type UiCore = Core & {
  readonly demo: DemoControl | null;
  readonly notice: string | null;
};

export const PREVIEW_NOTICE =
  'Preview: the live core is not connected yet, so this window shows a simulated machine, not yours.';

export function createUiCore(options: UiCoreOptions): Promise<UiCore> {
  const fake = createFakeCore({
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.stepMs === undefined ? {} : { stepMs: options.stepMs }),
  });
  const demo = options.mode === 'demo';
  return Promise.resolve(
    Object.assign(fake, { demo: demo ? fake : null, notice: demo ? null : PREVIEW_NOTICE }),
  );
}
