// Pre-eject hooks (docs/hooks.md) in a real eject against the simulated kernel: a hook that says
// no blocks the eject before anything changes, a hook that stops the program holding the GPU lets
// it go on, and the plan says which hooks will run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../../common/actions-model.js';
import { createHookRunner } from '../hooks/hook-runner.js';
import { HOOK_UID, makeHookFolder, type HookFolder } from '../hooks/test/hook-folder.js';
import { ProcessPool } from '../../inventory/test/processes.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { startSim, type SimFixture } from '../../sim/test/sim-fixture.js';
import type { EjectService } from './eject-service.js';
import { simEjectService } from './test/sim-eject-service.js';

const EGPU = '0000:0a:00.0';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(): { sim: SimFixture; service: EjectService; hooks: HookFolder; pool: ProcessPool } {
  const sim = startSim(scenarioByName('tb3-nvidia')!);
  const hooks = makeHookFolder();
  const pool = new ProcessPool();
  cleanups.push(
    () => sim.cleanup(),
    () => hooks.cleanup(),
    () => pool.dispose(),
  );
  const root = createSystemRoot({ root: sim.dir });
  const service = simEjectService(sim.dir, root, (stop) => cleanups.push(stop), {
    hooks: createHookRunner({
      dir: hooks.dir,
      uid: HOOK_UID,
      env: { HOME: hooks.out, PATH: '/usr/bin:/bin' },
      logPath: hooks.log,
    }),
  });
  return { sim, service, hooks, pool };
}

const run = async (service: EjectService) => {
  const progress: StepProgress[] = [];
  const final = await service.run(
    EGPU,
    { closePids: [], force: false },
    (p) => progress.push(p),
    () => false,
  );
  return { final, progress };
};

describe('pre-eject hooks in an eject', () => {
  it('a hook that says no blocks the eject with its words, and nothing on the machine changes', async () => {
    const { sim, service, hooks } = setup();
    hooks.put(
      '05-note',
      `#!/bin/sh\necho "$1 $EGPU_BDF $EGPU_STATE" > '${path.join(hooks.out, 'told')}'\n`,
    );
    hooks.put(
      '10-stop-render',
      '#!/bin/sh\necho "looking for blender"\necho "render job 4411 is still writing frames" >&2\nexit 1\n',
    );
    hooks.put('20-later', `#!/bin/sh\ntouch '${path.join(hooks.out, 'later')}'\n`);
    const from = sim.events.length;
    const { final, progress } = await run(service);
    expect(final).toEqual({
      result: 'blocked',
      detail:
        'Pre-eject hook "10-stop-render" refused: render job 4411 is still writing frames. Nothing was changed.',
    });
    expect(hooks.read('told')?.trim()).toBe(`pre-eject ${EGPU} attached`);
    expect(hooks.read('later')).toBeNull();
    // Not one step ran: the GPU and its enclosure are there, no udev event, no intent left.
    expect(progress).toEqual([]);
    expect(sim.exists(`/sys/bus/pci/devices/${EGPU}`)).toBe(true);
    expect(sim.exists('/sys/bus/pci/devices/0000:08:00.0')).toBe(true);
    expect(sim.udevSince(from)).toEqual([]);
    expect(fs.existsSync(path.join(sim.dir, 'run/egpu-guard/ejecting', EGPU))).toBe(false);
    // The lock is free again: the next eject (without the hook) goes through.
    fs.rmSync(path.join(hooks.dir, '10-stop-render'));
    expect((await run(service)).final.result).toBe('safe-to-unplug');
  });

  it('a hook that stops the program holding the GPU lets the eject go on', async () => {
    const { sim, service, hooks, pool } = setup();
    const blender = pool.hold('blender', [path.join(sim.dir, 'dev/nvidia0')]);
    hooks.put(
      '10-stop-render',
      `#!/bin/sh\nkill ${blender.pid}\nwhile [ -d /proc/${blender.pid} ] && ! grep -q '^State:.*Z' /proc/${blender.pid}/status; do sleep 0.05; done\n`,
    );
    const { final, progress } = await run(service);
    expect(final.result, final.detail).toBe('safe-to-unplug');
    // The hook stopped it, not the eject (which had no consent to close anything).
    expect(progress.some((p) => p.step === 'close-app')).toBe(false);
    expect(sim.exists(`/sys/bus/pci/devices/${EGPU}`)).toBe(false);
  });

  it('the plan says which pre-eject hooks will run', async () => {
    const { service, hooks } = setup();
    hooks.put('10-stop-render', '#!/bin/sh\n');
    hooks.put('20-save-state', '#!/bin/sh\n');
    hooks.put('30-off', '#!/bin/sh\n', 0o644);
    const plan = await service.plan(EGPU);
    expect(plan.warnings).toContain(
      '2 pre-eject hooks run first ("10-stop-render", "20-save-state"); one that fails or runs out of time stops the eject before anything changes.',
    );
    fs.rmSync(hooks.dir, { recursive: true });
    expect((await service.plan(EGPU)).warnings.join(' ')).not.toMatch(/pre-eject/);
  });
});
