import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../test/run-cli.js';
import { COMMANDS } from './index.js';

describe('the command registry', () => {
  it('every entry loads a command of the same name and summary, with working --help', async () => {
    for (const entry of COMMANDS) {
      const cmd = await entry.load();
      expect(cmd.name).toBe(entry.name);
      expect(cmd.summary).toBe(entry.summary);
      const r = await runCliInProcess([entry.name, '--help']);
      expect(r.code, entry.name).toBe(0);
      expect(r.stdout).toContain(`Usage: egpu ${cmd.usage}`);
      const bad = await runCliInProcess([entry.name, '--no-such-flag']);
      expect(bad, entry.name).toMatchObject({
        code: 2,
        stderr: `egpu ${entry.name}: unknown option '--no-such-flag'\n`,
      });
    }
  });

  it('every command suggests the nearest option for a typo (--dryrun → --dry-run)', async () => {
    for (const entry of COMMANDS) {
      const cmd = await entry.load();
      for (const name of [...Object.keys(cmd.flags), 'help'].filter((n) => n.length >= 4)) {
        const typo = `${name[1]!}${name[0]!}${name.slice(2)}`;
        const r = await runCliInProcess([entry.name, `--${typo}`]);
        expect(r, `${entry.name} --${typo}`).toEqual({
          code: 2,
          stdout: '',
          stderr: `egpu ${entry.name}: unknown option '--${typo}' (did you mean --${name}?)\n`,
        });
      }
    }
    const dry = await runCliInProcess(['restart-compositor', '--run', 'logout', '--dryrun']);
    expect(dry.stderr).toBe(
      "egpu restart-compositor: unknown option '--dryrun' (did you mean --dry-run?)\n",
    );
  });

  it('the global help lists every command', async () => {
    const r = await runCliInProcess(['--help']);
    for (const entry of COMMANDS) expect(r.stdout).toContain(entry.name);
  });
});
