// The core tells its faces which user it runs as: the window offers Close only for the apps that
// user can signal (renderer/components/ClientList.svelte); and it starts from what an earlier eject
// left (main/actions/eject-intent.ts).
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from './create-core.js';
import { makeSysroot } from '../sim/sysroot-fixture.js';
import { scenarioByName } from '../sim/scenarios/index.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('createCore', () => {
  it("carries this process's uid in every snapshot, pushed ones included", async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const core = createCore({ root: f.root, env: {}, noDbus: true });
    const pushed = new Promise((resolve) => core.onSnapshot(resolve));
    await core.start();
    try {
      expect(core.snapshot().uid).toBe(process.getuid!());
      expect(await pushed).toMatchObject({ uid: process.getuid!() });
    } finally {
      await core.stop();
    }
  });

  it('a remembered safe eject of a GPU that is back on the bus is over: forgotten, no "safe to unplug"', async () => {
    const f = makeSysroot(scenarioByName('tb3-nvidia')!);
    cleanups.push(() => f.cleanup());
    const record = f.host('/run/egpu-guard/ejected/0000:0a:00.0');
    fs.mkdirSync(record.slice(0, record.lastIndexOf('/')), { recursive: true });
    fs.writeFileSync(record, JSON.stringify({ at: 1, unplugWarnings: [] }));
    // Remembered from before, as a core that saw it on the bus keeps it.
    fs.mkdirSync(f.host('/var/lib/egpu-guard'), { recursive: true });
    fs.writeFileSync(
      f.host('/var/lib/egpu-guard/known-gpus.json'),
      JSON.stringify([
        {
          bdf: '0000:0a:00.0',
          name: 'NVIDIA GeForce RTX 3070',
          vendorId: '0x10de',
          deviceId: '0x2484',
          enclosure: {
            name: 'Razer Core X',
            router: '0-1',
            uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
          },
        },
      ]),
    );
    const core = createCore({ root: f.root, env: {}, noDbus: true });
    const states: string[] = [];
    core.onTransition((t) => states.push(t.to));
    await core.start();
    try {
      expect(core.snapshot().gpus.find((g) => g.bdf === '0000:0a:00.0')?.state).toBe('attached');
      expect(states).not.toContain('safe-to-unplug');
      expect(fs.existsSync(record)).toBe(false);
    } finally {
      await core.stop();
    }
  });
});
