// The preload exposes named methods only; ipcRenderer and its events never reach the renderer.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS } from '../../main/common/ipc/channels.js';
import type { BridgeApi } from '../../main/common/ipc/contract.js';
import { contextBridge, ipcRenderer, resetFakeElectron } from '../test/fake-electron.js';
import { createBridge } from './bridge.js';

describe('preload bridge', () => {
  beforeEach(() => resetFakeElectron());

  it('exposes window.egpu with one method per channel plus the three subscriptions', async () => {
    vi.resetModules();
    const fake = await import('../test/fake-electron.js');
    await import('./index.js');
    expect([...fake.contextBridge.exposed.keys()]).toEqual(['egpu']);
    const api = fake.contextBridge.exposed.get('egpu') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(
      [...Object.keys(INVOKE_CHANNELS), 'onActionProgress', 'onFocus', 'onSnapshot'].sort(),
    );
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.isFrozen(api)).toBe(true);
    expect(contextBridge.exposed.size).toBe(0); // the static import is a different registry
  });

  it('invokes the contract channel for each method, with the one input', async () => {
    const bridge = createBridge(ipcRenderer);
    ipcRenderer.reply = (channel) => Promise.resolve({ ok: true, value: channel });
    expect(await bridge.planEject({ bdf: '0000:0a:00.0' })).toEqual({
      ok: true,
      value: 'eject:plan',
    });
    expect(await bridge.getSnapshot(undefined)).toEqual({ ok: true, value: 'snapshot:get' });
    expect(ipcRenderer.invoked).toEqual([
      { channel: 'eject:plan', args: [{ bdf: '0000:0a:00.0' }] },
      { channel: 'snapshot:get', args: [undefined] },
    ]);
  });

  it('answers with an IpcResult even when the main process does not', async () => {
    const bridge = createBridge(ipcRenderer);
    ipcRenderer.reply = () => Promise.reject(new Error("No handler registered for 'app:info'"));
    expect(await bridge.appInfo(undefined)).toEqual({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('app:info') },
    });
  });

  it('hands listeners the payload without the event, isolates throwing listeners, unsubscribes', () => {
    const bridge: BridgeApi = createBridge(ipcRenderer);
    const seen: unknown[][] = [];
    const off = bridge.onSnapshot((...args: unknown[]) => seen.push(args));
    bridge.onSnapshot(() => {
      throw new Error('renderer bug');
    });
    const progress: unknown[] = [];
    bridge.onActionProgress((m) => progress.push(m));
    const event = { sender: ipcRenderer, senderId: 0 };
    expect(() => ipcRenderer.emit('snapshot:changed', event, { gpus: [] })).not.toThrow();
    ipcRenderer.emit('action:progress', event, { runId: 'eject-1' });
    const focus: unknown[] = [];
    bridge.onFocus((f) => focus.push(f));
    ipcRenderer.emit('ui:focus', event, { action: 'eject', bdf: '0000:0a:00.0' });
    expect(seen).toEqual([[{ gpus: [] }]]);
    expect(progress).toEqual([{ runId: 'eject-1' }]);
    expect(focus).toEqual([{ action: 'eject', bdf: '0000:0a:00.0' }]);
    off();
    ipcRenderer.emit('snapshot:changed', event, { gpus: [1] });
    expect(seen).toHaveLength(1);
    expect(ipcRenderer.listenerCount('snapshot:changed')).toBe(1);
  });
});
