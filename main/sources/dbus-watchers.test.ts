// logind and switcheroo watchers against fake services on a private system-type
// dbus-daemon: snapshots, signals, services that start late, vanish and come
// back, impostors, and buses that do not exist or die.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../platform/clock.js';
import { createDbusPort, type DbusPort } from '../platform/dbus.js';
import type { DbusWatchOptions } from './dbus-service-watch.js';
import type { EventSource, LogindEvent, SwitcherooEvent } from '../common/source-events.js';
import { createLogindWatch } from './logind-watch.js';
import { createSwitcherooWatch } from './switcheroo-watch.js';
import { createCollector, type Collector } from './test/collect.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from './test/dbus-daemon.js';
import { startFakeLogind, startFakeSwitcheroo } from './test/fake-system-services.js';

const port = createDbusPort({ env: {} });
const isLogind = (e: { source: string }): e is LogindEvent => e.source === 'logind';
const isSwitcheroo = (e: { source: string }): e is SwitcherooEvent => e.source === 'switcheroo';
const status =
  (name: string, state: string) => (e: { source: string; name?: string; state?: string }) =>
    e.source === 'status' && e.name === name && e.state === state;

let bus: TestBus;
let sources: EventSource[] = [];
beforeAll(async () => {
  if (dbusDaemonAvailable()) bus = await startTestBus('system');
});
afterAll(async () => {
  await bus?.stop();
});
afterEach(() => {
  for (const s of sources) s.dispose();
  sources = [];
});

function watch(
  create: (options: DbusWatchOptions) => EventSource,
  c: Collector,
  extra: { address?: string; retryMs?: number; clock?: ManualClock; dbus?: DbusPort } = {},
): EventSource {
  const s = create({
    dbus: extra.dbus ?? port,
    clock: extra.clock ?? systemClock,
    onEvent: c.onEvent,
    address: extra.address ?? bus.address,
    retryMs: extra.retryMs ?? 200,
  });
  sources.push(s);
  s.start();
  return s;
}

describe.skipIf(!dbusDaemonAvailable())('logind watch', () => {
  it('delivers PrepareForSleep from logind only, across a logind restart', async () => {
    const impostor = await startFakeLogind(bus.address, null);
    let logind = await startFakeLogind(bus.address);
    const c = createCollector();
    watch(createLogindWatch, c);
    await c.waitFor(status('logind', 'running'));
    impostor.prepareForSleep(true);
    logind.prepareForSleep(true);
    logind.prepareForSleep(false);
    await c.waitFor(isLogind, 2);
    await logind.stop();
    await c.waitFor(status('logind', 'unavailable'));
    logind = await startFakeLogind(bus.address);
    await c.waitFor(status('logind', 'running'), 2);
    logind.prepareForSleep(true);
    await c.waitFor(isLogind, 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(c.of('logind').map((e) => e.start)).toEqual([true, false, true]);
    await logind.stop();
    await impostor.stop();
  });
});

describe.skipIf(!dbusDaemonAvailable())('switcheroo watch', () => {
  it('reads GPUs with BDFs from DRI_PRIME, follows PropertiesChanged and restarts', async () => {
    const intel = {
      name: 'Intel Corporation TigerLake-LP GT2 [Iris Xe Graphics]',
      environment: ['DRI_PRIME', 'pci-0000_00_02_0'],
      default: true,
    };
    const nvidia = {
      name: 'NVIDIA Corporation GA104 [GeForce RTX 3070]',
      environment: [
        '__GLX_VENDOR_LIBRARY_NAME',
        'nvidia',
        '__NV_PRIME_RENDER_OFFLOAD',
        '1',
        '__VK_LAYER_NV_optimus',
        'NVIDIA_only',
      ],
      default: false,
    };
    const amd = {
      name: 'AMD Navi 21',
      environment: ['DRI_PRIME', 'pci-0000_66_00_0'],
      default: false,
    };
    let sw = await startFakeSwitcheroo(bus.address, [intel, nvidia]);
    const c = createCollector();
    watch(createSwitcherooWatch, c);
    const [first] = await c.waitFor(isSwitcheroo);
    expect(first?.gpus).toEqual([
      {
        name: intel.name,
        default: true,
        environment: { DRI_PRIME: 'pci-0000_00_02_0' },
        bdf: '0000:00:02.0',
      },
      {
        name: nvidia.name,
        default: false,
        environment: {
          __GLX_VENDOR_LIBRARY_NAME: 'nvidia',
          __NV_PRIME_RENDER_OFFLOAD: '1',
          __VK_LAYER_NV_optimus: 'NVIDIA_only',
        },
        bdf: null,
      },
    ]);
    sw.setGpus([intel]); // the eGPU was unplugged
    const [, second] = await c.waitFor(isSwitcheroo, 2);
    expect(second?.gpus.map((g) => g.bdf)).toEqual(['0000:00:02.0']);
    await sw.stop();
    sw = await startFakeSwitcheroo(bus.address, [intel, amd]);
    const all = await c.waitFor(isSwitcheroo, 3);
    expect(all[2]?.gpus.map((g) => g.bdf)).toEqual(['0000:00:02.0', '0000:66:00.0']);
    await sw.stop();
  });
});

describe.skipIf(!dbusDaemonAvailable())('a bus that is absent or dies', () => {
  it('reports unavailable, retries at most every retryMs, and connects once the bus exists', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-nobus-'));
    const address = `unix:path=${path.join(dir, 'system_bus_socket')}`;
    let attempts = 0;
    const counting: DbusPort = { connect: (t) => (attempts++, port.connect(t)) };
    const clock = new ManualClock();
    const c = createCollector();
    watch(createLogindWatch, c, { address, retryMs: 30_000, clock, dbus: counting });
    await c.waitFor(status('logind', 'unavailable'));
    expect(attempts).toBe(1);
    clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(1);
    clock.advance(1_000);
    await c.waitFor(status('logind', 'unavailable'), 2);
    expect(attempts).toBe(2);
    const late = await startTestBus('system', dir);
    try {
      const logind = await startFakeLogind(late.address);
      clock.advance(30_000);
      await c.waitFor(status('logind', 'running'));
      expect(attempts).toBe(3);
      logind.prepareForSleep(true);
      await c.waitFor(isLogind);
      await logind.stop();
    } finally {
      await late.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
