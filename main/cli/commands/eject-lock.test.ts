// `egpu eject --yes` as real child processes against the simulated kernel: a second eject (or a
// recovery) of a GPU that is being ejected is refused with the first one's pid, and an eject whose
// "in progress" intent cannot be recorded stops before any kernel write.

import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { startSim } from '../../sim/test/sim-fixture.js';
import { EGPU_BIN, runCliProcess } from '../test/run-cli.js';

const EGPU = '0000:0a:00.0';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('egpu eject: one at a time per GPU', () => {
  it('a second eject and a recovery of a GPU being ejected are refused with its pid', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    // The unbind file becomes a FIFO nobody reads: the first eject hangs in its unbind step
    // (until its 4 s step timeout) the way a busy driver holds it.
    const unbind = path.join(sim.dir, 'sys/bus/pci/drivers/nvidia/unbind');
    fs.rmSync(unbind);
    execFileSync('mkfifo', [unbind]);
    const args = ['eject', EGPU, '--yes', '--json', '--root', sim.dir, '--step-timeout', '4'];
    const first = spawn(process.execPath, [EGPU_BIN, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => first.kill('SIGKILL'));
    let out = '';
    first.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const firstDone = new Promise<number | null>((r) => first.on('close', (code) => r(code)));
    await waitFor(() => /"step":"unbind","status":"running"/.test(out));

    const second = await runCliProcess(args);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `egpu eject: an eject of this GPU is already running (pid ${first.pid})\n`,
    );
    // With --json the refusal is one object with its code, and no plan or step ran.
    expect(JSON.parse(second.stdout)).toEqual({
      result: 'failed',
      detail: `an eject of this GPU is already running (pid ${first.pid})`,
      code: 'already-running',
    });

    const recover = await runCliProcess(['recover', EGPU, '--yes', '--no-dbus', '--root', sim.dir]);
    expect(recover.code).toBe(1);
    expect(recover.stderr).toBe(
      `egpu recover: an eject of this GPU is already running (pid ${first.pid})\n`,
    );
    expect(recover.stdout).toBe('');

    expect(await firstDone).toBe(3); // stuck in the unbind, as the FIFO made it
    // It let go of the lock: the next eject is not refused.
    expect(fs.readdirSync(path.join(sim.dir, 'run/egpu-guard/locks'))).toEqual([]);
  });

  it('stops before any kernel write when the eject intent cannot be recorded', async () => {
    const sim = startSim(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => sim.cleanup());
    // A file where the intents folder should be: every write of an intent fails.
    fs.mkdirSync(path.join(sim.dir, 'run/egpu-guard'), { recursive: true });
    fs.writeFileSync(path.join(sim.dir, 'run/egpu-guard/ejecting'), '');
    const from = sim.events.length;
    const r = await runCliProcess(['eject', EGPU, '--yes', '--root', sim.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^egpu eject: cannot record that an eject of ${EGPU} is under way \\(.*\\), so eGPU Guard would report the removal as a surprise; nothing was changed\\n$`,
      ),
    );
    expect(r.stdout).not.toMatch(/SAFE TO UNPLUG|✓/);
    expect(sim.exists(`/sys/bus/pci/devices/${EGPU}/driver`)).toBe(true);
    expect(sim.events.slice(from).filter((e) => e.kind === 'applied')).toEqual([]);
    const json = await runCliProcess(['eject', EGPU, '--yes', '--json', '--root', sim.dir]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      result: 'failed',
      code: 'intent-not-recorded',
    });
  });
});
