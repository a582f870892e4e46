import { describe, expect, it } from 'vitest';
import { gpuWords } from './gpu-words.js';
import { GPU_STATES, type Departure, type GpuEntry, type GpuLifecycle } from './snapshot.js';

const entry = (state: GpuLifecycle, departure: Departure | null = null): GpuEntry => ({
  bdf: '0000:0a:00.0',
  name: 'NVIDIA GeForce RTX 3070',
  vendorId: '0x10de',
  deviceId: '0x2484',
  external: true,
  enclosure: { name: 'Razer Core X', router: '0-1', uniqueId: 'dc01' },
  state,
  since: 0,
  present: false,
  info: null,
  clients: null,
  clientsAt: null,
  incident: null,
  departure,
});

describe('gpuWords', () => {
  it('says "not in use" only once the apps were looked for', () => {
    // Before the first client scan (a core just started): ready, and nothing claimed about apps.
    expect(gpuWords(entry('attached'))).toMatchObject({ short: 'attached', explanation: 'Ready.' });
    expect(gpuWords({ ...entry('attached'), clients: [], clientsAt: 0 })).toMatchObject({
      short: 'attached, not in use',
      explanation: 'Ready. No app is using it.',
    });
  });

  it('has words, a severity and at most one primary action for every state', () => {
    for (const state of GPU_STATES) {
      const w = gpuWords(entry(state));
      expect(w.short, state).not.toBe('');
      expect(w.explanation, state).toMatch(/\.$/);
      expect(['info', 'warning', 'critical']).toContain(w.severity);
    }
  });

  it('counts the apps it speaks of: one app is "an app", none found means no warning about them', () => {
    const app = {
      pid: 7,
      comm: 'ollama',
      cmdline: 'ollama serve',
      uid: 1000,
      user: 'alice',
      gpu: '0000:0a:00.0',
      nodes: ['/dev/nvidia0'],
      via: ['fd' as const],
      role: 'compute' as const,
    };
    const one = gpuWords({ ...entry('in-use'), clients: [app] });
    expect(`${one.short}. ${one.explanation}`).toBe(
      'in use by 1 app. An app is using it. Eject it before unplugging.',
    );
    const two = gpuWords({ ...entry('in-use'), clients: [app, { ...app, pid: 8 }] });
    expect(two.explanation).toBe('Apps are using it. Eject it before unplugging.');
    const deadIdle = gpuWords({ ...entry('fell-off-bus'), clients: [] });
    expect(deadIdle.explanation).toBe('The GPU stopped answering on the PCIe bus.');
    const deadUsed = gpuWords({ ...entry('fell-off-bus'), clients: [app] });
    expect(deadUsed.explanation).toBe(
      'The GPU stopped answering on the PCIe bus. Apps using it will fail.',
    );
  });

  it('tells the three ways of leaving the bus apart', () => {
    const safe = gpuWords(entry('unplugged', 'safe-eject'));
    expect(safe).toMatchObject({ key: 'unplugged-after-eject', severity: 'info', primary: null });
    expect(safe.explanation).toBe('Unplugged after a safe eject.');
    const surprise = gpuWords(entry('unplugged', 'surprise'));
    expect(surprise).toMatchObject({ key: 'unplugged', primary: 'recover' });
    expect(surprise.explanation).not.toMatch(/safe eject\./);
    const dead = gpuWords(entry('unplugged', 'fell-off-bus'));
    expect(dead).toMatchObject({ severity: 'critical', primary: null });
    expect(dead.explanation).toMatch(/Reconnect the Razer Core X/);
  });

  it('after a safe eject names what to unplug, and offers reuse, not recovery', () => {
    const w = gpuWords(entry('safe-to-unplug', 'safe-eject'));
    expect(w.explanation).toBe('Nothing uses it any more. Unplug the Razer Core X now.');
    expect(w).toMatchObject({ primary: null, canReuse: true, severity: 'info' });
    expect(gpuWords({ ...entry('safe-to-unplug'), enclosure: null }).explanation).toMatch(
      /Unplug the enclosure now\./,
    );
  });

  it('plugged back in after a safe eject, offers reuse in the words of reuse, not a repair', () => {
    const w = gpuWords(entry('connected', 'safe-eject'));
    expect(w).toMatchObject({ key: 'connected-after-eject', primary: null, canReuse: true });
    expect(w.severity).toBe('info');
    expect(w.explanation).toBe(
      'The Razer Core X is connected again. Choose Use it again to bring the GPU up.',
    );
    // Back after a yank it is a recovery.
    expect(gpuWords(entry('connected', 'surprise'))).toMatchObject({ primary: 'recover' });
  });

  it('offers no Recover while the enclosure is unplugged too, and says what brings it back', () => {
    const gone = (state: GpuLifecycle, departure: Departure) => ({
      ...entry(state, departure),
      enclosureGone: true as const,
    });
    for (const w of [
      gpuWords(gone('surprise-removed', 'surprise')),
      gpuWords({ ...gone('surprise-removed', 'surprise'), clientsAt: 1 }),
      gpuWords(gone('unplugged', 'surprise')),
    ]) {
      expect(w.primary, w.key).toBeNull();
      expect(w.explanation, w.key).toMatch(/Plug the Razer Core X back in to use it again\./);
      expect(w.explanation, w.key).not.toMatch(/Recover/);
    }
    // After a failed recovery, pulled as told: not "unplug it" again.
    const dead = gpuWords(gone('unplugged', 'fell-off-bus'));
    expect(dead.explanation).toMatch(/The Razer Core X is unplugged now: wait ten seconds/);
    expect(dead.explanation).not.toMatch(/unplug it,/);
    // Still connected (or not known): Recover stays.
    expect(gpuWords(entry('surprise-removed', 'surprise')).primary).toBe('recover');
  });
});
