// The C scanner (native/proc-scan.c, built into dist/native by the test setup) must find exactly
// what proc-scan.ts's own scan finds — same records, same texts — on a fake process table with
// the cases a real one cannot produce here (dma-bufs, fdinfo, maps lines) and on the real /proc
// with processes holding a sysroot's nodes, its mappings asked by PROCMAP_QUERY or read as text; and `egpu clients` must fall back to the TypeScript
// scan when the program is missing or answers nonsense. (System tier: it runs a program.)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/test/run-cli.js';
import { ProcessPool } from '../inventory/test/processes.js';
import { scenarioByName } from '../sim/scenarios/index.js';
import { makeSysroot } from '../sim/sysroot-fixture.js';
import { nativeScan, parseNativeScan } from './native-scan.js';
import {
  procScanTarget,
  scanProcessesSync,
  slicedScan,
  type ProcScanRequest,
  type RawProcess,
} from './proc-scan.js';

const PROGRAM = path.join(REPO_ROOT, 'dist/native/egpu-proc-scan');

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-native-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
};

/** What the TypeScript scan reports, as the shared scan hands it on: holders and failures. */
const reported = (req: ProcScanRequest): RawProcess[] =>
  byPid(
    scanProcessesSync(req).filter(
      (r) => r.status !== 'ok' || r.fds.length > 0 || r.mapped.length > 0,
    ),
  );
const byPid = (raws: readonly RawProcess[]): RawProcess[] =>
  [...raws]
    .map((r) => ({ ...r, fds: [...r.fds].sort((a, b) => Number(a.fd) - Number(b.fd)) }))
    .sort((a, b) => Number(a.pid) - Number(b.pid));
/**
 * Of a status text the scan reads only its Name and Uid lines, which is all the C scanner passes
 * on (a live process's other lines change between two reads anyway): those are compared.
 */
const steady = (raws: readonly RawProcess[]): RawProcess[] =>
  raws.map((r) =>
    r.identity?.status == null
      ? r
      : {
          ...r,
          identity: {
            ...r.identity,
            status: r.identity.status
              .split('\n')
              .filter((l) => /^(Name|Uid):/.test(l))
              .join('\n'),
          },
        },
  );

/** Linux 6.11 brought PROCMAP_QUERY; before it, the program reads every maps file as text. */
const HAS_QUERY = ((): boolean => {
  const [major = 0, minor = 0] = os
    .release()
    .split('.')
    .map((n) => parseInt(n, 10));
  return major > 6 || (major === 6 && minor >= 11);
})();

/** /dev/shm is writable and a filesystem apart from the temporary folder's. */
const shmApart = (): boolean => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return fs.statSync('/dev/shm').dev !== fs.statSync(os.tmpdir()).dev;
  } catch {
    return false;
  }
};

