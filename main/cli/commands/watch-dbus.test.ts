// egpu watch with real D-Bus peers: private system and session buses (dbus-daemon) with fake
// bolt, logind and notification services exported by dbus-next.
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessPool } from '../../inventory/test/processes.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot } from '../../sim/sysroot-fixture.js';
import { startTestBus } from '../../sources/test/dbus-daemon.js';
import { startFakeBolt } from '../../sources/test/fake-bolt-service.js';
import {
  startFakeLogind,
  startFakeNotificationServer,
} from '../../sources/test/fake-system-services.js';
import { startCli } from '../test/cli-child.js';

const CORE_X = 'dc010000-0000-8508-a22d-32ca6421cb16';
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const waitUntil = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('egpu watch with bolt, logind and desktop notifications', () => {
  it('warns before sleep while the eGPU is in use, and a bolt disconnect is a critical, replacing notification', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    const pool = new ProcessPool();
    const system = await startTestBus('system');
    const session = await startTestBus('session');
    cleanups.push(
      () => f.cleanup(),
      () => pool.dispose(),
      () => system.stop(),
      () => session.stop(),
    );
    const bolt = await startFakeBolt(system.address, [
      { uid: CORE_X, name: 'Core X', vendor: 'Razer', status: 'authorized', stored: false },
    ]);
    const logind = await startFakeLogind(system.address);
    const notes = await startFakeNotificationServer(session.address);
    cleanups.push(
      () => bolt.stop(),
      () => logind.stop(),
      () => notes.stop(),
    );
    pool.hold('ollama', [path.join(f.dir, 'dev/nvidia0'), path.join(f.dir, 'dev/nvidia-uvm')]);

    const w = startCli(['watch', '--json', '--root', f.dir], {
      DBUS_SYSTEM_BUS_ADDRESS: system.address,
      DBUS_SESSION_BUS_ADDRESS: session.address,
    });
    cleanups.push(() => w.stop('SIGKILL'));
    await w.waitFor((l) => l.includes('"state":"in-use"'));
    await w.waitFor((l) => l.includes('"source":"logind"') && l.includes('"running"'));
    await w.waitFor((l) => l.includes('"source":"bolt"') && l.includes('"running"'));

    logind.prepareForSleep(true);
    await w.waitFor((l) => l.includes('"type":"notice"') && l.includes('sleep-with-egpu'));
    await waitUntil(() => notes.calls.some((c) => /sleep/i.test(c.summary + c.body)));
    const sleepNote = notes.calls.find((c) => /sleep/i.test(c.summary + c.body))!;
    expect(sleepNote.actions).toContain('eject');
    expect(sleepNote.appName).toBe('eGPU Guard');

    bolt.unplug(CORE_X);
    const removed = JSON.parse(
      await w.waitFor((l) => l.includes('"state":"surprise-removed"')),
    ) as { evidence: { source: string }[] };
    expect(removed.evidence[0]?.source).toBe('bolt');
    await waitUntil(() => notes.calls.some((c) => c.hints['urgency'] === 2));
    const critical = notes.calls.filter((c) => c.hints['urgency'] === 2);
    // One notification per GPU: later ones replace the earlier id instead of stacking.
    const last = notes.calls[notes.calls.length - 1]!;
    expect(last.replacesId === 0 || notes.calls.some((c) => c.id === last.replacesId)).toBe(true);
    expect(new Set(notes.calls.map((c) => c.id)).size).toBe(1);
    expect(critical[0]!.summary).toMatch(/RTX 3070/);
    expect(await w.stop()).toBe(0);
  });

  it('--no-notify sends nothing', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    const session = await startTestBus('session');
    cleanups.push(
      () => f.cleanup(),
      () => session.stop(),
    );
    const notes = await startFakeNotificationServer(session.address);
    cleanups.push(() => notes.stop());
    const w = startCli(['watch', '--json', '--no-notify', '--no-dbus', '--root', f.dir], {
      DBUS_SESSION_BUS_ADDRESS: session.address,
    });
    cleanups.push(() => w.stop('SIGKILL'));
    await w.waitFor((l) => l.includes('"state":"attached"'));
    await new Promise((r) => setTimeout(r, 500));
    expect(notes.calls).toEqual([]);
  });
});
