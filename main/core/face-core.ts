// The one place a face (the tray app, `egpu ui`) gets its Core from, so both always run the same
// thing:
// - live: the real core (create-core.ts: sources → state → actions) over the machine, or the
//   sysroot and logs named on the command line;
// - demo: a simulated machine with the `demo:act` controls — a scenario sysroot written by
//   main/sim with its SimKernel, watched and acted on by the real core (main/sim/demo).
// The simulator loads lazily: the live path never loads it (docs/architecture.md: main/sim is
// imported only by tests and, lazily, by --demo). The scripted FakeCore is test support
// (main/core/test/) and never ships (docs/testing.md).

import type { Core, DemoControl } from './api.js';
import { createCore, type CoreSetup } from './create-core.js';

export type UiCoreOptions =
  { readonly mode: 'live'; readonly setup: CoreSetup } | { readonly mode: 'demo' };

/** A Core plus what a face adds: the demo controls and a line the window should show. */
export type UiCore = Core & {
  readonly demo: DemoControl | null;
  readonly notice: string | null;
};

export const DEMO_NOTICE =
  'Simulation: a simulated laptop with an NVIDIA eGPU in a Razer Core X. Nothing on this computer is touched.';

export async function createUiCore(options: UiCoreOptions): Promise<UiCore> {
  if (options.mode === 'live') {
    return Object.assign(createCore(options.setup), { demo: null, notice: null });
  }
  // The demo is a real scenario sysroot with the simulated kernel under the real core.
  const { DemoMachine } = await import('../sim/demo/demo-machine.js');
  const machine = new DemoMachine();
  return Object.assign(machine, { demo: machine, notice: DEMO_NOTICE });
}
