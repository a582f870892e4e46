import { describe, expect, it } from 'vitest';
import { createShellCore } from './core-factory.js';

describe('the tray app core', () => {
  it('is the live core by default, without demo controls', async () => {
    const c = await createShellCore(['egpu-guard'], {});
    expect(c).toMatchObject({ mode: 'electron', demo: null, notice: null });
    expect(typeof c.core.snapshot).toBe('function');
  });

  it('is the simulated machine with --demo, and says so', async () => {
    const c = await createShellCore(['egpu-guard', '--demo'], {});
    expect(c.mode).toBe('demo');
    expect(c.demo).not.toBeNull();
    expect(c.notice).toMatch(/Simulation/);
  });
});
