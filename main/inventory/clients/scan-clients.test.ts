import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../common/clients-model.js';
import { createSystemRoot } from '../../platform/system-root.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import { readInventory } from '../inventory.js';
import { scanClients } from './scan-clients.js';
import { ProcessPool } from '../test/processes.js';
import type * as ProcScan from '../../platform/proc-scan.js';
import { scanProcessesSync } from '../../platform/proc-scan.js';
import { REPO_ROOT } from '../../cli/test/run-cli.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(name: string): { f: SysrootFixture; pool: ProcessPool } {
  const f = makeSysroot(scenarioByName(name)!);
  const pool = new ProcessPool();
  cleanups.push(
    () => f.cleanup(),
    () => pool.dispose(),
  );
  return { f, pool };
}

const mine = (clients: readonly ClientInfo[], pids: readonly number[]): ClientInfo[] =>
  clients.filter((c) => pids.includes(c.pid));

describe('scanClients with real processes', () => {
  it('attributes per-GPU and driver-wide nodes, with roles, on the TB3 NVIDIA laptop', async () => {
    const { f, pool } = setup('tb3-nvidia');
    const shell = pool.hold('gnome-shell', [f.host('/dev/dri/card0'), f.host('/dev/dri/card1')]);
    const ollama = pool.hold('ollama', [
      f.host('/dev/nvidia0'),
      f.host('/dev/nvidiactl'),
      f.host('/dev/nvidia-uvm'),
    ]);
    const xwl = pool.hold('Xwayland', [f.host('/dev/dri/renderD129')]);
    const ff = pool.hold('firefox', [f.host('/dev/dri/renderD128')]);
    const ctl = pool.hold('nvidia-smi', [f.host('/dev/nvidiactl')]);
    const mapper = await pool.mapOnly(f.host('/dev/dri/renderD129'));
    const pids = [shell.pid, ollama.pid, xwl.pid, ff.pid, ctl.pid, mapper.pid];
    const report = await scanClients(f.root, readInventory(f.root));
    const got = mine(report.clients, pids).map((c) => [
      c.comm,
      c.gpu,
      c.role,
      c.nodes.join(' '),
      c.via.join(','),
    ]);
    expect(got).toEqual([
      ['gnome-shell', '0000:00:02.0', 'compositor', '/dev/dri/card0', 'fd'],
      ['firefox', '0000:00:02.0', 'browser', '/dev/dri/renderD128', 'fd'],
      ['gnome-shell', '0000:0a:00.0', 'compositor', '/dev/dri/card1', 'fd'],
      ['ollama', '0000:0a:00.0', 'compute', '/dev/nvidia-uvm /dev/nvidia0 /dev/nvidiactl', 'fd'],
      ['Xwayland', '0000:0a:00.0', 'xwayland', '/dev/dri/renderD129', 'fd'],
      ['nvidia-smi', '0000:0a:00.0', 'other', '/dev/nvidiactl', 'fd'],
      ['python3', '0000:0a:00.0', 'other', '/dev/dri/renderD129', 'mmap'],
    ]);
    const o = report.clients.find((c) => c.pid === ollama.pid)!;
    expect(o).toMatchObject({
      uid: process.getuid?.(),
      user: 'root',
      cmdline: expect.stringMatching(/ollama 600$/),
    });
  });

  it('two NVIDIA GPUs: nvidiactl goes with the GPU the process opened, or to both', async () => {
    const { f, pool } = setup('dgpu-nvidia-egpu');
    const onDgpu = pool.hold('blender', [f.host('/dev/nvidia0'), f.host('/dev/nvidiactl')]);
    const onlyCtl = pool.hold('nvidia-persistenced', [f.host('/dev/nvidiactl')]);
    const report = await scanClients(f.root, readInventory(f.root));
    expect(mine(report.clients, [onDgpu.pid]).map((c) => c.gpu)).toEqual(['0000:01:00.0']);
    expect(mine(report.clients, [onlyCtl.pid]).map((c) => c.gpu)).toEqual([
      '0000:01:00.0',
      '0000:2e:00.0',
    ]);
  });

  it('two amdgpu GPUs: /dev/kfd follows the render node the process uses', async () => {
    const { f, pool } = setup('usb4-amd');
    const rocm = pool.hold('python3', [f.host('/dev/kfd'), f.host('/dev/dri/renderD129')]);
    const report = await scanClients(f.root, readInventory(f.root), { gpu: '0000:66:00.0' });
    expect(mine(report.clients, [rocm.pid])).toEqual([
      expect.objectContaining({
        gpu: '0000:66:00.0',
        role: 'compute',
        nodes: ['/dev/dri/renderD129', '/dev/kfd'],
      }),
    ]);
    const ipu = await scanClients(f.root, readInventory(f.root), { gpu: '0000:c4:00.0' });
    expect(mine(ipu.clients, [rocm.pid])).toEqual([]);
  });

  it('never fails on processes that exit during the scan', async () => {
    const { f, pool } = setup('tb3-nvidia');
    const node = f.host('/dev/dri/renderD129');
    let stop = false;
    const churn = (async () => {
      while (!stop) {
        for (let i = 0; i < 20; i++) {
          const fd = fs.openSync(node, 'r');
          const { spawn } = await import('node:child_process');
          const c = spawn(pool.program('short'), ['0.01'], {
            stdio: ['ignore', 'ignore', 'ignore', fd],
          });
          fs.closeSync(fd);
          c.on('error', () => undefined);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const inv = readInventory(f.root);
    let vanished = 0;
    for (let i = 0; i < 15; i++) {
      const r = await scanClients(f.root, inv);
      vanished += r.vanished;
      for (const c of r.clients) expect(c.comm).not.toBe('');
      await new Promise((res) => setTimeout(res, 10));
    }
    stop = true;
    await churn;
    expect(vanished).toBeGreaterThanOrEqual(0); // any number: the point is that nothing threw
  });

  it('the worker-thread scan (dist) finds exactly what the in-process scan finds', async () => {
    const { f, pool } = setup('tb3-nvidia');
    for (let i = 0; i < 30; i++)
      pool.hold(`holder${i}`, [f.host(i % 2 ? '/dev/dri/card1' : '/dev/nvidiactl')]);
    const dist = (await import(
      path.join(REPO_ROOT, 'dist/main/platform/proc-scan.js')
    )) as typeof ProcScan;
    const pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    // 500 pids that do not exist: the worker must report them vanished, like this thread.
    const req = {
      procDir: '/proc',
      rootPrefix: f.dir,
      pids: [...pids, ...Array.from({ length: 500 }, (_, i) => String(4_000_000 + i))],
    };
    const holders = (raws: readonly { pid: string; fds: readonly unknown[] }[]): string[] =>
      raws
        .filter((r) => r.fds.length > 0)
        .map((r) => r.pid)
        .sort();
    let both = false;
    const job = dist.sharedScan(req, { whenWorkerScans: () => (both = true) });
    // Give the worker time to boot, so that it takes chunks before this thread joins in.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const parallel = await job.finish();
    const serial = scanProcessesSync(req);
    expect(job.scannedByWorker()).toBeGreaterThan(0);
    expect(both).toBe(true);
    expect(holders(parallel)).toEqual(holders(serial));
    expect(holders(parallel).length).toBeGreaterThanOrEqual(30);
    expect(parallel.filter((r) => r.status === 'vanished').length).toBeGreaterThanOrEqual(500);
  });
});

/** A fake procfs for what cannot be produced here: dma-bufs and DRM fdinfo with drm-pdev. */
function fakeProc(
  entries: Record<
    string,
    { comm: string; fds: Record<string, { link: string; fdinfo?: string }>; maps?: string }
  >,
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-proc-'));
  for (const [pid, p] of Object.entries(entries)) {
    fs.mkdirSync(path.join(dir, pid, 'fd'), { recursive: true });
    fs.mkdirSync(path.join(dir, pid, 'fdinfo'));
    fs.writeFileSync(path.join(dir, pid, 'comm'), p.comm + '\n');
    fs.writeFileSync(path.join(dir, pid, 'cmdline'), `/usr/bin/${p.comm}\0--flag\0`);
    fs.writeFileSync(
      path.join(dir, pid, 'status'),
      `Name:\t${p.comm}\nUid:\t1000\t1000\t1000\t1000\n`,
    );
    fs.writeFileSync(path.join(dir, pid, 'maps'), p.maps ?? '');
    for (const [fd, e] of Object.entries(p.fds)) {
      fs.symlinkSync(e.link, path.join(dir, pid, 'fd', fd));
      fs.writeFileSync(path.join(dir, pid, 'fdinfo', fd), e.fdinfo ?? 'pos:\t0\nflags:\t02\n');
    }
  }
  return dir;
}

describe('scanClients with a fake procfs', () => {
  it('uses drm-pdev over the node name, and attributes dma-bufs by exporter', async () => {
    const f = makeSysroot(scenarioByName('usb4-amd')!);
    const proc = fakeProc({
      '100': {
        comm: 'kwin_wayland',
        // In a container /dev/dri/card0 may be another GPU: fdinfo's drm-pdev is authoritative.
        fds: {
          '5': {
            link: '/dev/dri/card0',
            fdinfo: 'pos:\t0\ndrm-driver:\tamdgpu\ndrm-pdev:\t0000:66:00.0\ndrm-client-id:\t7\n',
          },
        },
      },
      '200': {
        comm: 'obs',
        fds: {
          '9': { link: '/dmabuf:', fdinfo: 'size:\t8294400\ncount:\t1\nexp_name:\tamdgpu\n' },
        },
      },
      '300': {
        comm: 'gst-launch-1.0',
        fds: { '4': { link: 'anon_inode:dmabuf', fdinfo: 'size:\t4096\nexp_name:\tudmabuf\n' } },
      },
      '400': { comm: 'ghost', fds: { '3': { link: '/dev/dri/renderD130 (deleted)' } } },
      // Opened before a re-plug: its node was deleted, and renderD128 now is another device.
      '600': {
        comm: 'ollama',
        fds: { '3': { link: '/dev/dri/renderD128 (deleted)' }, '4': { link: '/dev/kfd' } },
      },
      '500': {
        comm: 'mpv',
        fds: {},
        maps: '7f12a4000000-7f12a4400000 rw-s 10d27000 00:05 1052                       /dev/dri/renderD128\n',
      },
    });
    cleanups.push(
      () => f.cleanup(),
      () => fs.rmSync(proc, { recursive: true, force: true }),
    );
    const root = createSystemRoot({ root: f.dir, proc });
    const r = await scanClients(root, readInventory(root));
    expect(
      r.clients.map((c) => [
        c.pid,
        c.gpu,
        c.nodes.join(' '),
        c.via.join(','),
        c.role,
        c.uid,
        c.user,
      ]),
    ).toEqual([
      [100, '0000:66:00.0', '/dev/dri/card0', 'fd', 'compositor', 1000, 'bob'],
      // An amdgpu dma-buf of a process that opened neither GPU could come from either.
      [200, '0000:66:00.0', '/dmabuf:', 'fd', 'other', 1000, 'bob'],
      [200, '0000:c4:00.0', '/dmabuf:', 'fd', 'other', 1000, 'bob'],
      [500, '0000:c4:00.0', '/dev/dri/renderD128', 'mmap', 'other', 1000, 'bob'],
      [400, null, '/dev/dri/renderD130', 'fd', 'other', 1000, 'bob'],
      // Not the GPU at renderD128 now, nor every amdgpu GPU through /dev/kfd: none present.
      [600, null, '/dev/dri/renderD128 /dev/kfd', 'fd', 'compute', 1000, 'bob'],
    ]);
    expect(r.clients[0]!.cmdline).toBe('/usr/bin/kwin_wayland --flag');
    expect(r.scanned).toBe(6);
  });
});
