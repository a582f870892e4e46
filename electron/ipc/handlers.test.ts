// Guided actions through IPC against the FakeCore: runs are started, pushed as action:progress to
// the window, one at a time, cancellable by runId.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActionProgressMessage, AppInfo } from '../../main/common/ipc/contract.js';
import { EGPU_BDF, OLLAMA } from '../../main/core/test/fake-core-data.js';
import { createFakeCore } from '../../main/core/test/fake-core.js';
import {
  FakeWebContents,
  FakeWebFrame,
  ipcMain,
  resetFakeElectron,
} from '../test/fake-electron.js';
import { createActionRuns } from './action-runs.js';
import { createIpcHandlers } from './handlers.js';
import { createPusher } from './push.js';
import { registerValidatedHandlers } from './validated-ipc.js';

const URL = 'file:///app/dist/renderer/index.html';
const appInfo: AppInfo = { mode: 'demo', version: '1', trayHost: null, notice: null };

function setup(stepMs = 1) {
  const window = new FakeWebContents();
  const core = createFakeCore({ stepMs });
  const push = createPusher(() => window);
  const runs = createActionRuns({ send: (m) => push('action:progress', m) });
  registerValidatedHandlers(createIpcHandlers({ core, runs, demo: core, appInfo: () => appInfo }), {
    policy: { rendererUrl: URL, isKnownWebContents: (id) => id === window.id },
  });
  const event = { sender: { id: window.id }, senderFrame: new FakeWebFrame(URL) };
  const invoke = (channel: string, input?: unknown) => ipcMain.invoke(channel, event, input);
  const progress = () =>
    window.sent
      .filter((m) => m.channel === 'action:progress')
      .map((m) => m.payload as ActionProgressMessage);
  const finals = () => progress().filter((m) => m.final !== undefined);
  return { core, invoke, progress, finals };
}

const until = async (cond: () => boolean): Promise<void> => {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('IPC handlers over the Core', () => {
  beforeEach(() => resetFakeElectron());

  it('runs an eject with the apps the user agreed to close and pushes every step', async () => {
    const s = setup();
    const started = (await s.invoke('eject:run', {
      bdf: EGPU_BDF,
      closePids: [OLLAMA.pid],
      force: false,
    })) as {
      ok: true;
      value: { runId: string };
    };
    expect(started).toMatchObject({
      ok: true,
      value: { runId: expect.stringMatching(/^eject-[a-z0-9-]+$/) },
    });
    await until(() => s.finals().length === 1);
    const runId = started.value.runId;
    expect(s.progress().every((m) => m.runId === runId)).toBe(true);
    expect(s.progress().filter((m) => m.progress?.status === 'done').length).toBeGreaterThan(2);
    expect(s.finals()[0]!.final).toMatchObject({ result: 'safe-to-unplug' });
    expect(s.core.snapshot().gpus.find((g) => g.bdf === EGPU_BDF)?.state).toBe('safe-to-unplug');
  });

  it('runs one action at a time and cancels by runId', async () => {
    const s = setup(50);
    const first = (await s.invoke('eject:run', {
      bdf: EGPU_BDF,
      closePids: [OLLAMA.pid],
      force: false,
    })) as {
      value: { runId: string };
    };
    expect(await s.invoke('recover:run', { bdf: null })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
    expect(await s.invoke('action:cancel', { runId: 'eject-not-this-one' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await s.invoke('action:cancel', { runId: first.value.runId })).toEqual({
      ok: true,
      value: null,
    });
    await until(() => s.finals().length === 1);
    expect(s.finals()[0]!.final).toMatchObject({ result: 'cancelled' });
    // Free again once it ended.
    expect(await s.invoke('recover:run', { bdf: null })).toMatchObject({ ok: true });
  });

  it('reports a blocked eject as the final result, not as an IPC error', async () => {
    const s = setup();
    expect(
      await s.invoke('eject:run', { bdf: EGPU_BDF, closePids: [], force: false }),
    ).toMatchObject({ ok: true });
    await until(() => s.finals().length === 1);
    expect(s.finals()[0]!.final).toMatchObject({
      result: 'blocked',
      detail: expect.stringMatching(/ollama/),
    });
  });

  it('serves the demo controls in demo mode, and the other read channels', async () => {
    const s = setup();
    expect(await s.invoke('demo:act', { action: 'fall-off-bus' })).toEqual({
      ok: true,
      value: null,
    });
    const snap = (await s.invoke('snapshot:get')) as {
      value: { gpus: { bdf: string; state: string }[] };
    };
    expect(snap.value.gpus.find((g) => g.bdf === EGPU_BDF)?.state).toBe('fell-off-bus');
    expect(await s.invoke('clients:refresh')).toMatchObject({
      ok: true,
      value: { clients: expect.any(Array) },
    });
    expect(await s.invoke('compositor:advice')).toMatchObject({
      ok: true,
      value: { session: expect.any(String) },
    });
    expect(await s.invoke('recover:plan', { bdf: EGPU_BDF })).toMatchObject({
      ok: true,
      value: { action: 'recover' },
    });
    expect(await s.invoke('client:close', { pid: 1, force: false })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await s.invoke('app:info')).toEqual({ ok: true, value: appInfo });
  });
});
