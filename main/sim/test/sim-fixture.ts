// Test support for the simulated kernel: a scenario sysroot with a running SimKernel, every event
// it emits, the real helper (child processes, --test-root) through the privileged runner, and a
// way to wait for the kernel to have applied something.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNodeCommandRunner } from '../../platform/command-runner.js';
import type { HelperVerb } from '../../common/helper-contract.js';
import { createPrivilegedRunner, type PrivilegedRunner } from '../../platform/privileged.js';
import { SimKernel } from '../kernel.js';
import type { SimEvent } from '../kernel-output.js';
import type { Scenario } from '../scenario.js';
import { writeScenario } from '../sysroot-writer.js';

export type SimFixture = {
  readonly dir: string;
  readonly kernel: SimKernel;
  readonly events: SimEvent[];
  readonly helper: PrivilegedRunner;
  /** Resolves with the first event from now on that matches (rejects after timeoutMs). */
  next(match: (e: SimEvent) => boolean, timeoutMs?: number): Promise<SimEvent>;
  /** Runs one helper verb and waits until the kernel applied its write (watching from before). */
  apply(verb: HelperVerb, args: readonly string[], until: (e: SimEvent) => boolean): Promise<void>;
  /** udev blocks since `from`, as 'action name' (the last devpath component). */
  udevSince(from: number): string[];
  kernelSince(from: number): string[];
  exists(target: string): boolean;
  read(target: string): string;
  cleanup(): void;
};

export function startSim(scenario: Scenario): SimFixture {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `egpu-sim-${scenario.name}-`)));
  writeScenario(dir, scenario);
  const kernel = new SimKernel({ dir, scenario });
  const events: SimEvent[] = [];
  kernel.onEvent((e) => events.push(e));
  const helper = createPrivilegedRunner({
    runner: createNodeCommandRunner(),
    testRoot: dir,
    stepTimeoutMs: 10_000,
  });
  const next = (match: (e: SimEvent) => boolean, timeoutMs = 5000): Promise<SimEvent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error('the simulated kernel did not get there in time'));
      }, timeoutMs);
      const sub = kernel.onEvent((e) => {
        if (!match(e)) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(e);
      });
    });
  return {
    dir,
    kernel,
    events,
    helper,
    next,
    async apply(verb, args, until) {
      const seen = next(until);
      const r = await helper.run(verb, args);
      if (!r.ok) throw new Error(`helper ${verb} failed: ${r.error.message}`);
      await seen;
    },
    udevSince: (from) =>
      events
        .slice(from)
        .flatMap((e) =>
          e.kind === 'udev' ? [`${e.block.action} ${e.block.devpath.split('/').pop() ?? ''}`] : [],
        ),
    kernelSince: (from) => events.slice(from).flatMap((e) => (e.kind === 'kernel' ? [e.line] : [])),
    exists: (target) => {
      try {
        fs.lstatSync(path.join(dir, target));
        return true;
      } catch {
        return false;
      }
    },
    read: (target) => fs.readFileSync(path.join(dir, target), 'utf8'),
    cleanup() {
      kernel.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The machine options of a command that follows this simulated machine (`egpu watch`, `egpu
 * service`): its sysroot and the udev and kernel logs the simulated kernel writes.
 */
export const simMachineArgs = (sim: Pick<SimFixture, 'dir'>): string[] => [
  '--root',
  sim.dir,
  '--udev-log',
  path.join(sim.dir, 'run/egpu-sim/udev.log'),
  '--kernel-log',
  path.join(sim.dir, 'run/egpu-sim/kern.log'),
];

/** Matches the `applied` event of one control kind (and target, when given). */
export const applied =
  (control: string, target?: string) =>
  (e: SimEvent): boolean =>
    e.kind === 'applied' && e.control === control && (target === undefined || e.target === target);
