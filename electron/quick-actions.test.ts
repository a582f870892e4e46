import { describe, expect, it } from 'vitest';
import type { ActionPlan, PlanStep } from '../main/common/actions-model.js';
import { quickDecision } from './quick-actions.js';

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
