import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessPool } from '../../inventory/test/processes.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import { worldReadableBuild } from '../../test/world-readable-build.js';
import { EGPU_BIN, runCliInProcess, runCliProcess } from '../test/run-cli.js';

let f: SysrootFixture;
let pool: ProcessPool;
let ollama: number;
beforeAll(() => {
  f = makeSysroot(scenarioByName('tb3-nvidia')!);
  pool = new ProcessPool();
  ollama = pool.hold('ollama', [
    f.host('/dev/nvidia0'),
    f.host('/dev/nvidiactl'),
    f.host('/dev/nvidia-uvm'),
  ]).pid;
  pool.hold('gnome-shell', [f.host('/dev/dri/card0')]);
});
afterAll(() => {
  pool.dispose();
  f.cleanup();
});

describe('egpu clients', () => {
  it('--json lists holders per GPU with the documented keys', async () => {
    const r = await runCliProcess(['clients', '--json', '--root', f.dir]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { clients: Record<string, unknown>[]; uninspectable: number };
    const o = j.clients.find((c) => c['pid'] === ollama);
    expect(o).toMatchObject({
      comm: 'ollama',
      gpu: '0000:0a:00.0',
      role: 'compute',
      user: 'root',
      uid: 0,
    });
    expect(Object.keys(o!)).toEqual(
      expect.arrayContaining(['pid', 'comm', 'cmdline', 'uid', 'user', 'gpu', 'nodes', 'role']),
    );
    expect(typeof j.uninspectable).toBe('number');
  });

  it('--gpu filters, accepts short forms, and rejects an unknown GPU with exit 1', async () => {
    const r = await runCliInProcess(['clients', '--json', '--gpu', '00:02.0', '--root', f.dir]);
    const j = JSON.parse(r.stdout) as { clients: { gpu: string; comm: string }[] };
    expect(j.clients.length).toBeGreaterThan(0);
    expect(new Set(j.clients.map((c) => c.gpu))).toEqual(new Set(['0000:00:02.0']));
    const bad = await runCliInProcess(['clients', '--gpu', '0000:99:00.0', '--root', f.dir]);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(
      /no GPU at 0000:99:00\.0 \(GPUs here: 0000:00:02\.0, 0000:0a:00\.0\)/,
    );
  });

  it('names the GPU asked about when nothing holds it', async () => {
    const empty = makeSysroot(scenarioByName('tb3-nvidia')!); // no process holds its nodes
    try {
      const r = await runCliInProcess(['clients', '--gpu', '0a:00.0', '--root', empty.dir]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^No process holds NVIDIA GeForce RTX 3070 \(0000:0a:00\.0\)\.$/m);
      const all = await runCliInProcess(['clients', '--root', empty.dir]);
      expect(all.stdout).toMatch(/^No process holds a GPU\.$/m);
    } finally {
      empty.cleanup();
    }
  });

  it('human output groups by GPU', async () => {
    const r = await runCliInProcess(['clients', '--root', f.dir]);
    expect(r.stdout).toMatch(/NVIDIA GeForce RTX 3070 \(0000:0a:00\.0, external\) — \d+ process/);
    expect(r.stdout).toMatch(new RegExp(`${ollama}\\s+root\\s+compute`));
  });

  it("as an unprivileged user, other users' processes are counted, not fatal", () => {
    // nobody must be able to read the build and the sysroot, wherever this checkout lives.
    fs.chmodSync(f.dir, 0o755);
    const build = worldReadableBuild();
    let out: string;
    try {
      out = execFileSync(
        'runuser',
        [
          '-u',
          'nobody',
          '--',
          process.execPath,
          build.pathOf(EGPU_BIN),
          'clients',
          '--json',
          '--root',
          f.dir,
        ],
        { cwd: build.root, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } },
      ).toString();
    } catch (e) {
      throw new Error(`runuser failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}`, {
        cause: e,
      });
    } finally {
      build.cleanup();
    }
    const j = JSON.parse(out) as { clients: { pid: number }[]; uninspectable: number };
    expect(j.uninspectable).toBeGreaterThan(0);
    expect(j.clients.find((c) => c.pid === ollama)).toBeUndefined();
  });
});
