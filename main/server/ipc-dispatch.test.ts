import { describe, expect, it } from 'vitest';
import type { Core } from '../core/api.js';
import { createFakeCore } from '../core/test/fake-core.js';
import { ManualClock } from '../platform/clock.js';
import { createIpcDispatcher, type PushMessage } from './ipc-dispatch.js';

const APP = { mode: 'browser' as const, version: '0', trayHost: null, notice: null };

describe('IPC dispatcher', () => {
  it('runs one guided action at a time and cancels by run id', async () => {
    const clock = new ManualClock();
    const core = createFakeCore({ clock, stepMs: 10 });
    let n = 0;
    const dispatcher = createIpcDispatcher({
      core,
      demo: core,
      appInfo: APP,
      newRunId: () => `run-${++n}`,
    });
    const pushes: PushMessage[] = [];
    dispatcher.onPush((m) => pushes.push(m));
    const input = { bdf: '0000:0a:00.0', closePids: [4242], force: false };
    expect(await dispatcher.invoke('eject:run', input)).toEqual({
      ok: true,
      value: { runId: 'run-1' },
    });
    expect(await dispatcher.invoke('recover:run', { bdf: null })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
    expect(await dispatcher.invoke('action:cancel', { runId: 'run-9' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    clock.advance(0);
    expect(await dispatcher.invoke('action:cancel', { runId: 'run-1' })).toEqual({
      ok: true,
      value: null,
    });
    for (let i = 0; i < 5; i++) {
      clock.advance(10);
      await Promise.resolve();
    }
    const finals = pushes.flatMap((p) =>
      p.channel === 'action:progress' && p.payload.final ? [p.payload] : [],
    );
    expect(finals).toEqual([
      { runId: 'run-1', final: expect.objectContaining({ result: 'cancelled' }) },
    ]);
    // The run is over: another may start.
    expect(await dispatcher.invoke('eject:run', input)).toMatchObject({ ok: true });
    dispatcher.dispose();
  });

  it('a throwing core becomes an internal error, reported as a bug', async () => {
    const core = createFakeCore();
    const broken = new Proxy(core, {
      get: (target, key: keyof Core) =>
        key === 'planEject'
          ? () => Promise.reject(new Error('boom at /work/secret.ts:12'))
          : (target[key] as (...a: unknown[]) => unknown).bind(target),
    }) as Core;
    const bugs: string[] = [];
    const dispatcher = createIpcDispatcher({
      core: broken,
      demo: null,
      appInfo: APP,
      onBug: (channel) => bugs.push(channel),
    });
    expect(await dispatcher.invoke('eject:plan', { bdf: '0000:0a:00.0' })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'eGPU Guard hit an internal error (eject:plan).' },
    });
    expect(bugs).toEqual(['eject:plan']);
  });

  it('maps core errors to IpcResult errors without extra fields', async () => {
    const core = createFakeCore();
    const dispatcher = createIpcDispatcher({ core, demo: null, appInfo: APP });
    expect(await dispatcher.invoke('client:close', { pid: 999, force: false })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No process 999 is using a GPU.' },
    });
    expect(await dispatcher.invoke('eject:plan', { bdf: '0000:0b:00.0' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No GPU at 0000:0b:00.0.' },
    });
  });
});
