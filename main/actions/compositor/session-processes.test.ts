// The process-name scan against the real /proc, with real processes under chosen names.
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessPool } from '../../inventory/test/processes.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { POLKIT_AGENTS, SESSION_PROGRAMS } from './session-names.js';
import { findProcesses } from './session-processes.js';

const pool = new ProcessPool();
afterAll(() => pool.dispose());

describe('findProcesses (real /proc)', () => {
  it('finds compositors by name, and agents whose comm the kernel cut to 15 characters', () => {
    const sway = pool.hold('sway', []);
    const agent = pool.hold('polkit-gnome-authentication-agent-1', []);
    const decoy = pool.hold('polkit-gnome-au', []); // comm matches, argv[0] does not
    const other = pool.hold('swayidle', []);
    const found = findProcesses(createSystemRoot(), [...SESSION_PROGRAMS, ...POLKIT_AGENTS]);
    const byPid = new Map(found.map((p) => [p.pid, p]));
    expect(byPid.get(sway.pid)).toMatchObject({
      name: 'sway',
      comm: 'sway',
      uid: process.getuid!(),
    });
    expect(byPid.get(agent.pid)).toMatchObject({
      name: 'polkit-gnome-authentication-agent-1',
      comm: 'polkit-gnome-au',
    });
    expect(byPid.has(decoy.pid)).toBe(false);
    expect(byPid.has(other.pid)).toBe(false);
  });

  it('an unreadable process table gives nothing, not an error', () => {
    expect(findProcesses(createSystemRoot({ proc: '/nonexistent-proc' }), ['sway'])).toEqual([]);
  });
});
