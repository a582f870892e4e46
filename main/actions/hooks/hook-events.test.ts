// Which hook event each lifecycle transition is (docs/hooks.md), as a table, and the facts a
// hook is told along a whole story.
import { describe, expect, it } from 'vitest';
import type { Departure, GpuEntry, GpuLifecycle, Transition } from '../../common/snapshot.js';
import {
  NEW_MEMORY,
  preEjectFacts,
  transitionEvent,
  transitionHook,
  type HookMemory,
  type TransitionHookEvent,
} from './hook-events.js';

type Row = [
  from: GpuLifecycle | null,
  to: GpuLifecycle,
  departure: Departure | null,
  lost: boolean,
  event: TransitionHookEvent | null,
  lostAfter: boolean,
];

const ROWS: Row[] = [
  // Plugged in, or back after a safe eject.
  ['absent', 'attached', null, false, 'attached', false],
  ['connected', 'attached', null, false, 'attached', false],
  [null, 'attached', null, false, 'attached', false],
  ['unplugged', 'in-use', null, false, 'attached', false],
  ['safe-to-unplug', 'attached', null, false, 'attached', false], // "use it again" after an eject
  // Usage and ejects in progress are no event.
  ['attached', 'in-use', null, false, null, false],
  ['in-use', 'attached', null, false, null, false],
  ['attached', 'ejecting', null, false, null, false],
  ['ejecting', 'attached', null, false, null, false], // a blocked or cancelled eject
  ['absent', 'connected', null, false, null, false],
  ['in-use', 'stuck', null, false, null, false],
  // The end of a safe eject.
  ['ejecting', 'safe-to-unplug', 'safe-eject', false, 'safe-to-unplug', false],
  ['safe-to-unplug', 'unplugged', 'safe-eject', false, 'unplugged', false],
  // Losses, each told once.
  ['in-use', 'surprise-removed', 'surprise', false, 'surprise-removed', true],
  ['attached', 'unplugged', 'surprise', false, 'surprise-removed', true], // removed by someone else
  ['unplugged', 'surprise-removed', 'surprise', true, null, true], // the cable evidence after it
  ['in-use', 'fell-off-bus', null, false, 'fell-off-bus', true],
  ['fell-off-bus', 'unplugged', 'fell-off-bus', true, null, true], // its cleanup
  ['fell-off-bus', 'surprise-removed', 'surprise', true, null, true],
  ['stuck', 'unplugged', 'surprise', false, 'surprise-removed', true],
  // An enclosure that leaves before its GPU came up: no GPU event.
  ['connected', 'unplugged', null, false, null, false],
  ['absent', 'unplugged', null, false, null, false],
  // Back after a loss.
  ['connected', 'attached', null, true, 'recovered', false],
  ['fell-off-bus', 'attached', null, true, 'recovered', false], // answers on the bus again
  ['stuck', 'attached', null, false, 'recovered', false],
  ['surprise-removed', 'in-use', null, false, 'recovered', false],
];

describe('transition → hook event', () => {
  it.each(ROWS)(
    '%s → %s (departure %s, lost %s): %s',
    (from, to, departure, lost, event, after) => {
      expect(transitionEvent({ from, to }, departure, lost)).toEqual({ event, lost: after });
    },
  );
});

const BDF = '0000:0a:00.0';
const entry = (over: Partial<GpuEntry>): GpuEntry => ({
  bdf: BDF,
  name: 'AMD Radeon RX 7600',
  vendorId: '1002',
  deviceId: '7480',
  external: true,
  enclosure: { name: 'Razer Core X', router: '0-1', uniqueId: 'u' },
  state: 'attached',
  since: 0,
  present: true,
  info: null,
  clients: [],
  clientsAt: 1,
  incident: null,
  departure: null,
  ...over,
});
const t = (from: GpuLifecycle | null, to: GpuLifecycle): Transition => ({
  at: 1,
  gpu: BDF,
  name: 'AMD Radeon RX 7600',
  from,
  to,
  evidence: [],
});

/** Feeds a story through transitionHook; returns the facts of each event in order. */
function story(steps: [Transition, GpuEntry][]): string[] {
  let memory: HookMemory = NEW_MEMORY;
  const out: string[] = [];
  for (const [tr, e] of steps) {
    const r = transitionHook(tr, e, memory);
    memory = r.memory;
    if (r.facts !== null)
      out.push(`${r.facts.event} ${r.facts.from}→${r.facts.state} [${r.facts.enclosure}]`);
  }
  return out;
}

describe('the facts along a story', () => {
  it('a safe eject: EGPU_FROM names the sub-case the GPU left', () => {
    expect(
      story([
        [t('in-use', 'ejecting'), entry({ state: 'ejecting' })],
        [
          t('ejecting', 'safe-to-unplug'),
          entry({ state: 'safe-to-unplug', present: false, departure: 'safe-eject' }),
        ],
        [
          t('safe-to-unplug', 'unplugged'),
          entry({ state: 'unplugged', present: false, departure: 'safe-eject' }),
        ],
        [t('unplugged', 'connected'), entry({ state: 'connected', present: false })],
        [t('connected', 'attached'), entry({})],
      ]),
    ).toEqual([
      'safe-to-unplug ejecting→safe-to-unplug [Razer Core X]',
      'unplugged safe-to-unplug→unplugged-after-eject [Razer Core X]',
      'attached connected→attached [Razer Core X]',
    ]);
  });

  it('a GPU that fell off the bus: one loss, then recovered', () => {
    expect(
      story([
        [t('attached', 'fell-off-bus'), entry({ state: 'fell-off-bus' })],
        [
          t('fell-off-bus', 'unplugged'),
          entry({ state: 'unplugged', present: false, departure: 'fell-off-bus' }),
        ],
        [t('unplugged', 'attached'), entry({})],
      ]),
    ).toEqual([
      'fell-off-bus attached→fell-off-bus [Razer Core X]',
      'recovered unplugged-not-responding→attached [Razer Core X]',
    ]);
  });

  it('internal GPUs run no hooks; a GPU without a known enclosure tells an empty one', () => {
    expect(story([[t(null, 'attached'), entry({ external: false })]])).toEqual([]);
    expect(story([[t(null, 'attached'), entry({ enclosure: null })]])).toEqual([
      'attached →attached []',
    ]);
  });
});

describe('pre-eject facts', () => {
  it('tell the state the eject found, in the shared vocabulary', () => {
    expect(
      preEjectFacts({ bdf: BDF, name: 'RX 7600', state: null, holders: 2, enclosure: null }),
    ).toEqual({
      event: 'pre-eject',
      bdf: BDF,
      name: 'RX 7600',
      state: 'in-use',
      from: '',
      enclosure: '',
    });
    expect(
      preEjectFacts({ bdf: BDF, name: null, state: 'attached', holders: 0, enclosure: 'Core X' }),
    ).toMatchObject({ name: BDF, state: 'attached', enclosure: 'Core X' });
  });
});
