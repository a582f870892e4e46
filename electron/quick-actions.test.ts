import { describe, expect, it } from 'vitest';
import type { ActionPlan, PlanStep } from '../main/common/actions-model.js';
import { createActionRuns } from './ipc/action-runs.js';
import { createQuickActions, quickDecision, type QuickActionsDeps } from './quick-actions.js';

const step = (s: PlanStep['step'], detail: string = s): PlanStep => ({
  step: s,
  detail,
  privileged: false,
});
const plan = (steps: PlanStep[], over: Partial<ActionPlan> = {}): ActionPlan => ({
  action: 'eject',
  gpu: '0000:0a:00.0',
  name: 'RTX 3070',
  result: 'ready',
  blockers: [],
  steps,
  warnings: [],
  ...over,
});

describe('quick actions from the tray', () => {
  it('run a plan that only touches the GPU itself', () => {
    expect(quickDecision(plan([step('unbind'), step('remove'), step('safe-to-unplug')]))).toEqual({
      run: true,
    });
    expect(quickDecision(plan([step('authorize'), step('rescan'), step('verify')]))).toEqual({
      run: true,
    });
  });

  it('send the user to the window when apps or services would be stopped', () => {
    for (const s of ['close-app', 'release-compositor', 'stop-service'] as const) {
      const d = quickDecision(plan([step(s, `do ${s}`), step('remove')]));
      expect(d).toEqual({ run: false, why: `First: do ${s}. Review the plan in the window.` });
    }
  });

  it('never run a blocked plan, and say why', () => {
    const blocked = plan([], {
      result: 'blocked',
      blockers: [
        {
          kind: 'primary-gpu',
          reason: 'GNOME Shell drives your displays with it.',
          closable: false,
        },
      ],
    });
    expect(quickDecision(blocked)).toEqual({
      run: false,
      why: 'GNOME Shell drives your displays with it.',
    });
    expect(quickDecision(plan([], { result: 'blocked' }))).toEqual({
      run: false,
      why: 'It is blocked.',
    });
  });
});

describe('one-click eject and a drive on the same tunnel', () => {
  const warning =
    'Sonnet Echo III also carries NVMe drive Samsung SSD 980 PRO 1TB (/dev/nvme0n1, mounted at /run/media/alice/Projects) on the same Thunderbolt tunnel. The tunnel stays up, so the drive stays connected: eject it in your file manager first, then unplug.';

  it('opens the plan in the window instead of running it, and says why', () => {
    const p = plan([step('unbind'), step('remove'), step('safe-to-unplug')], {
      warnings: [warning],
      unplugWarnings: [warning],
    });
    expect(quickDecision(p)).toEqual({
      run: false,
      why: `${warning} Review the plan in the window.`,
    });
  });

  it('asks the core for an unattended run, so a plan that changed in between is refused', async () => {
    const seen: unknown[] = [];
    const shown: unknown[] = [];
    const ready = plan([step('unbind'), step('remove'), step('safe-to-unplug')]);
    const quick = createQuickActions({
      core: {
        planEject: () => Promise.resolve({ ok: true, value: ready }),
        runEject: (_bdf: string, options: unknown) => {
          seen.push(options);
          return {
            done: Promise.resolve({ result: 'safe-to-unplug', detail: 'ok' }),
            cancel: () => undefined,
          };
        },
        planRecover: () => Promise.resolve({ ok: true, value: ready }),
        runRecover: () => ({
          done: Promise.resolve({ result: 'recovered', detail: '' }),
          cancel: () => undefined,
        }),
      } as unknown as QuickActionsDeps['core'],
      runs: createActionRuns({ send: () => undefined }),
      showWindow: (f) => shown.push(f),
      tell: () => undefined,
    });
    await quick.eject('0000:0a:00.0');
    expect(seen).toEqual([{ closePids: [], force: false, unattended: true }]);
    expect(shown).toEqual([]);
  });
});