/** The C program's answer for a root, read as the TypeScript side reads it. */
const programScan = (root: string, maps: string): { raws: RawProcess[]; report: string } => {
  const r = spawnSync(PROGRAM, ['/proc', root, '--host-table'], {
    env: { ...process.env, EGPU_PROC_SCAN_MAPS: maps },
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(r.status).toBe(0);
  return { raws: parseNativeScan(r.stdout).raws, report: r.stderr.toString() };
};

describe('parseNativeScan', () => {
  it('reads records, comm from status or its own file, and the count', () => {
    const out = Buffer.from(
      JSON.stringify([
        [
          '42',
          'ok',
          [['5', '/dev/dri/renderD128', 'drm-pdev:\t0000:0a:00.0\n']],
          [],
          ['Name:\ta\\nb\nUid:\t1000\n', false, 'ollama\0serve\0'],
        ],
        ['43', 'ok', [], ['/dev/nvidia0'], [null, 'x\n', null]],
        ['44', 'vanished', [], [], 0],
        3,
      ]),
    );
    expect(parseNativeScan(out)).toEqual({
      scanned: 3,
      raws: [
        {
          pid: '42',
          status: 'ok',
          fds: [{ fd: '5', target: '/dev/dri/renderD128', fdinfo: 'drm-pdev:\t0000:0a:00.0\n' }],
          mapped: [],
          identity: {
            comm: 'a\nb',
            cmdline: 'ollama\0serve\0',
            status: 'Name:\ta\\nb\nUid:\t1000\n',
          },
        },
        {
          pid: '43',
          status: 'ok',
          fds: [],
          mapped: ['/dev/nvidia0'],
          identity: { comm: 'x\n', cmdline: null, status: null },
        },
        { pid: '44', status: 'vanished', fds: [], mapped: [] },
      ],
    });
  });

  it('refuses what the program never writes, so that the scan falls back', () => {
    const bad = [
      'garbage',
      '[',
      '[]',
      '{"a":1}',
      '[["42","ok",[],[]],1]', // a field missing
      '[["42","ok",[],[],0]]', // no count
      '[["42","ok",[],[],0],-1]',
      '[["x","ok",[],[],0],1]', // not a pid
      '[["42","gone",[],[],0],1]',
      '[["42","ok",[["5","/dev/dri/card0"]],[],0],1]', // an fd without its fdinfo slot
      '[["42","ok",[["5","/dev/dri/card0",7]],[],0],1]',
      '[["42","ok",[],[3],0],1]',
      '[["42","ok",[],[],[null,null]],1]',
      '[["42","ok",[],[],[null,true,null]],1]',
    ];
    for (const text of bad)
      expect(() => parseNativeScan(Buffer.from(text)), text).toThrow(/malformed|JSON/);
  });
});

describe('the C scanner', () => {
  it('finds what the TypeScript scan finds on a fake process table', async () => {
    const proc = tmp();
    const put = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(proc, rel)), { recursive: true });
      fs.writeFileSync(path.join(proc, rel), text);
    };
    const link = (rel: string, target: string): void => {
      fs.mkdirSync(path.dirname(path.join(proc, rel)), { recursive: true });
      fs.symlinkSync(target, path.join(proc, rel));
    };
    // A compositor with a DRM fd and its fdinfo; a dma-buf; a pipe and a file it skips.
    link('100/fd/5', '/dev/dri/card0');
    put('100/fdinfo/5', 'pos:\t0\ndrm-pdev:\t0000:66:00.0\n');
    link('100/fd/7', 'anon_inode:dmabuf');
    put('100/fdinfo/7', 'size:\t4096\nexp_name:\tamdgpu\n');
    link('100/fd/0', 'pipe:[1234]');
    link('100/fd/1', '/home/bob/notes.txt');
    put('100/maps', '');
    put('100/status', 'Name:\tkwin_wayland\nUid:\t1000\t1000\t1000\t1000\n');
    put('100/cmdline', 'kwin_wayland\0--replace\0');
    // Mapped only, twice, beside /dev/zero and a path with spaces and a trailing blank; its
    // status has no Name line, so comm comes from its own file.
    link('200/fd/0', '/dev/null');
    put(
      '200/maps',
      [
        '7f00a0000000-7f00a0001000 rw-s 00000000 00:06 420  /dev/dri/renderD128',
        '7f00a0001000-7f00a0002000 rw-s 00000000 00:06 420  /dev/dri/renderD128',
        '7f00b0000000-7f00b0001000 rw-p 00000000 00:05 4    /dev/zero (deleted)',
        '7f00c0000000-7f00c0001000 r--s 00000000 00:06 421  /dev/nvidia0 ',
        '7f00c0001000-7f00c0002000 r--p 00000000 fe:00 9    /opt/my app/lib.so',
        'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
        '',
      ].join('\n'),
    );
    put('200/status', 'Umask:\t0022\n');
    put('200/comm', 'mpv\n');
    put('200/cmdline', '');
    // Nothing GPU-looking: not reported. No fd folder: gone.
    link('300/fd/0', '/dev/null');
    put('300/maps', '55d0-55d1 r--p 0 fe:00 1 /usr/bin/sleep\n');
    fs.mkdirSync(path.join(proc, '400'));
    // Texts JSON must escape, and bytes that are not UTF-8: decoded as the TypeScript scan does.
    link('600/fd/3', '/dev/dri/card"1\\x');
    put('600/fdinfo/3', 'drm-client-id:\t7\u0001\n');
    put('600/maps', '');
    put('600/status', 'Name:\tq"\\\u001f\nUid:\t0\t0\t0\t0\n');
    fs.writeFileSync(
      path.join(proc, '600/cmdline'),
      Buffer.concat([
        Buffer.from('a\0'),
        Buffer.from([0xe2, 0x82, 0x22, 0xff, 0x80]),
        Buffer.from('\0'),
      ]),
    );
    // A holder whose status and cmdline cannot be read.
    link('500/fd/3', '/dev/nvidiactl');
    put('500/maps', '');
    const req: ProcScanRequest = {
      procDir: proc,
      rootPrefix: '',
      pids: ['100', '200', '300', '400', '500', '600'],
    };
    const job = nativeScan(req, PROGRAM, () => slicedScan(req));
    const native = byPid(await job.finish());
    expect(steady(native)).toEqual(steady(reported(req)));
    expect(native.map((r) => r.pid)).toEqual(['100', '200', '400', '500', '600']);
    expect(native.find((r) => r.pid === '600')?.identity?.cmdline).toBe('a\0\ufffd"\ufffd\ufffd\0');
    expect(native.find((r) => r.pid === '200')?.mapped).toEqual([
      '/dev/dri/renderD128',
      '/dev/nvidia0',
    ]);
    expect(job.scannedByWorker()).toBe(0); // the program answered: no fallback
  });

  it('finds what the TypeScript scan finds on the real /proc, root prefix stripped', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    const pool = new ProcessPool();
    cleanups.push(
      () => f.cleanup(),
      () => pool.dispose(),
    );
    for (let i = 0; i < 20; i++)
      pool.hold(`holder${i}`, [f.host(i % 2 ? '/dev/dri/card1' : '/dev/nvidiactl')]);
    await pool.mapOnly(f.host('/dev/dri/renderD129'));
    // Processes come and go on a test machine: compare the holders of this sysroot, which stay.
    const pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    const req: ProcScanRequest = { procDir: '/proc', rootPrefix: f.dir, pids };
    const ours = (raws: readonly RawProcess[]): RawProcess[] =>
      byPid(raws).filter(
        (r) =>
          r.identity?.cmdline?.includes('/egpu-bin-') === true ||
          r.mapped.some((m) => m === '/dev/dri/renderD129'),
      );
    const native = ours(await nativeScan(req, PROGRAM, () => slicedScan(req)).finish());
    expect(native).toHaveLength(21);
    expect(steady(native)).toEqual(steady(ours(reported(req))));
  });

  it('reads mappings by PROCMAP_QUERY with the answers of the maps text', async () => {
    // The sysroot on a filesystem of its own, as /dev (devtmpfs) is on a real machine: then only
    // the mappings of its files are asked for their paths (native/proc-scan.c, mapped_by_query).
    const apart = shmApart();
    const f = makeSysroot(scenarioByName('tb3-nvidia')!, apart ? { parent: '/dev/shm' } : {});
    const pool = new ProcessPool();
    cleanups.push(
      () => f.cleanup(),
      () => pool.dispose(),
    );
    for (let i = 0; i < 4; i++) pool.hold(`holder${i}`, [f.host('/dev/nvidiactl')]);
    // Paths the text writes its own way: a newline as \012, a trailing blank dropped, a file
    // deleted while mapped (as a node is when its GPU goes away) with " (deleted)".
    const odd = ['/dev/dri/card\n9', '/dev/dri/render D7 ', '/dev/nvidia9'];
    for (const p of odd) fs.writeFileSync(f.host(p), Buffer.alloc(4096));
    for (const p of ['/dev/dri/renderD129', ...odd]) await pool.mapOnly(f.host(p));
    fs.rmSync(f.host('/dev/nvidia9'));
    const ours = (raws: readonly RawProcess[]): RawProcess[] =>
      byPid(raws).filter(
        (r) => r.identity?.cmdline?.includes('/egpu-bin-') === true || r.mapped.length > 0,
      );
    const queried = programScan(f.dir, 'report');
    const text = programScan(f.dir, 'text');
    const req: ProcScanRequest = {
      procDir: '/proc',
      rootPrefix: f.dir,
      pids: fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)),
      hostTable: true,
    };
    expect(ours(queried.raws).flatMap((r) => r.mapped)).toEqual([
      '/dev/dri/renderD129',
      '/dev/dri/card\\0129',
      '/dev/dri/render D7',
      '/dev/nvidia9 (deleted)',
    ]);
    expect(steady(ours(queried.raws))).toEqual(steady(ours(text.raws)));
    expect(steady(ours(queried.raws))).toEqual(steady(ours(reported(req))));
    const m = /^maps: (\d+) by query \((\d+) paths asked\), (\d+) as text$/m.exec(queried.report);
    expect(m, queried.report).not.toBeNull();
    const [byQuery, asked] = [Number(m![1]), Number(m![2])];
    expect(byQuery > 0, queried.report).toBe(HAS_QUERY);
    // Every process maps libraries from the root filesystem; none of them was asked its path.
    if (byQuery > 0 && apart) expect(asked, queried.report).toBeLessThan(byQuery);
    expect(text.report).toMatch(/^maps: 0 by query \(0 paths asked\), \d+ as text$/m);
  });

  // Root, for a mount namespace of the mapper's own (unshare -m), and a sysroot apart from /tmp.
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--help']).status === 0;
  it.skipIf(!HAS_QUERY || !canUnshare || !shmApart())(
    'asks every path of a process in another mount namespace',
    async () => {
      // A file of /tmp's filesystem — mounted here, outside the sysroot's /dev, so a mapping of
      // it by a process of this namespace is skipped unasked — bind-mounted at the sysroot's
      // /dev/dri/card9 in a namespace of the mapper's own: the kernel names it by that mount.
      const f = makeSysroot(scenarioByName('tb3-nvidia')!, { parent: '/dev/shm' });
      const pool = new ProcessPool();
      const src = path.join(tmp(), 'node');
      cleanups.push(
        () => f.cleanup(),
        () => pool.dispose(),
      );
      fs.writeFileSync(src, Buffer.alloc(4096));
      const target = f.host('/dev/dri/card9');
      fs.writeFileSync(target, '');
      const bind = `mount --bind ${JSON.stringify(src)} ${JSON.stringify(target)} && exec "$@"`;
      const wrap = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', bind, 'sh'];
      const mapper = await pool.mapOnly(target, { wrap });
      const mapped = (maps: string): readonly string[] =>
        programScan(f.dir, maps).raws.find((r) => r.pid === String(mapper.pid))?.mapped ?? [];
      expect(mapped('text')).toEqual(['/dev/dri/card9']);
      expect(mapped('report')).toEqual(['/dev/dri/card9']);
    },
  );

  it("on the host's own process table with --root, counts only links under the root", async () => {
    // /proc with --root and no --proc: the host's processes, whose links name host files. The
    // host's own compositor on its /dev/dri/card0 does not use the sysroot's card0.
    expect(procScanTarget({ root: '/tmp/sys', procDir: '/proc' })).toEqual({
      procDir: '/proc',
      rootPrefix: '/tmp/sys',
      hostTable: true,
    });
    expect(procScanTarget({ root: '/tmp/sys', procDir: '/tmp/p' }).hostTable).toBeUndefined();
    expect(procScanTarget({ root: '/', procDir: '/proc' }).hostTable).toBeUndefined();
    const proc = tmp();
    const sys = '/tmp/egpu-sysroot-x';
    const link = (rel: string, target: string): void => {
      fs.mkdirSync(path.dirname(path.join(proc, rel)), { recursive: true });
      fs.symlinkSync(target, path.join(proc, rel));
    };
    link('100/fd/3', '/dev/dri/card0'); // the host's
    link('100/fd/4', `${sys}/dev/dri/renderD129`); // the sysroot's
    link('100/fd/5', 'anon_inode:dmabuf'); // a buffer of the host's GPUs
    fs.writeFileSync(
      path.join(proc, '100/maps'),
      `7f00-7f01 rw-s 00000000 00:06 420  /dev/nvidia0\n7f01-7f02 rw-s 00000000 00:06 421  ${sys}/dev/nvidia1\n`,
    );
    link('200/fd/3', '/dev/dri/card0'); // only the host's: not a holder at all
    fs.writeFileSync(path.join(proc, '200/maps'), '');
    const host: ProcScanRequest = {
      procDir: proc,
      rootPrefix: sys,
      pids: ['100', '200'],
      hostTable: true,
    };
    const ts = reported(host);
    expect(ts.map((r) => [r.pid, r.fds.map((f) => f.target), r.mapped])).toEqual([
      ['100', ['/dev/dri/renderD129'], ['/dev/nvidia1']],
    ]);
    const native = byPid(await nativeScan(host, PROGRAM, () => slicedScan(host)).finish());
    expect(steady(native)).toEqual(steady(ts));
    // A --proc table of the machine itself names its paths unprefixed: all of them count.
    const own: ProcScanRequest = { procDir: proc, rootPrefix: sys, pids: ['100', '200'] };
    expect(reported(own).map((r) => r.pid)).toEqual(['100', '200']);
    const ownNative = byPid(await nativeScan(own, PROGRAM, () => slicedScan(own)).finish());
    expect(steady(ownNative)).toEqual(steady(reported(own)));
  });

  it('falls back to the TypeScript scan when the program is missing or answers nonsense', async () => {
    const proc = tmp();
    fs.mkdirSync(path.join(proc, '100', 'fd'), { recursive: true });
    fs.symlinkSync('/dev/nvidia0', path.join(proc, '100', 'fd', '3'));
    fs.writeFileSync(path.join(proc, '100', 'maps'), '');
    const req: ProcScanRequest = { procDir: proc, rootPrefix: '', pids: ['100'] };
    for (const program of [path.join(proc, 'no-such-program'), '/bin/echo']) {
      let fellBack = false;
      const job = nativeScan(req, program, () => {
        fellBack = true;
        return slicedScan(req);
      });
      expect(byPid(await job.finish())).toEqual(byPid(scanProcessesSync(req)));
      expect(fellBack, program).toBe(true);
    }
  });
});
