import { describe, expect, it } from 'vitest';
import { createFakeBridge } from '../test/fake-bridge.js';
import { egpuEntry, incident, snapshot, T0 } from '../test/fixtures.js';
import { StatusModel } from './status-model.svelte.js';

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('StatusModel', () => {
  it('loads app info and the snapshot, then follows pushes', async () => {
    const bridge = createFakeBridge({ mode: 'demo' });
    const model = new StatusModel(bridge);
    const off = model.connect();
    await settle();
    expect(model.isDemo).toBe(true);
    expect(model.gpus.map((g) => g.external)).toEqual([true, false]);
    const next = snapshot({ gpus: [egpuEntry('safe-to-unplug')], updatedAt: T0 + 5 });
    bridge.pushSnapshot(next);
    expect(model.snapshot).toBe(next);
    off();
    bridge.pushSnapshot(snapshot({ updatedAt: T0 + 9 }));
    expect(model.snapshot).toBe(next);
  });

  it('keeps the newer snapshot when an older one arrives late', () => {
    const model = new StatusModel(createFakeBridge());
    const newer = snapshot({ updatedAt: T0 + 10 });
    model.accept(newer);
    model.accept(snapshot({ updatedAt: T0 }));
    expect(model.snapshot).toBe(newer);
  });

  it('sorts incidents newest first', () => {
    const model = new StatusModel(createFakeBridge());
    model.accept(snapshot({ incidents: [incident('a', T0, 'A'), incident('b', T0 + 1, 'B')] }));
    expect(model.incidents.map((i) => i.id)).toEqual(['b', 'a']);
  });

  it('reports a failed load', async () => {
    const bridge = createFakeBridge();
    bridge.on('getSnapshot', () =>
      Promise.resolve({ ok: false, error: { code: 'io', message: 'unreachable' } }),
    );
    const model = new StatusModel(bridge);
    model.connect();
    await settle();
    expect(model.error).toEqual({ code: 'io', message: 'unreachable' });
    model.say('fine');
    expect(model.error).toBeNull();
  });

  it('a new demo action clears the last confirmation (it would be stale)', async () => {
    const model = new StatusModel(createFakeBridge({ mode: 'demo' }));
    model.say('Asked ollama (pid 2231) to quit.');
    const acting = model.demo('reset');
    expect(model.message).toBeNull();
    await acting;
    expect(model.message).toBeNull();
  });

  it('a new demo action clears the last refusal too', async () => {
    const model = new StatusModel(createFakeBridge({ mode: 'demo' }));
    model.report({ code: 'invalid-input', message: 'The enclosure is already plugged in.' });
    await model.demo('unplug');
    expect(model.error).toBeNull();
  });
});

describe('StatusModel: what it says when things change', () => {
  it('announces a GPU state change in the shared vocabulary’s words, not the first picture', () => {
    const model = new StatusModel(createFakeBridge());
    model.accept(snapshot({ gpus: [egpuEntry('in-use')] }));
    expect(model.announcement).toBe('');
    model.accept(snapshot({ gpus: [egpuEntry('in-use')], updatedAt: T0 + 1 }));
    expect(model.announcement).toBe('');
    model.accept(
      snapshot({
        gpus: [egpuEntry('safe-to-unplug', { present: false, departure: 'safe-eject' })],
        updatedAt: T0 + 2,
      }),
    );
    expect(model.announcement).toBe(
      'NVIDIA GeForce RTX 3070: safe to unplug. Nothing uses it any more. Unplug the Razer Core X now.',
    );
  });

  it('"Asked ollama to quit." goes when ollama is gone, or at the next state change', () => {
    const model = new StatusModel(createFakeBridge());
    model.accept(snapshot({ gpus: [egpuEntry('in-use')] }));
    model.say('Asked ollama (pid 4242) to quit.', 4242);
    // Still there while ollama still holds the GPU.
    model.accept(snapshot({ gpus: [egpuEntry('in-use')], updatedAt: T0 + 1 }));
    expect(model.message).toBe('Asked ollama (pid 4242) to quit.');
    // The client scan no longer lists it (the state has not changed yet): gone.
    model.accept(snapshot({ gpus: [egpuEntry('in-use', { clients: [] })], updatedAt: T0 + 2 }));
    expect(model.message).toBeNull();
    // Any other confirmation goes with the next state change.
    model.say('Done.');
    model.accept(snapshot({ gpus: [egpuEntry('attached')], updatedAt: T0 + 3 }));
    expect(model.message).toBeNull();
  });
});
