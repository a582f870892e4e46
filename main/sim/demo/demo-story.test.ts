// The demo's fall-off-the-bus story end to end, through the real core, the simulated kernel and
// the real helper: Recover tells the truth while the GPU is dead, and a re-plug brings it back.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StepProgress } from '../../common/actions-model.js';
import type { Snapshot } from '../../common/snapshot.js';
import { DemoMachine } from './demo-machine.js';

const EGPU = '0000:0a:00.0';
const CORE_X = 'dc010000-0000-8508-a22d-32ca6421cb16';

let machine: DemoMachine | null = null;
afterEach(async () => {
  await machine?.stop();
  machine = null;
});

async function until(m: DemoMachine, cond: (s: Snapshot) => boolean, what: string) {
  const end = Date.now() + 8000;
  while (!cond(m.snapshot())) {
    if (Date.now() > end) throw new Error(`the demo did not get to: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stateOf = (s: Snapshot): string | undefined => s.gpus.find((g) => g.bdf === EGPU)?.state;

describe('demo: the GPU falls off the bus', () => {
  it('Recover says "still not responding"; Yank the cable + Plug, then Recover, and it is attached', async () => {
    const m = (machine = new DemoMachine({ stepTimeoutMs: 2000 }));
    await m.start();
    await until(m, (s) => stateOf(s) === 'attached', 'the eGPU attached');
    // The core remembered the enclosure that carries it: the one Recover may authorize later.
    const file = path.join(m.dir!, 'var/lib/egpu-guard/known-enclosures.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual([
      { uniqueId: CORE_X, name: 'Razer Core X', gpus: [EGPU] },
    ]);

    expect(await m.act('fall-off-bus')).toEqual({ ok: true, value: undefined });
    await until(m, (s) => stateOf(s) === 'fell-off-bus', 'fell-off-bus');
    const steps: StepProgress[] = [];
    const dead = await m.runRecover(EGPU, (p) => steps.push(p)).done;
    expect(dead).toEqual({
      result: 'failed',
      detail: `NVIDIA GeForce RTX 3070 (${EGPU}) is still not responding — reconnect the enclosure; if that fails, a reboot is needed.`,
    });
    expect(steps.filter((p) => p.status !== 'running').map((p) => [p.step, p.status])).toEqual([
      ['remove', 'done'],
      ['rescan', 'failed'],
    ]);
    // The recovery removed the dead GPU from the bus: the incident's words, written when it
    // opened, must not now say it is still listed.
    const incident = m
      .snapshot()
      .incidents.find((i) => i.gpu === EGPU && i.kind === 'fell-off-bus');
    expect(incident?.meaning[0]).toBe(
      'The GPU stopped answering on the PCIe bus while it was still listed there (its config space read all ones).',
    );

    expect((await m.act('unplug')).ok).toBe(true);
    expect((await m.act('plug')).ok).toBe(true);
    await until(
      m,
      (s) => s.pendingDevices.some((d) => d.uniqueId === CORE_X && d.known),
      'the Core X waiting, as a known enclosure',
    );
    const back = await m.runRecover(EGPU, () => undefined).done;
    expect(back.result, back.detail).toBe('recovered');
    await until(m, (s) => stateOf(s) === 'attached', 'attached again');
  });
});

describe('demo: an app started while a client scan runs', () => {
  it('is seen by the refresh that follows, not hidden by the scan already under way', async () => {
    const m = (machine = new DemoMachine({ stepTimeoutMs: 2000 }));
    await m.start();
    await until(m, (s) => stateOf(s) === 'attached', 'the eGPU attached');
    for (let i = 0; i < 5; i++) {
      // A scan under way (as the periodic rescan or a window's Refresh would be) …
      const before = m.refreshClients();
      // … then an app starts and its refresh comes in while that scan still runs.
      expect(await m.act('start-app')).toEqual({ ok: true, value: undefined });
      await before;
      expect(stateOf(m.snapshot()), `round ${i}`).toBe('in-use');
      expect((await m.act('stop-app')).ok).toBe(true);
      expect(stateOf(m.snapshot())).toBe('attached');
    }
  });
});

describe('demo: the cable yanked while the app uses the eGPU', () => {
  it('the app ends with its GPU, is named as the one that was using it, and is gone after Recover', async () => {
    const m = (machine = new DemoMachine({ stepTimeoutMs: 2000 }));
    await m.start();
    await until(m, (s) => stateOf(s) === 'attached', 'the eGPU attached');
    expect(await m.act('start-app')).toEqual({ ok: true, value: undefined });
    expect(stateOf(m.snapshot())).toBe('in-use');
    const app = m.snapshot().gpus.find((g) => g.bdf === EGPU)!.clients![0]!;
    const pid = app.pid;
    // What the close dialog shows: an installed app's command line, not the demo's temp folder.
    expect(app).toMatchObject({
      comm: 'ollama',
      cmdline: '/usr/bin/ollama 86400',
      role: 'compute',
    });

    expect((await m.act('unplug')).ok).toBe(true);
    await until(m, (s) => stateOf(s) === 'surprise-removed', 'surprise-removed');
    const end = Date.now() + 8000;
    while (fs.existsSync(`/proc/${pid}`) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(`/proc/${pid}`), 'the app outlived its GPU').toBe(false);
    await m.refreshClients();
    expect(
      m
        .snapshot()
        .gpus.find((g) => g.bdf === EGPU)
        ?.lostUsers?.map((u) => u.comm),
    ).toEqual(['ollama']);

    // The enclosure left with it (its Thunderbolt router is gone): Recover waits for the re-plug.
    await until(m, (s) => s.gpus.find((g) => g.bdf === EGPU)?.enclosureGone === true, 'gone');
    expect((await m.act('plug')).ok).toBe(true);
    await until(m, (s) => s.gpus.find((g) => g.bdf === EGPU)?.enclosureGone === undefined, 'back');
    const back = await m.runRecover(EGPU, () => undefined).done;
    expect(back.result, back.detail).toBe('recovered');
    await until(m, (s) => stateOf(s) === 'attached', 'attached again');
    await m.refreshClients();
    // Nothing on the machine holds the new GPU: not "In use" by a program that, on a real
    // machine, would have ended when its GPU went.
    expect(stateOf(m.snapshot())).toBe('attached');
    expect(m.snapshot().gpus.find((g) => g.bdf === EGPU)?.clients ?? []).toEqual([]);
  });
});

describe('demo: a button that does not apply now', () => {
  it('says so in a sentence, not as "something else is in progress"', async () => {
    const m = (machine = new DemoMachine({ stepTimeoutMs: 2000 }));
    await m.start();
    await until(m, (s) => stateOf(s) === 'attached', 'the eGPU attached');
    expect((await m.act('start-app')).ok).toBe(true);
    const again = await m.act('start-app');
    expect(again.ok ? null : again.error).toMatchObject({
      code: 'invalid-input',
      message: 'The demo app is already running.',
    });
  });
});
