// The one place `egpu ui` gets its Core from.
//
// - live: the real core (main/core/create-core.ts: sources → state → actions) over the machine
//   or the sysroot and logs named on the command line.
// - demo: a simulated machine with the `demo:act` controls: a scenario sysroot written by main/sim
//   with its SimKernel, watched and acted on by the real core (main/sim/demo/demo-machine.ts).
//   The FakeCore (main/core/fake-core.ts) stays for fast UI tests.

import { createCore, type CoreSetup } from '../core/create-core.js';
import type { Core } from '../core/api.js';
import { createFakeCore, type DemoControl } from '../core/fake-core.js';
import { DemoMachine } from '../sim/demo/demo-machine.js';
import type { Clock } from '../platform/clock.js';

export type UiCoreOptions =
  | { readonly mode: 'live'; readonly setup: CoreSetup }
  | { readonly mode: 'demo' }
  | {
      /** For testing: the scripted in-memory FakeCore, fast and deterministic. */
      readonly mode: 'fake';
      readonly clock?: Clock;
      /** How long each scripted step takes. */
      readonly stepMs?: number;
    };

/** A Core plus what browser mode adds: the demo controls and a line the window should show. */
export type UiCore = Core & {
  readonly demo: DemoControl | null;
  readonly notice: string | null;
};

export function createUiCore(options: UiCoreOptions): Promise<UiCore> {
  if (options.mode === 'live') {
    return Promise.resolve(Object.assign(createCore(options.setup), { demo: null, notice: null }));
  }
  if (options.mode === 'fake') {
    const fake = createFakeCore({
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.stepMs === undefined ? {} : { stepMs: options.stepMs }),
    });
    return Promise.resolve(Object.assign(fake, { demo: fake, notice: null }));
  }
  // The demo is a real scenario sysroot with the simulated kernel under the real core.
  const machine = new DemoMachine();
  return Promise.resolve(
    Object.assign(machine, {
      demo: machine,
      notice:
        'Simulation: a simulated laptop with an NVIDIA eGPU in a Razer Core X. Nothing on this computer is touched.',
    }),
  );
}
