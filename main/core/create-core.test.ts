// The core tells its faces which user it runs as: the window offers Close only for the apps that
// user can signal (renderer/components/ClientList.svelte).
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
});
