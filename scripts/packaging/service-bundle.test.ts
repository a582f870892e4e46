// The session service's single-file bundle (scripts/build-service.mjs), the file packages install
// as /usr/libexec/egpu-guard/egpu-guard-service: built into a temporary folder with no
// node_modules near it, then run the way systemd and the bus run it — through its own
// #!/usr/bin/node line, with an environment of a few variables — on a private dbus-daemon over a
// simulated machine. Answering Manager.Version shows that it owns io.github.EgpuGuard1 and serves
// the object, with the version written in at build time. Last, the bus starts it from a copy of
// assets/dbus/io.github.EgpuGuard1.service (D-Bus Specification, "Message Bus Starting Services
// (Activation)"): a bus without systemd activation runs its Exec= line.

import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scenarioByName } from '../../main/sim/scenarios/index.js';
import { startSim, type SimFixture } from '../../main/sim/test/sim-fixture.js';
import { dbusDaemonAvailable, startTestBus } from '../../main/sources/test/dbus-daemon.js';
import { WORKER_FILE, buildService } from '../build-service.mjs';

const run = promisify(execFile);
const NAME = 'io.github.EgpuGuard1';
const OBJECT = '/io/github/EgpuGuard1';
const MANAGER = 'io.github.EgpuGuard1.Manager';
const SYSTEM_NODE = '/usr/bin/node';
const VERSION = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string })
  .version;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-service-bundle-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
let bundle = '';
beforeAll(async () => {
  bundle = await buildService(path.join(out, 'egpu-guard-service'));
}, 120_000);

/** How systemd would start it: the file itself, or this Node where there is no /usr/bin/node. */
const command = (args: string[]): [string, string[]] =>
  fs.existsSync(SYSTEM_NODE) ? [bundle, args] : [process.execPath, [bundle, ...args]];

function sim(): SimFixture {
  const s = startSim(scenarioByName('tb3-nvidia')!);
  cleanups.push(() => s.cleanup());
  return s;
}

/** What a user manager gives its services, and no more (no NODE_PATH, no node_modules). */
const serviceEnv = (dir: string, extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: '/usr/bin:/bin',
  HOME: dir,
  XDG_STATE_HOME: path.join(dir, 'state'),
  ...extra,
});

