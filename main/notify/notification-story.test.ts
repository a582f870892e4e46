// The stories as a desktop shows them: the real core on the demo's simulated machine, its events
// through the same notification policy and dispatcher the tray app and `egpu watch` use, to a real
// notification server (dunst on Xvfb, private session bus). What is asserted is what dunst shows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { createDbusPort } from '../platform/dbus.js';
import { DemoMachine } from '../sim/demo/demo-machine.js';
import { createDesktopNotifier, type DesktopNotifier } from './desktop-notifier.js';
import { bindCoreNotifications, createNotifyDispatcher } from './notify-dispatcher.js';
import type { NotifyAction } from './notify-policy.js';
import { dunstAvailable, startDunst, type Dunst } from './test/dunst.js';

const NAME = 'NVIDIA GeForce RTX 3070';
let dunst: Dunst;
beforeAll(async () => {
  if (dunstAvailable()) dunst = await startDunst();
}, 30_000);
afterAll(() => dunst?.stop());

const until = async (cond: () => boolean, what: string, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The demo's app (a real process holding the eGPU's nodes) until the core sees it. Right after a
 * recovery the simulated kernel may still be creating the new DRM nodes; the app then opens none,
 * so it is started again (the demo's own retry, not the product's).
 */
async function startApp(demo: DemoMachine, egpu: () => string | undefined): Promise<void> {
  for (let tries = 0; tries < 3 && egpu() !== 'in-use'; tries++) {
    if (tries > 0) await demo.act('stop-app');
    await demo.act('start-app');
    await until(() => egpu() === 'in-use', 'in use', 5000).catch(() => undefined);
  }
  expect(egpu()).toBe('in-use');
}

describe('notifications on a real server (dunst)', () => {
  it('safe eject → unplug shows "safe to unplug" naming the enclosure, then nothing alarming; a yank in use is critical', async () => {
    if (!dunstAvailable())
      return expect.fail('dunst and Xvfb are required (apt-get install dunst xvfb)');
    const demo = new DemoMachine();
    let notifier: DesktopNotifier | null = null;
    try {
      await demo.start();
      notifier = await createDesktopNotifier({
        dbus: createDbusPort({ env: {} }),
        clock: systemClock,
        address: dunst.bus.address,
      });
      expect(notifier.available).toBe(true);
      const dispatcher = createNotifyDispatcher({ notifier, snapshot: () => demo.snapshot() });
      const bound = bindCoreNotifications(demo, dispatcher);
      const egpu = (): string | undefined => demo.snapshot().gpus.find((g) => g.external)?.state;
      await until(() => egpu() === 'attached', 'attached');
      const bdf = demo.snapshot().gpus.find((g) => g.external)!.bdf;

      const done = await demo.runEject(bdf, { closePids: [], force: false }, () => undefined).done;
      expect(done.result).toBe('safe-to-unplug');
      await dispatcher.idle();
      expect(await dunst.displayed()).toBe(1);

      await demo.act('unplug');
      await until(() => egpu() === 'unplugged', 'unplugged');
      await settle(1500); // the rest of the cable evidence
      await dispatcher.idle();
      // The story is over: nothing is left on screen, and nothing alarming was ever shown.
      expect(await dunst.displayed()).toBe(0);
      const afterEject = await dunst.everything();
      expect(afterEject.map((n) => [n.summary, n.body, n.urgency])).toEqual([
        [`${NAME} is safe to unplug`, 'Unplug the Razer Core X now.', 'NORMAL'],
      ]);

      // Re-plug, recover, use it, then yank the cable while an app uses it: that is an alarm.
      await demo.act('plug');
      await until(() => egpu() === 'connected', 'connected');
      expect((await demo.runRecover(bdf, () => undefined).done).result).toBe('recovered');
      await until(() => egpu() === 'attached', 'attached again');
      await startApp(demo, egpu);
      await demo.act('unplug');
      await until(() => egpu() === 'surprise-removed', 'surprise-removed');
      await settle(1000);
      await dispatcher.idle();
      const shown = await dunst.everything();
      const critical = shown.filter((n) => n.urgency === 'CRITICAL');
      expect(critical.map((n) => n.summary)).toEqual([
        `${NAME} was unplugged without being ejected`,
      ]);
      bound.dispose();
      dispatcher.dispose();
    } finally {
      notifier?.dispose();
      await demo.stop();
    }
  }, 60_000);

  it('one notification per GPU, replaced as the story goes on; a click reaches the core', async () => {
    if (!dunstAvailable())
      return expect.fail('dunst and Xvfb are required (apt-get install dunst xvfb)');
    const demo = new DemoMachine();
    let notifier: DesktopNotifier | null = null;
    try {
      await demo.start();
      notifier = await createDesktopNotifier({
        dbus: createDbusPort({ env: {} }),
        clock: systemClock,
        address: dunst.bus.address,
      });
      const dispatcher = createNotifyDispatcher({ notifier, snapshot: () => demo.snapshot() });
      const bound = bindCoreNotifications(demo, dispatcher);
      const clicked: NotifyAction[] = [];
      dispatcher.onAction((a) => clicked.push(a));
      const egpu = (): string | undefined => demo.snapshot().gpus.find((g) => g.external)?.state;
      await until(() => egpu() === 'attached', 'attached');
      const bdf = demo.snapshot().gpus.find((g) => g.external)!.bdf;
      await dunst.everything(); // the first test's notifications leave the screen

      // In use, yanked: the "removed" notice is replaced by the critical one — one on screen.
      await startApp(demo, egpu);
      await demo.act('unplug');
      await until(() => egpu() === 'surprise-removed', 'surprise-removed');
      await settle(1000);
      await dispatcher.idle();
      expect(await dunst.displayed()).toBe(1);

      // A click on it is the notification's default action: the core's "details" for that GPU.
      await dunst.click();
      await until(() => clicked.length > 0, 'the click');
      expect(clicked).toEqual([{ action: 'details', gpu: bdf }]);

      // Plugged back in: the enclosure waits for authorization — said once, replacing the alarm.
      await demo.act('plug');
      await until(() => egpu() === 'connected', 'connected');
      await dispatcher.idle();
      // Its Recover button, chosen from dunst's menu, reaches the core: the eGPU comes back.
      const recovering = dispatcher.onAction((a) => {
        if (a.action === 'recover' && a.gpu !== null) void demo.runRecover(a.gpu, () => undefined);
      });
      await dunst.choose('Recover');
      await until(() => clicked.some((a) => a.action === 'recover'), 'the Recover action');
      expect(clicked.at(-1)).toEqual({ action: 'recover', gpu: bdf });
      await until(() => egpu() === 'attached', 'attached again through the notification');
      recovering.dispose();
      await dispatcher.idle();
      // Nothing is left on screen: each notice went with its action or was closed once the GPU
      // worked again (dunst keeps no history of notifications closed by an action).
      expect(await dunst.displayed()).toBe(0);
      bound.dispose();
      dispatcher.dispose();
    } finally {
      notifier?.dispose();
      await demo.stop();
    }
  }, 60_000);
});
