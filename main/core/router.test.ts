// The one router, in-process: both transports (Electron IPC, browser mode) serve this table.
import { describe, expect, it } from 'vitest';
import { FakeCore } from './test/fake-core.js';
import { createActionRuns, createRouter } from './router.js';

const appInfo = () => ({ mode: 'demo' as const, version: '0', trayHost: null, notice: null });

describe('router', () => {
  it('runs a desktop action only as the advice offers it, and one that closes apps only when confirmed', async () => {
    const core = new FakeCore();
    const runs = createActionRuns({ send: () => undefined });
    const r = createRouter({ core, runs, demo: null, appInfo });
    expect(await r['compositor:run']({ id: 'logout', confirmed: false })).toEqual({
      ok: true,
      value: { message: 'Log out and back in: done (simulated)' },
    });
    const warned = await r['compositor:run']({ id: 'restart-display-manager', confirmed: false });
    expect(warned).toMatchObject({ ok: false, error: { code: 'blocked' } });
    const unknown = await r['compositor:run']({ id: 'format-disk', confirmed: true });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('one guided action at a time, whatever started it', async () => {
    const core = new FakeCore();
    const runs = createActionRuns({ send: () => undefined });
    const r = createRouter({ core, runs, demo: null, appInfo });
    const bdf = core.snapshot().gpus.find((g) => g.external)!.bdf;
    const first = await r['eject:run']({ bdf, closePids: [], force: false });
    expect(first.ok).toBe(true);
    const second = await r['recover:run']({ bdf: null });
    expect(second).toMatchObject({ ok: false, error: { code: 'busy' } });
    runs.dispose();
    await core.stop();
  });
});
