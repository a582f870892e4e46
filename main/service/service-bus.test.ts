// `egpu service` on a private session bus, driven by clients nobody here wrote: gdbus (GLib) and
// busctl (systemd). The service runs the real core over the simulated kernel (a scenario sysroot
// whose SimKernel applies the helper's writes and logs udev events), so an eject started over
// D-Bus really removes the GPU and the signals say so.

import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessPool } from '../inventory/test/processes.js';
import { startCli, type CliChild } from '../cli/test/cli-child.js';
import { REPO_ROOT, runCliProcess } from '../cli/test/run-cli.js';
import type { TestBus } from '../sources/test/dbus-daemon.js';
import { busAndSim, startServiceProcess, stderrSays } from './test/service-process.js';
import { createCore } from '../core/create-core.js';
import { createActionRuns, createRouter } from '../core/router.js';
import { createDbusPort } from '../platform/dbus.js';
import { createSystemRoot } from '../platform/system-root.js';
import { apiXml } from './interface-spec.js';
import { attachSessionCore } from './remote-core.js';
import { hostSession } from './session-host.js';

const run = promisify(execFile);
const NAME = 'io.github.EgpuGuard1';
const PATH = '/io/github/EgpuGuard1';
const MANAGER = 'io.github.EgpuGuard1.Manager';
const GPU = '0000:0a:00.0';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const gdbus = async (bus: TestBus, ...args: string[]): Promise<string> =>
  (await run('gdbus', [args[0]!, '--address', bus.address, ...args.slice(1)])).stdout;

const call = (bus: TestBus, method: string, ...args: string[]): Promise<string> =>
  gdbus(
    bus,
    'call',
    '--dest',
    NAME,
    '--object-path',
    PATH,
    '--method',
    `${MANAGER}.${method}`,
    ...args,
  );

const startService = (bus: TestBus, dir: string, extra: string[] = []): Promise<CliChild> =>
  startServiceProcess(bus, dir, (stop) => cleanups.push(stop), extra);