const getVersion = async (address: string): Promise<string> =>
  (
    await run('gdbus', [
      'call',
      '--address',
      address,
      '--dest',
      NAME,
      '--object-path',
      OBJECT,
      '--method',
      'org.freedesktop.DBus.Properties.Get',
      MANAGER,
      'Version',
    ])
  ).stdout.trim();

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the session service bundle', () => {
  it('is one #!/usr/bin/node file that needs no node_modules, and answers --help', () => {
    const text = fs.readFileSync(bundle, 'utf8');
    expect(text.startsWith('#!/usr/bin/node\n')).toBe(true);
    expect(fs.statSync(bundle).mode & 0o111).not.toBe(0);
    // Nothing but Node's own modules and dbus-next's optional ones (required where used, caught).
    const required = new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    const foreign = [...required].filter(
      (m) => !m.startsWith('node:') && !['usocket', 'x11'].includes(m) && !isBuiltin(m),
    );
    expect(foreign).toEqual([]);
    // Node built-ins may stay dynamic imports (CommonJS can import() them); nothing else may.
    expect(text).not.toMatch(/\bimport\((?!"node:)/);
    const [cmd, args] = command(['--help']);
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: {}, cwd: path.dirname(bundle) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: egpu service /);
    const bad = spawnSync(cmd, [...args.slice(0, -1), '--bogus'], { encoding: 'utf8', env: {} });
    expect(bad.status).toBe(2);
  });

  it('has its /proc scan worker beside it, which scans on its own (no node_modules either)', async () => {
    const worker = path.join(path.dirname(bundle), WORKER_FILE);
    const text = fs.readFileSync(worker, 'utf8');
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(required.filter((m) => !isBuiltin(m))).toEqual([]);
    // A process table of one process holding a render node (a symlink reads like an fd link).
    const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-proc-'));
    cleanups.push(() => fs.rmSync(proc, { recursive: true, force: true }));
    fs.mkdirSync(path.join(proc, '4242', 'fd'), { recursive: true });
    fs.symlinkSync('/dev/dri/renderD128', path.join(proc, '4242', 'fd', '3'));
    fs.writeFileSync(path.join(proc, '4242', 'maps'), '');
    fs.writeFileSync(path.join(proc, '4242', 'status'), 'Name:\tollama\nUid:\t1000\n');
    fs.writeFileSync(path.join(proc, '4242', 'cmdline'), 'ollama\0serve\0');
    const w = new Worker(worker);
    cleanups.push(() => w.terminate());
    const answer = new Promise<unknown>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    w.postMessage({
      id: 7,
      data: {
        req: { procDir: proc, rootPrefix: '', pids: ['4242'] },
        state: new Int32Array(new SharedArrayBuffer(4 * 3)),
      },
    });
    expect(await answer).toEqual({
      id: 7,
      raws: [
        {
          pid: '4242',
          status: 'ok',
          fds: [{ fd: '3', target: '/dev/dri/renderD128' }],
          mapped: [],
          identity: {
            comm: 'ollama',
            cmdline: 'ollama\0serve\0',
            status: 'Name:\tollama\nUid:\t1000\n',
          },
        },
      ],
    });
  });

  it.skipIf(!dbusDaemonAvailable())(
    'serves io.github.EgpuGuard1 on a private session bus and stops on SIGTERM',
    async () => {
      const bus = await startTestBus('session');
      cleanups.push(() => bus.stop());
      const machine = sim();
      const [cmd, args] = command(['--root', machine.dir, '--no-dbus', '--no-notify']);
      const child = spawn(cmd, args, {
        env: serviceEnv(machine.dir, { DBUS_SESSION_BUS_ADDRESS: bus.address }),
        cwd: path.dirname(bundle),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      cleanups.push(() => void child.kill('SIGKILL'));
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const end = Date.now() + 20_000;
      while (!stderr.includes(`serving ${NAME}`)) {
        if (Date.now() > end || child.exitCode !== null)
          throw new Error(`the service did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await getVersion(bus.address)).toBe(`(<'${VERSION}'>,)`);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    },
  );

  it.skipIf(!dbusDaemonAvailable() || !fs.existsSync(SYSTEM_NODE))(
    'is started by the bus from its activation file on the first call',
    async () => {
      const machine = sim();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-activation-'));
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      const services = path.join(dir, 'services');
      fs.mkdirSync(services);
      // The packaged file, with Exec= pointing at this bundle on the simulated machine.
      const activation = fs
        .readFileSync('assets/dbus/io.github.EgpuGuard1.service', 'utf8')
        .replace(
          /^Exec=\/usr\/libexec\/egpu-guard\/egpu-guard-service$/m,
          `Exec=${bundle} --root ${machine.dir} --no-dbus --no-notify`,
        );
      expect(activation).toContain(`Exec=${bundle} `);
      fs.writeFileSync(path.join(services, `${NAME}.service`), activation);
      const socket = path.join(dir, 'bus');
      fs.writeFileSync(
        path.join(dir, 'session.conf'),
        `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>${services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
      );
      // The bus passes its own environment to what it starts (dbus-daemon(1)).
      const daemon = spawn(
        'dbus-daemon',
        [
          `--config-file=${path.join(dir, 'session.conf')}`,
          '--nofork',
          '--nopidfile',
          '--nosyslog',
        ],
        {
          env: serviceEnv(machine.dir, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` }),
          stdio: 'ignore',
        },
      );
      const address = `unix:path=${socket}`;
      let servicePid: number | null = null;
      cleanups.push(async () => {
        if (servicePid !== null) {
          try {
            process.kill(servicePid, 'SIGKILL');
          } catch {
            // Gone with the bus already.
          }
        }
        daemon.kill('SIGTERM');
        await exited(daemon);
      });
      const end = Date.now() + 5_000;
      while (!fs.existsSync(socket)) {
        if (Date.now() > end || daemon.exitCode !== null)
          throw new Error('dbus-daemon did not start');
        await new Promise((r) => setTimeout(r, 20));
      }
      const activatable = (
        await run('gdbus', [
          'call',
          '--address',
          address,
          '--dest',
          'org.freedesktop.DBus',
          '--object-path',
          '/org/freedesktop/DBus',
          '--method',
          'org.freedesktop.DBus.ListActivatableNames',
        ])
      ).stdout;
      expect(activatable).toContain(`'${NAME}'`);
      // Nobody owns the name: this call makes the bus start the service, then reaches it.
      expect(await getVersion(address)).toBe(`(<'${VERSION}'>,)`);
      const pid = /uint32 (\d+)/.exec(
        (
          await run('gdbus', [
            'call',
            '--address',
            address,
            '--dest',
            'org.freedesktop.DBus',
            '--object-path',
            '/org/freedesktop/DBus',
            '--method',
            'org.freedesktop.DBus.GetConnectionUnixProcessID',
            NAME,
          ])
        ).stdout,
      )?.[1];
      expect(pid).toBeDefined();
      servicePid = Number(pid);
      expect(fs.readFileSync(`/proc/${servicePid}/cmdline`, 'utf8').split('\0')).toContain(bundle);
    },
  );
});
