import { describe, expect, it } from 'vitest';
import type { ActionPlan } from '../../common/actions-model.js';
import { formatFinal, formatPlan, nextLine } from './plan-text.js';

const drive =
  'Sonnet Echo III also carries NVMe drive Samsung SSD 980 PRO 1TB (/dev/nvme0n1, mounted at /run/media/alice/Projects) on the same Thunderbolt tunnel. The tunnel stays up, so the drive stays connected: eject it in your file manager first, then unplug.';

describe('plan words: a drive on the same tunnel', () => {
  it('the plan says it before anything runs, louder than a note', () => {
    const plan: ActionPlan = {
      action: 'eject',
      gpu: '0000:0a:00.0',
      name: 'NVIDIA GeForce RTX 3070',
      result: 'ready',
      blockers: [],
      steps: [],
      warnings: [
        'nouveau has no dedicated eGPU hot-unplug support: the removal is best effort.',
        drive,
      ],
      unplugWarnings: [drive],
    };
    const text = formatPlan(plan);
    expect(text).toContain(`\nBEFORE YOU UNPLUG: ${drive}\n`);
    expect(text).toContain('\nNote: nouveau has no dedicated');
  });

  it('the result does not say a plain SAFE TO UNPLUG', () => {
    const text = formatFinal({
      result: 'safe-to-unplug',
      detail: `NVIDIA GeForce RTX 3070 is removed. ${drive}`,
      unplugWarnings: [drive],
    });
    expect(text).toBe(
      `\nGPU REMOVED, DRIVE STILL CONNECTED: NVIDIA GeForce RTX 3070 is removed. ${drive}\n`,
    );
    expect(formatFinal({ result: 'safe-to-unplug', detail: 'X is safe to unplug.' })).toBe(
      '\nSAFE TO UNPLUG: X is safe to unplug.\n',
    );
  });
});

describe('the next command', () => {
  it('a recovery blocked by an app, with no address given: `egpu clients` without --gpu', () => {
    const plan: ActionPlan = {
      action: 'recover',
      gpu: null,
      name: 'NVIDIA GeForce RTX 3070',
      result: 'blocked',
      blockers: [
        {
          kind: 'client',
          closable: false,
          pid: 4242,
          comm: 'ollama',
          reason: 'ollama holds it',
        },
      ],
      steps: [],
      warnings: [],
    };
    const next = nextLine(plan, { bdf: null, carry: ['--root', '/tmp/sim'] });
    expect(next).toBe(
      'Close it (egpu clients --root /tmp/sim lists them), then: egpu recover --yes --root /tmp/sim',
    );
    expect(nextLine({ ...plan, gpu: '0000:0a:00.0' }, { bdf: '0000:0a:00.0', carry: [] })).toBe(
      'Close it (egpu clients --gpu 0000:0a:00.0 lists them), then: egpu recover 0000:0a:00.0 --yes',
    );
  });
});
