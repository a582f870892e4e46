import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import { runCliInProcess, runCliProcess } from '../test/run-cli.js';
import { readInventory } from '../../inventory/inventory.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { formatStatus } from '../format/status-text.js';

let tb3: SysrootFixture;
let oculink: SysrootFixture;
beforeAll(() => {
  tb3 = makeSysroot(scenarioByName('tb3-nvidia')!);
  oculink = makeSysroot(scenarioByName('oculink-amd')!);
});
afterAll(() => {
  tb3.cleanup();
  oculink.cleanup();
});

describe('egpu status', () => {
  it('--json has the documented shape', async () => {
    const r = await runCliInProcess(['status', '--json', '--root', tb3.dir]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      gpus: Record<string, unknown>[];
      thunderbolt: unknown[];
      modules: unknown[];
    };
    for (const key of [
      'bdf',
      'vendorId',
      'deviceId',
      'name',
      'driver',
      'external',
      'externalEvidence',
      'bootVga',
      'drm',
      'functions',
      'link',
      'runtimeStatus',
      'health',
    ]) {
      expect(j.gpus[0]).toHaveProperty(key);
    }
    expect(j.thunderbolt).toHaveLength(1);
    expect(j.modules.length).toBeGreaterThan(0);
  });

  it('prints a readable summary that names the enclosure and the evidence', async () => {
    const r = await runCliInProcess(['status', '--root', tb3.dir]);
    expect(r.stdout).toContain('2 GPUs, 1 external');
    expect(r.stdout).toContain('NVIDIA GeForce RTX 3070  [external]  0000:0a:00.0');
    expect(r.stdout).toContain('Razer Core X (Thunderbolt 0-1 on domain0)');
    expect(r.stdout).toContain('Intel Iris Xe Graphics  [internal, boot display]');
    expect(r.stdout).not.toContain(tb3.dir);
    expect(r.stdout).toContain('  Health      ok — responds on the bus; awake\n');
    expect(r.stdout).not.toContain('runtime PM');
  });

  it('warns about a degraded link in plain words', async () => {
    const r = await runCliInProcess(['status', '--root', oculink.dir]);
    expect(r.stdout).toContain(
      'DEGRADED — link 0000:00:01.1 → 0000:01:00.0 trained at x2 although both ends support x4',
    );
  });

  it('leads the link line with the path’s bottleneck: the Thunderbolt tunnel’s x4', async () => {
    const r = await runCliInProcess(['status', '--root', tb3.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '  Link        8 GT/s x4 — narrowest link: Thunderbolt/USB4 tunnel 0000:06:01.0 → 0000:08:00.0 (the GPU can do 16 GT/s x16); running as fast as the Thunderbolt link allows\n',
    );
    expect(r.stdout).not.toMatch(/DEGRADED|\? GT\/s|x0\b|x63/);
  });

  it('an idle GPU at 2.5 GT/s is information, and a dGPU wired x8 of x16 is no fault', async () => {
    const f = makeSysroot(scenarioByName('idle-links')!);
    try {
      const r = await runCliInProcess(['status', '--root', f.dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('DEGRADED');
      expect(r.stdout).toContain(
        '  Link        8 GT/s x4 — narrowest link: Thunderbolt/USB4 tunnel 0000:00:07.0 → 0000:2c:00.0 (the GPU can do 16 GT/s x16); 2.5 GT/s now — the GPU lowers its link speed when idle; this path can do 8 GT/s x4\n',
      );
      expect(r.stdout).toContain(
        '16 GT/s x8 — narrowest link: 0000:00:01.0 → 0000:01:00.0 (the GPU can do 16 GT/s x16); 2.5 GT/s now — the GPU lowers its link speed when idle',
      );
    } finally {
      f.cleanup();
    }
  });

  it('a suspended eGPU is not read, and says so; exit 0', async () => {
    const f = makeSysroot(scenarioByName('suspended')!);
    try {
      const r = await runCliInProcess(['status', '--root', f.dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        '  Link        not read (runtime-suspended: not read, so the GPU can stay asleep)\n',
      );
    } finally {
      f.cleanup();
    }
  });

  it('exits 3 when a GPU is unreachable or stuck, and never prints x63 or x0', async () => {
    for (const name of ['fell-off-bus', 'fell-off-bus-all-ones', 'stuck-d3cold']) {
      const f = makeSysroot(scenarioByName(name)!);
      try {
        const r = await runCliInProcess(['status', '--root', f.dir]);
        expect(r.code, name).toBe(3);
        expect(r.stdout, name).not.toMatch(/\? GT\/s|x0\b|x63|no PCIe link information/);
        const j = await runCliInProcess(['status', '--json', '--root', f.dir]);
        expect(j.code, name).toBe(3);
      } finally {
        f.cleanup();
      }
    }
    const f = makeSysroot(scenarioByName('fell-off-bus-all-ones')!);
    try {
      const r = await runCliInProcess(['status', '--root', f.dir]);
      // No link first, then what the path could carry: not a speed and "no link" as if both held.
      expect(r.stdout).toContain(
        '  Link        no link at the GPU — link reads return all ones (width 63, speed Unknown): the GPU is powered down or has fallen off the bus; the path to it can do 8 GT/s x4 (narrowest link: Thunderbolt/USB4 tunnel 0000:06:01.0 → 0000:08:00.0)\n',
      );
      // What runtime PM believes ("active") is not said of a device that does not answer.
      expect(r.stdout).toMatch(/ {2}Health {6}UNREACHABLE — [^\n]*fell off the bus\n/);
    } finally {
      f.cleanup();
    }
  });

  it('names a remembered eGPU that is not on the bus, and what brings up a waiting enclosure', async () => {
    const f = makeSysroot(scenarioByName('desktop-single')!);
    try {
      fs.mkdirSync(`${f.dir}/var/lib/egpu-guard`, { recursive: true });
      fs.writeFileSync(
        `${f.dir}/var/lib/egpu-guard/known-gpus.json`,
        JSON.stringify([
          {
            bdf: '0000:0a:00.0',
            name: 'NVIDIA GeForce RTX 3070',
            vendorId: '0x10de',
            deviceId: '0x2484',
            enclosure: { name: 'Razer Core X', router: '0-1', uniqueId: 'dc01' },
          },
        ]),
      );
      const r = await runCliInProcess(['status', '--root', f.dir]);
      expect(r.stdout.split('\n').slice(0, 2)).toEqual([
        '1 GPU, 0 external',
        `Not on the bus now: NVIDIA GeForce RTX 3070 (seen before at 0000:0a:00.0) — plug in the Razer Core X, then \`egpu recover --dry-run --root ${f.dir}\` shows how to bring it up`,
      ]);
      expect(r.code).toBe(0);
    } finally {
      f.cleanup();
    }
    const r = await runCliInProcess(['status', '--root', tb3.dir]);
    expect(r.stdout).not.toMatch(/Not on the bus now|egpu recover/);
    // After a safe eject the enclosure stays connected with its tunnel dropped (not authorized).
    const inv = readInventory(createSystemRoot({ root: tb3.dir }));
    const dropped = {
      ...inv,
      gpus: inv.gpus.filter((g) => !g.external),
      thunderbolt: inv.thunderbolt.map((d) => ({
        ...d,
        routers: d.routers.map((x) => (x.host ? x : { ...x, authorized: 0 })),
      })),
    };
    const remembered = inv.gpus
      .filter((g) => g.external)
      .map((g) => ({ ...g, enclosure: { name: 'Razer Core X', uniqueId: g.enclosure!.uniqueId } }));
    const text = formatStatus(dropped, remembered);
    expect(text).toContain(
      'Not on the bus now: NVIDIA GeForce RTX 3070 (seen before at 0000:0a:00.0) — the Razer Core X is connected: `egpu recover --dry-run` shows how to bring it up',
    );
    expect(text).toMatch(
      /NOT authorized, \S+\n {9}`egpu recover --dry-run` shows how to authorize it and bring up its GPU\n/,
    );
    // The same after an eject eGPU Guard remembers (an eject record): nothing is wrong, and the
    // next step is the unplug.
    const byEject = formatStatus(dropped, remembered, [], ['0000:0a:00.0']);
    expect(byEject).toContain(
      'Ejected safely: NVIDIA GeForce RTX 3070 (was 0000:0a:00.0) — safe to unplug the Razer Core X now; to use it again instead, `egpu recover --dry-run` shows how',
    );
    expect(byEject).toMatch(/ — not authorized \(the eject dropped its tunnel\), \S+\n/);
    expect(byEject).not.toMatch(/NOT authorized|Not on the bus now|how to authorize/);
    // Connected and authorized, and still no GPU (it stopped answering and was taken off the
    // bus): a reconnect comes first, not the recovery that just failed.
    const up = formatStatus({ ...dropped, thunderbolt: inv.thunderbolt }, remembered, [
      '--root',
      '/x',
    ]);
    expect(up).toContain(
      'Not on the bus now: NVIDIA GeForce RTX 3070 (seen before at 0000:0a:00.0) — the Razer Core X is connected but the GPU did not come up: reconnect it (unplug it, wait ten seconds, plug it back in), then `egpu recover --dry-run --root /x`',
    );
  });

  it('documents its exit codes in --help', async () => {
    const r = await runCliInProcess(['status', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit status: 0 when every GPU answers or sleeps/);
    expect(r.stdout).toMatch(/3 when a GPU is unreachable/);
  });

  it('bad input: one clear line and exit 2, never a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['status', '--bogus'], /^egpu status: unknown option '--bogus'\n$/],
      [['status', '--root'], /^egpu status: option '--root' needs a value \(DIR\)\n$/],
      [
        ['status', '--root', '/nonexistent/x'],
        /^egpu status: --root \/nonexistent\/x: no such directory\n$/,
      ],
      [['status', 'extra'], /^egpu status: unexpected argument 'extra'\n$/],
      [['frobnicate'], /^egpu: unknown command 'frobnicate' \(try 'egpu --help'\)\n$/],
      [['--frob'], /^egpu: unknown option '--frob'/],
      [['clients', '--gpu', 'zz'], /^egpu clients: 'zz' is not a PCI address/],
    ];
    for (const [argv, re] of cases) {
      const r = await runCliInProcess(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toBe('');
    }
  });

  it('--root pointing at a file is refused', async () => {
    const file = tb3.host('/etc/passwd');
    const r = await runCliInProcess(['status', '--root', file]);
    expect(r).toMatchObject({ code: 2, stderr: `egpu status: --root ${file}: not a directory\n` });
  });

  it('a root without PCI sysfs is a clear failure (exit 1)', async () => {
    const empty = tb3.host('/run');
    const r = await runCliInProcess(['status', '--root', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no PCI sysfs/);
  });

  it('help for every command, and the global help', async () => {
    const g = await runCliInProcess(['--help']);
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/Usage: egpu <command>/);
    for (const cmd of ['status', 'clients']) {
      const r = await runCliInProcess([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: egpu ${cmd}`);
    }
    expect((await runCliInProcess([])).code).toBe(2);
  });

  it('runs as a real process from bin/egpu.js (the npx path)', async () => {
    const r = await runCliProcess(['status', '--json', '--root', tb3.dir]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { gpus: unknown[] }).gpus).toHaveLength(2);
    expect(fs.existsSync(tb3.dir)).toBe(true);
  });
});
