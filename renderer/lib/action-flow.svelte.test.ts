import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { createFakeBridge } from '../test/fake-bridge.js';
import { EGPU, ejectPlan, ollamaBlocker } from '../test/fixtures.js';
import { ActionFlow, applyProgress, rowsFromPlan } from './action-flow.svelte.js';

const target = { bdf: EGPU, name: 'RTX 3070' };

describe('ActionFlow', () => {
  it('can only confirm once every blocker is closable and agreed to', async () => {
    const flow = new ActionFlow(createFakeBridge());
    await flow.open('eject', target);
    expect(flow.phase).toBe('plan');
    expect(flow.canConfirm).toBe(false);
    flow.agreeToClose(4242, true);
    expect(flow.canConfirm).toBe(true);
    flow.agreeToClose(4242, false);
    expect(flow.canConfirm).toBe(false);
  });

  it('a plan without blockers can be confirmed at once; without steps it cannot', async () => {
    const bridge = createFakeBridge();
    bridge.on('planEject', () => Promise.resolve({ ok: true, value: ejectPlan([]) }));
    const flow = new ActionFlow(bridge);
    await flow.open('eject', target);
    expect(flow.canConfirm).toBe(true);
    bridge.on('planEject', () =>
      Promise.resolve({ ok: true, value: { ...ejectPlan([ollamaBlocker]), steps: [] } }),
    );
    await flow.open('eject', target);
    flow.agreeToClose(4242, true);
    expect(flow.canConfirm).toBe(false);
  });

  it('runs: progress of its own run only, then the final result shows the dialog again', async () => {
    const bridge = createFakeBridge();
    const flow = new ActionFlow(bridge);
    const off = flow.connect();
    await flow.open('eject', target);
    flow.agreeToClose(4242, true);
    await flow.confirm();
    expect(flow.phase).toBe('running');
    flow.close();
    expect(flow.visible).toBe(false);
    bridge.pushProgress({
      runId: 'run-1',
      progress: { step: 'close-app', status: 'done', detail: '' },
    });
    bridge.pushProgress({
      runId: 'run-x',
      progress: { step: 'unbind', status: 'failed', detail: '' },
    });
    flushSync();
    expect(flow.doneCount).toBe(1);
    expect(flow.rows.map((r) => r.status)).toEqual(['done', 'pending', 'pending', 'pending']);
    bridge.pushProgress({ runId: 'run-1', final: { result: 'safe-to-unplug', detail: '' } });
    expect(flow.phase).toBe('done');
    expect(flow.visible).toBe(true);
    off();
  });

  it('a refused run reports the error and ends', async () => {
    const bridge = createFakeBridge();
    bridge.on('runEject', () =>
      Promise.resolve({ ok: false, error: { code: 'busy', message: 'Another one runs.' } }),
    );
    const flow = new ActionFlow(bridge);
    await flow.open('eject', target);
    flow.agreeToClose(4242, true);
    await flow.confirm();
    expect(flow.phase).toBe('done');
    expect(flow.error?.code).toBe('busy');
  });
});

describe('applyProgress', () => {
  const plan = {
    ...ejectPlan(),
    steps: [
      { step: 'close-app', detail: 'close a', privileged: false },
      { step: 'close-app', detail: 'close b', privileged: false },
      { step: 'unbind', detail: 'unbind', privileged: true },
    ],
  } as const;

  it('moves through repeated steps in order', () => {
    let rows = rowsFromPlan(plan);
    rows = applyProgress(rows, { step: 'close-app', status: 'running', detail: 'closing a' });
    rows = applyProgress(rows, { step: 'close-app', status: 'done', detail: '' });
    rows = applyProgress(rows, { step: 'close-app', status: 'running', detail: 'closing b' });
    expect(rows.map((r) => [r.status, r.note])).toEqual([
      ['done', null],
      ['running', 'closing b'],
      ['pending', null],
    ]);
  });

  it('appends a step the plan did not list instead of losing it', () => {
    const rows = applyProgress(rowsFromPlan(plan), {
      step: 'unload-modules',
      status: 'failed',
      detail: 'nvidia_drm in use',
    });
    expect(rows.at(-1)).toMatchObject({
      step: 'unload-modules',
      status: 'failed',
      note: 'nvidia_drm in use',
    });
  });
});
