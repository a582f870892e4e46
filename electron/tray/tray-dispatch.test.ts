import { describe, expect, it } from 'vitest';
import { createTrayDispatch } from './tray-dispatch.js';

describe('tray dispatch', () => {
  it('routes each menu action to what it does', () => {
    const seen: string[] = [];
    const dispatch = createTrayDispatch({
      eject: (gpu) => seen.push(`eject ${gpu}`),
      recover: (gpu) => seen.push(`recover ${gpu ?? 'any'}`),
      showWindow: () => seen.push('window'),
      toggleAutostart: () => seen.push('autostart'),
      quit: () => seen.push('quit'),
    });
    dispatch({ type: 'eject', gpu: '0000:0a:00.0' });
    dispatch({ type: 'recover', gpu: null });
    dispatch({ type: 'open-window' });
    dispatch({ type: 'toggle-autostart' });
    dispatch({ type: 'quit' });
    expect(seen).toEqual(['eject 0000:0a:00.0', 'recover any', 'window', 'autostart', 'quit']);
  });
});
