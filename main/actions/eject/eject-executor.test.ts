// The executor reports what the kernel did, not what the helper said: an unload that modprobe
// left undone (a module still in use) is a failed step, though the eject still ends safe.
import { describe, expect, it } from 'vitest';
import type { ActionPlan, StepProgress } from '../../common/actions-model.js';
import { ok } from '../../common/result.js';
import { executeEject, type EjectPorts } from './eject-executor.js';

const BDF = '0000:0a:00.0';
const plan: ActionPlan = {
  action: 'eject',
  gpu: BDF,
  name: 'NVIDIA GeForce RTX 3070',
  result: 'ready',
  blockers: [],
  steps: [
    {
      step: 'unload-modules',
      detail: 'Unload nvidia_uvm, nvidia',
      privileged: true,
      helper: ['module-unload', 'nvidia_uvm', 'nvidia'],
    },
    { step: 'safe-to-unplug', detail: 'Safe to unplug', privileged: false },
  ],
  warnings: [],
  unplug: 'the Razer Core X',
};

async function run(loaded: (names: readonly string[]) => readonly string[]) {
  const progress: StepProgress[] = [];
  const ports: EjectPorts = {
    runHelper: () => Promise.resolve(ok(undefined)),
    signal: () => ok(undefined),
    alive: () => false,
    sleep: () => Promise.resolve(),
    clientsOf: () => Promise.resolve([]),
    confirmGone: () => Promise.resolve(true),
    loadedModules: loaded,
  };
  const final = await executeEject(plan, ports, {
    closePids: [],
    force: false,
    stepTimeoutMs: 1000,
    isCancelled: () => false,
    strictHolders: true,
    onProgress: (p) => progress.push(p),
  });
  return { final, unload: progress.filter((p) => p.step === 'unload-modules').at(-1) };
}

describe('executeEject: module unload', () => {
  it('done only when the kernel no longer lists the modules', async () => {
    const { final, unload } = await run(() => []);
    expect(unload).toMatchObject({ status: 'done', detail: 'Unload nvidia_uvm, nvidia' });
    expect(final.result).toBe('safe-to-unplug');
  });

  it('a module still loaded after the helper said yes: failed, in words, and the eject goes on', async () => {
    const { final, unload } = await run((names) => names.filter((n) => n === 'nvidia'));
    expect(unload).toEqual({
      step: 'unload-modules',
      status: 'failed',
      detail:
        'nvidia is still loaded: something else still uses it (the GPU is removed; continuing)',
    });
    expect(final).toMatchObject({
      result: 'safe-to-unplug',
      detail: 'NVIDIA GeForce RTX 3070 is safe to unplug. Unplug the Razer Core X now.',
    });
  });
});
