// `egpu watch` runs the transition hooks (docs/hooks.md) unless --no-hooks: a real watch follows
// the simulated kernel, the eGPU is pulled out, and the sysroot's own hooks.d is run — or, when
// the tests run as root, is not (hooks never run as root) and the hooks log says why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { simMachineArgs, startSim, type SimFixture } from '../../sim/test/sim-fixture.js';
import { startCli, type CliChild } from '../test/cli-child.js';

const AS_ROOT = process.getuid?.() === 0;
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Line = { type: string; state?: string; notice?: string; text?: string };
const parse = (l: string): Line => JSON.parse(l) as Line;

/** A watch over a simulated eGPU, attached, with one failing hook in the sysroot's hooks.d. */
async function watching(
  extra: readonly string[],
): Promise<{ sim: SimFixture; watch: CliChild; marker: string; log: string }> {
  const sim = startSim(scenarioByName('tb3-nvidia')!);
  const state = path.join(sim.dir, 'var/lib/egpu-guard');
  const hooks = path.join(state, 'hooks.d');
  const marker = path.join(sim.dir, 'hook-ran');
  fs.mkdirSync(hooks, { recursive: true, mode: 0o700 });
  fs.writeFileSync(
    path.join(hooks, '10-note'),
    `#!/bin/sh\necho "$1 $EGPU_BDF $EGPU_FROM" >> '${marker}'\necho "ollama.service not found" >&2\nexit 1\n`,
    { mode: 0o755 },
  );
  const watch = startCli([
    'watch',
    '--json',
    '--no-dbus',
    '--no-notify',
    ...simMachineArgs(sim),
    ...extra,
  ]);
  cleanups.push(
    () => sim.cleanup(),
    () => watch.stop('SIGKILL'),
  );
  await watch.waitFor((l) => parse(l).type === 'state', 15_000);
  await watch.waitFor((l) => parse(l).type === 'source' && l.includes('text-log'), 15_000);
  return { sim, watch, marker, log: path.join(state, 'hooks.log') };
}

const eventually = async (check: () => boolean, ms = 5000): Promise<boolean> => {
  for (let waited = 0; waited < ms; waited += 50) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
};
const read = (p: string): string => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '');

describe('egpu watch and user hooks', () => {
  it('runs the hooks of a surprise unplug (not of the picture it started with); a failure is a NOTICE', async () => {
    const { sim, watch, marker, log } = await watching([]);
    const mark = watch.lines.length;
    sim.kernel.unplug();
    await watch.waitFor((l) => parse(l).state === 'surprise-removed', 10_000, mark);
    if (AS_ROOT) {
      expect(await eventually(() => read(log).includes('hooks not run:'))).toBe(true);
      expect(read(log)).toMatch(
        /hooks not run: eGPU Guard runs as root, and hooks never run as root/,
      );
      expect(fs.existsSync(marker)).toBe(false);
      return;
    }
    const notice = parse(
      await watch.waitFor((l) => parse(l).notice === 'hook-failed', 10_000, mark),
    );
    expect(notice.text).toBe(
      'Hook "10-note" (surprise-removed) exited with status 1: ollama.service not found.',
    );
    expect(read(marker)).toBe('surprise-removed 0000:0a:00.0 attached\n');
    expect(read(log)).toMatch(/surprise-removed 0000:0a:00\.0 "10-note": exited with status 1/);
  });

  it('--no-hooks runs none (and says nothing about them)', async () => {
    const { sim, watch, marker, log } = await watching(['--no-hooks']);
    const mark = watch.lines.length;
    sim.kernel.unplug();
    await watch.waitFor((l) => parse(l).state === 'surprise-removed', 10_000, mark);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(log)).toBe(false);
    expect(watch.lines.slice(mark).some((l) => parse(l).notice === 'hook-failed')).toBe(false);
  });
});