/** gdbus monitor on the service, collecting its lines until stopped. */
function monitor(bus: TestBus): {
  lines: () => string;
  until: (re: RegExp, ms?: number) => Promise<void>;
} {
  const child = spawn(
    'gdbus',
    ['monitor', '--address', bus.address, '--dest', NAME, '--object-path', PATH],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  cleanups.push(() => void child.kill('SIGKILL'));
  return {
    lines: () => out,
    async until(re, ms = 20_000) {
      const end = Date.now() + ms;
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`gdbus monitor never showed ${re}:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

describe('egpu service on the session bus', () => {
  it('introspects as assets/dbus/io.github.EgpuGuard1.xml says, and that file is the spec', async () => {
    expect(
      fs.readFileSync(path.join(REPO_ROOT, 'assets/dbus/io.github.EgpuGuard1.xml'), 'utf8'),
    ).toBe(apiXml());
    const { bus, sim } = await busAndSim(cleanups);
    await startService(bus, sim.dir);
    const xml = await gdbus(bus, 'introspect', '--dest', NAME, '--object-path', PATH, '--xml');
    for (const member of [
      'PlanEject',
      'Eject',
      'PlanRecover',
      'Recover',
      'Cancel',
      'Clients',
      'CompositorAdvice',
      'StateChanged',
      'IncidentOpened',
      'RunProgress',
      'RunFinished',
      'Invoke',
    ])
      expect(xml).toContain(`name="${member}"`);
    // Tools walk down from / to find the object.
    const tree = (await run('busctl', ['--address=' + bus.address, 'tree', NAME])).stdout;
    expect(tree).toContain(PATH);
  });

  it('Gpus through busctl; an eject through gdbus with progress, state and property signals', async () => {
    const { bus, sim } = await busAndSim(cleanups);
    await startService(bus, sim.dir);
    const prop = JSON.parse(
      (
        await run('busctl', [
          '--address=' + bus.address,
          '--json=short',
          'get-property',
          NAME,
          PATH,
          MANAGER,
          'Gpus',
        ])
      ).stdout,
    ) as { type: string; data: Record<string, { type: string; data: unknown }>[] };
    expect(prop.type).toBe('aa{sv}');
    const egpu = prop.data.find((g) => g['bdf']?.data === GPU)!;
    expect(egpu['name']?.data).toBe('NVIDIA GeForce RTX 3070');
    expect(egpu['state']?.data).toBe('attached');
    expect(egpu['external']?.data).toBe(true);
    expect(egpu['enclosure']?.data).toBe('Razer Core X');
    expect(egpu['present']?.data).toBe(true);

    const plan = await call(bus, 'PlanEject', GPU);
    expect(plan).toContain("'result': <'ready'>");
    const watch = monitor(bus);
    await new Promise((r) => setTimeout(r, 300));
    const started = await call(bus, 'Eject', GPU, '{}');
    const runId = /\('([a-z0-9-]+)',\)/.exec(started)?.[1];
    expect(runId).toMatch(/^eject-/);
    await watch.until(/RunFinished/);
    const out = watch.lines();
    expect(out).toContain(`${MANAGER}.RunProgress ('${runId}'`);
    expect(out).toMatch(
      new RegExp(
        `${MANAGER}\\.RunFinished \\('${runId}', 'safe-to-unplug', 'NVIDIA GeForce RTX 3070 is safe to unplug\\. Unplug the Razer Core X now\\.'\\)`,
      ),
    );
    await watch.until(/StateChanged \('0000:0a:00\.0', '[a-z-]+', 'safe-to-unplug'\)/);
    expect(out).toContain('org.freedesktop.DBus.Properties.PropertiesChanged');
    // Then the cable: unplugged after a safe eject — no alarm, no incident.
    sim.kernel.unplug();
    await watch.until(
      /StateChanged \('0000:0a:00\.0', 'safe-to-unplug', 'unplugged-after-eject'\)/,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(watch.lines()).not.toContain('IncidentOpened');
  });

  it('refuses bad calls with D-Bus errors, never a crash; a second service exits 1 naming the first', async () => {
    const { bus, sim } = await busAndSim(cleanups);
    const pool = new ProcessPool();
    cleanups.push(() => pool.dispose());
    const first = await startService(bus, sim.dir);
    const bad = async (method: string, ...args: string[]): Promise<string> => {
      try {
        await call(bus, method, ...args);
      } catch (e) {
        return String((e as { stderr?: string }).stderr ?? e);
      }
      throw new Error(`${method} ${args.join(' ')} did not fail`);
    };
    expect(await bad('PlanEject', 'gpu0')).toMatch(/InvalidArgs: PlanEject: bdf: a PCI address/);
    expect(await bad('Eject', GPU, "{'close_app': <true>}")).toMatch(
      /InvalidArgs.*unknown option 'close_app'/,
    );
    expect(await bad('Clients', '0000:99:00.0')).toMatch(
      /io\.github\.EgpuGuard1\.Error\.NotFound.*no GPU 0000:99:00\.0/,
    );
    expect(await bad('Cancel', 'eject-nothing')).toMatch(/io\.github\.EgpuGuard1\.Error\.NotFound/);
    // Clients: the same holder the window lists.
    const app = pool.hold('ollama', [path.join(sim.dir, 'dev/nvidia0')]);
    const clients = await call(bus, 'Clients', GPU);
    expect(clients).toContain(`'pid': <uint32 ${app.pid}>`);
    expect(clients).toContain("'command': <'ollama'>");
    // An eject of a GPU in use without consent is blocked, and says by whom.
    const blocked = await call(bus, 'PlanEject', GPU);
    expect(blocked).toContain("'result': <'blocked'>");
    expect(blocked).toContain(`ollama (pid ${app.pid}) holds /dev/nvidia0`);

    const second = await runCliProcess(['service', '--root', sim.dir, '--no-dbus', '--no-notify'], {
      env: { DBUS_SESSION_BUS_ADDRESS: bus.address },
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `egpu service: another eGPU Guard core already serves io.github.EgpuGuard1 on this session bus (pid ${first.child.pid}); nothing to do.`,
    );
  });

  it('behind the tray app it waits in line and takes over when the tray app quits', async () => {
    const { bus, sim } = await busAndSim(cleanups);
    // The tray app's side, in this process: its core served with app:info saying electron.
    const core = createCore({ root: createSystemRoot({ root: sim.dir }), env: {}, noDbus: true });
    const runs = createActionRuns({ send: () => undefined });
    const handlers = createRouter({
      core,
      runs,
      demo: null,
      appInfo: () => ({ mode: 'electron', version: '0', trayHost: true, notice: null }),
    });
    const tray = await hostSession({
      dbus: createDbusPort({ env: { DBUS_SESSION_BUS_ADDRESS: bus.address } }),
      core,
      handlers,
      version: '0',
      uid: process.getuid?.() ?? null,
    });
    if (!tray.ok) throw new Error(tray.error.message);
    cleanups.push(() => tray.value.close());
    const s = startCli(['service', '--root', sim.dir, '--no-dbus', '--no-notify'], {
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      HOME: sim.dir,
    });
    cleanups.push(() => s.stop('SIGKILL'));
    await stderrSays(s, 'taking over when it quits');
    expect(s.stderr()).toContain(
      `egpu service: the eGPU Guard tray app (pid ${process.pid}) runs this session's core now; taking over when it quits.`,
    );
    expect(s.stderr()).not.toContain('serving');
    // Stopped while it waits (systemctl --user stop): it ends at once, cleanly.
    const other = startCli(['service', '--root', sim.dir, '--no-dbus', '--no-notify'], {
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      HOME: sim.dir,
    });
    cleanups.push(() => other.stop('SIGKILL'));
    await stderrSays(other, 'taking over when it quits');
    const t0 = Date.now();
    expect(await other.stop('SIGTERM')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    await tray.value.close();
    await stderrSays(s, 'serving io.github.EgpuGuard1');
    const version = await gdbus(
      bus,
      'call',
      '--dest',
      NAME,
      '--object-path',
      PATH,
      '--method',
      'org.freedesktop.DBus.Properties.Get',
      MANAGER,
      'Gpus',
    );
    expect(version).toContain('0000:0a:00.0');
  });

  it("sends the window's whole snapshot (Faces.SnapshotChanged) only while a window is attached", async () => {
    const { bus, sim } = await busAndSim(cleanups);
    await startService(bus, sim.dir);
    const watch = monitor(bus);
    const snapshotsSent = (): number => watch.lines().split('SnapshotChanged').length - 1;
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 400));
    // Each Clients call rescans and changes the snapshot; nobody attached, nothing is sent.
    await call(bus, 'Clients', '');
    await call(bus, 'Clients', '');
    await settle();
    expect(snapshotsSent()).toBe(0);
    const attached = await attachSessionCore(
      createDbusPort({ env: { DBUS_SESSION_BUS_ADDRESS: bus.address } }),
    );
    if (!attached.ok || attached.value === null) throw new Error('not attached');
    const face = attached.value;
    await face.start();
    const seen = new Promise((resolve) => face.onSnapshot(resolve));
    await call(bus, 'Clients', '');
    await seen;
    expect(snapshotsSent()).toBeGreaterThan(0);
    // The window closed (its connection is gone): back to sending none.
    await face.stop();
    await settle();
    const before = snapshotsSent();
    await call(bus, 'Clients', '');
    await settle();
    expect(snapshotsSent()).toBe(before);
  });

  it('a yank while in use: IncidentOpened, the Incidents property, and the service goes on', async () => {
    const { bus, sim } = await busAndSim(cleanups);
    const pool = new ProcessPool();
    cleanups.push(() => pool.dispose());
    const service = await startService(bus, sim.dir);
    const app = pool.hold('ollama', [path.join(sim.dir, 'dev/nvidia0')]);
    // The service sees ollama on it now: the incident can name who was using it.
    expect(await call(bus, 'Clients', GPU)).toContain(`'pid': <uint32 ${app.pid}>`);
    const watch = monitor(bus);
    await new Promise((r) => setTimeout(r, 300));
    sim.kernel.unplug();
    await watch.until(
      /IncidentOpened \('[^']+', '0000:0a:00\.0', 'critical', '[^']*unplugged while in use'\)/,
    );
    const incidents = JSON.parse(
      (
        await run('busctl', [
          '--address=' + bus.address,
          '--json=short',
          'get-property',
          NAME,
          PATH,
          MANAGER,
          'Incidents',
        ])
      ).stdout,
    ) as { data: Record<string, { data: unknown }>[] };
    expect(incidents.data[0]?.['bdf']?.data).toBe(GPU);
    expect(incidents.data[0]?.['severity']?.data).toBe('critical');
    expect(typeof incidents.data[0]?.['opened_at']?.data).toBe('number');
    expect(service.child.exitCode).toBeNull();
    expect(service.stderr()).not.toMatch(/internal error|TypeError/);
  });
});
