// The dispatcher against a fake org.freedesktop.Notifications server on a private session bus:
// the policy's decisions arrive in order, replace per GPU and map actions back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Emitter } from '../common/disposable.js';
import type { Incident, Notice, Transition } from '../common/snapshot.js';
import { systemClock } from '../platform/clock.js';
import { createDbusPort } from '../platform/dbus.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from '../sources/test/dbus-daemon.js';
import { startFakeNotificationServer } from '../sources/test/fake-system-services.js';
import { createDesktopNotifier } from './desktop-notifier.js';
import { bindCoreNotifications, createNotifyDispatcher } from './notify-dispatcher.js';
import type { NotifyAction } from './notify-policy.js';

const BDF = '0000:06:00.0';
const t = (from: Transition['from'], to: Transition['to']): Transition => ({
  at: 1,
  gpu: BDF,
  name: 'RTX 3080',
  from,
  to,
  evidence: [],
});

const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(!dbusDaemonAvailable())('notify dispatcher on a session bus', () => {
  let bus: TestBus;
  beforeAll(async () => {
    bus = await startTestBus('session');
  });
  afterAll(async () => {
    await bus.stop();
  });

  it('replaces one notification per GPU, closes it when done and maps actions back', async () => {
    const server = await startFakeNotificationServer(bus.address);
    const notifier = await createDesktopNotifier({
      dbus: createDbusPort({ env: {} }),
      clock: systemClock,
      address: bus.address,
      desktopEntry: 'egpu-guard',
    });
    const transitions = new Emitter<Transition>();
    const incidents = new Emitter<Incident>();
    const notices = new Emitter<Notice>();
    const dispatcher = createNotifyDispatcher({ notifier, snapshot: () => null });
    const binding = bindCoreNotifications(
      { onTransition: transitions.event, onIncident: incidents.event, onNotice: notices.event },
      dispatcher,
    );
    const actions: NotifyAction[] = [];
    dispatcher.onAction((a) => actions.push(a));

    // Fired synchronously one after the other: the second must still replace the first.
    transitions.fire(t('in-use', 'ejecting'));
    transitions.fire(t('ejecting', 'stuck'));
    transitions.fire(t('stuck', 'attached'));
    transitions.fire(t('attached', 'surprise-removed'));
    await dispatcher.idle();

    expect(server.calls.map((c) => [c.summary, c.replacesId, c.hints['urgency']])).toEqual([
      ['Removing RTX 3080 is stuck in the driver', 0, 2],
      ['RTX 3080 works again', server.calls[0]!.id, 0],
      ['RTX 3080 was unplugged without being ejected', server.calls[0]!.id, 2],
    ]);
    expect(server.calls[2]!.actions).toEqual(['default', 'Details', 'recover', 'Recover']);
    expect(server.calls[2]!.hints['desktop-entry']).toBe('egpu-guard');

    server.invokeAction(server.calls[2]!.id, 'recover');
    await until(() => actions.length === 1);
    expect(actions).toEqual([{ action: 'recover', gpu: BDF }]);

    transitions.fire(t('surprise-removed', 'attached'));
    transitions.fire(t('attached', 'ejecting'));
    transitions.fire(t('ejecting', 'safe-to-unplug'));
    transitions.fire(t('safe-to-unplug', 'unplugged'));
    await dispatcher.idle();
    await until(() => server.closed.length === 1);
    expect(server.calls.at(-1)!.summary).toBe('RTX 3080 is safe to unplug');

    // A one-off message about the same GPU (a tray eject that failed) goes through the same queue;
    // the previous one was closed, so this one is new.
    const before = server.calls.length;
    dispatcher.tell({
      key: `gpu:${BDF}`,
      summary: 'Could not eject RTX 3080',
      body: 'The driver refused.',
      urgency: 'normal',
      actions: [],
    });
    await dispatcher.idle();
    expect(server.calls.slice(before).map((c) => [c.summary, c.replacesId === 0])).toEqual([
      ['Could not eject RTX 3080', true],
    ]);

    binding.dispose();
    transitions.fire(t('in-use', 'fell-off-bus'));
    await dispatcher.idle();
    expect(server.calls).toHaveLength(before + 1);
    dispatcher.dispose();
    notifier.dispose();
    await server.stop();
  });
});
