import { describe, expect, it } from 'vitest';
import { GPU_STATES, type GpuLifecycle } from '../../main/common/snapshot.js';
import { EGPU, EGPU2, gpu, igpu, incident, snapshot } from '../test/snapshots.js';
import {
  TRAY_ICON_STATES,
  trayIconFile,
  trayIconState,
  trayTooltip,
  type TrayIconState,
} from './tray-icon.js';

describe('tray icon state', () => {
  it('maps every lifecycle state of one eGPU', () => {
    const expected: Record<GpuLifecycle, TrayIconState> = {
      absent: 'no-egpu',
      connected: 'attached',
      attached: 'attached',
      'in-use': 'in-use',
      ejecting: 'ejecting',
      'safe-to-unplug': 'safe-to-unplug',
      unplugged: 'no-egpu',
      'fell-off-bus': 'problem',
      'surprise-removed': 'problem',
      stuck: 'problem',
    };
    for (const state of GPU_STATES) {
      expect(trayIconState(snapshot([igpu(), gpu(EGPU, state)])), state).toBe(expected[state]);
    }
  });

  it('shows no eGPU before the first snapshot and with only internal GPUs', () => {
    expect(trayIconState(null)).toBe('no-egpu');
    expect(trayIconState(snapshot([igpu('in-use')]))).toBe('no-egpu');
  });

  it('lets the most urgent eGPU win', () => {
    const two = (a: GpuLifecycle, b: GpuLifecycle) =>
      trayIconState(snapshot([gpu(EGPU, a), gpu(EGPU2, b)]));
    expect(two('in-use', 'fell-off-bus')).toBe('problem');
    expect(two('in-use', 'ejecting')).toBe('ejecting');
    expect(two('attached', 'safe-to-unplug')).toBe('safe-to-unplug');
    expect(two('attached', 'in-use')).toBe('in-use');
    expect(two('unplugged', 'attached')).toBe('attached');
  });

  it('shows trouble on an internal GPU and a critical open incident as a problem', () => {
    expect(trayIconState(snapshot([igpu('fell-off-bus')]))).toBe('problem');
    const wedged = snapshot([gpu(EGPU, 'in-use', { incident: 'inc-1' })], {
      incidents: [incident()],
    });
    expect(trayIconState(wedged)).toBe('problem');
    const minor = snapshot([gpu(EGPU, 'in-use', { incident: 'inc-1' })], {
      incidents: [incident({ severity: 'warning' })],
    });
    expect(trayIconState(minor)).toBe('in-use');
  });

  it('names one PNG per state', () => {
    expect(TRAY_ICON_STATES.map((s) => trayIconFile('/icons', s))).toEqual([
      '/icons/no-egpu.png',
      '/icons/attached.png',
      '/icons/in-use.png',
      '/icons/ejecting.png',
      '/icons/safe-to-unplug.png',
      '/icons/problem.png',
    ]);
  });

  it('writes a tooltip line per eGPU', () => {
    expect(trayTooltip(null)).toBe('eGPU Guard: no external GPU');
    expect(trayTooltip(snapshot([igpu(), gpu(EGPU, 'in-use')]))).toBe(
      'eGPU Guard\nNVIDIA GeForce RTX 3070: in use by 2 apps',
    );
  });
});
