// The demo entry point as a real process (dist/, built by the global setup): it writes the
// scenario, applies a helper write made from outside, takes hardware commands on stdin and ends
// cleanly on SIGTERM.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { HELPER_BIN, REPO_ROOT } from '../helper/test/helper-fixture.js';

const CLI = path.join(REPO_ROOT, 'dist/main/sim/kernel-cli.js');
let tmp: string | undefined;
afterEach(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kernel-cli', () => {
  it('runs a scenario until SIGTERM, applying helper writes and stdin hardware commands', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-kernel-cli-'));
    const dir = path.join(tmp, 'root');
    const child = spawn(process.execPath, [CLI, dir, 'usb4-amd'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // A failed assertion must not leave the simulator running.
    onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')));
    await until(() => stdout.includes('running in'));
    const udevLog = path.join(dir, 'run/egpu-sim/udev.log');
    const helper = spawnSync(process.execPath, [
      HELPER_BIN,
      '--test-root',
      dir,
      'remove',
      '0000:66:00.1',
    ]);
    expect(helper.status).toBe(0);
    await until(() =>
      fs.readFileSync(udevLog, 'utf8').includes('remove   /devices/pci0000:00/0000:00:03.1'),
    );
    child.stdin.write('unplug\n');
    await until(() => stdout.includes('egpu-sim: unplugged'));
    expect(fs.readFileSync(path.join(dir, 'run/egpu-sim/kern.log'), 'utf8')).toMatch(
      /\] thunderbolt 0-1: device disconnected\n/,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses bad arguments with exit 2', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-kernel-cli-'));
    fs.writeFileSync(path.join(tmp, 'x'), '');
    for (const args of [
      [],
      [tmp],
      [path.join(tmp, 'a'), 'no-such-scenario'],
      [tmp, 'tb3-nvidia'],
    ]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^egpu-sim: /);
    }
  });
});
