// Which user-hook event (docs/hooks.md) a lifecycle transition of the core is, and the facts a
// hook is told. Pure: the caller keeps one HookMemory per GPU and hands it back each time.
//
// The lifecycle alone does not say it: "unplugged" ends a safe eject (`unplugged`) but is a
// surprise when the GPU left without one (snapshot.ts, Departure), and one loss often shows in
// several steps (fell-off-bus, then its cleanup to unplugged; unplugged, then the cable evidence
// to surprise-removed) — hooks hear about a loss once, and about the GPU's return as `recovered`.

import { gpuWords } from '../../common/gpu-words.js';
import type { GpuEntry, GpuLifecycle, Transition } from '../../common/snapshot.js';

export const HOOK_EVENTS = [
  'attached',
  'pre-eject',
  'safe-to-unplug',
  'unplugged',
  'surprise-removed',
  'fell-off-bus',
  'recovered',
] as const;

export type HookEvent = (typeof HOOK_EVENTS)[number];
export type TransitionHookEvent = Exclude<HookEvent, 'pre-eject'>;

/** What a hook is told (EGPU_* in its environment). */
export type HookFacts = {
  readonly event: HookEvent;
  readonly bdf: string;
  readonly name: string;
  /** The shared vocabulary key of its state now (main/common/gpu-words.ts). */
  readonly state: string;
  /** The key of its state before; empty for pre-eject and for a GPU seen for the first time. */
  readonly from: string;
  /** The enclosure's name; empty when not known. */
  readonly enclosure: string;
};

/** What the mapping remembers of one GPU between its transitions. */
export type HookMemory = {
  /** It left without an eject and is not back yet: its return is `recovered`, a second sign of the same loss no new event. */
  readonly lost: boolean;
  /** Its last state and that state's vocabulary key (EGPU_FROM of the next event). */
  readonly last: { readonly state: GpuLifecycle; readonly key: string } | null;
};

export const NEW_MEMORY: HookMemory = { lost: false, last: null };

/** On the bus and usable (or being ejected): moving between these is no event. */
const ON_BUS: ReadonlySet<GpuLifecycle> = new Set(['attached', 'in-use', 'ejecting']);
const TROUBLE: ReadonlySet<GpuLifecycle> = new Set(['fell-off-bus', 'surprise-removed', 'stuck']);
/** Not on the bus before either: an enclosure that leaves again before its GPU came up. */
const NEVER_UP: ReadonlySet<GpuLifecycle> = new Set(['absent', 'connected']);

/**
 * The event of one transition, from the transition and the GPU's departure after it, and the
 * memory to keep. Exported for its table test; transitionHook() is what callers use.
 */
export function transitionEvent(
  t: Pick<Transition, 'from' | 'to'>,
  departure: GpuEntry['departure'],
  lost: boolean,
): { readonly event: TransitionHookEvent | null; readonly lost: boolean } {
  const same = { event: null, lost };
  switch (t.to) {
    case 'attached':
    case 'in-use':
      if (t.from !== null && ON_BUS.has(t.from)) return same;
      return {
        event: lost || (t.from !== null && TROUBLE.has(t.from)) ? 'recovered' : 'attached',
        lost: false,
      };
    case 'safe-to-unplug':
      return { event: 'safe-to-unplug', lost: false };
    case 'fell-off-bus':
      return lost ? same : { event: 'fell-off-bus', lost: true };
    case 'surprise-removed':
      return lost ? same : { event: 'surprise-removed', lost: true };
    case 'unplugged':
      if (departure === 'safe-eject') return { event: 'unplugged', lost: false };
      if (lost || t.from === null || NEVER_UP.has(t.from)) return same;
      return {
        event: departure === 'fell-off-bus' ? 'fell-off-bus' : 'surprise-removed',
        lost: true,
      };
    case 'absent':
    case 'connected':
    case 'ejecting':
    case 'stuck':
      return same;
  }
}

/**
 * One transition of the core: the hook run it asks for (external GPUs only), if any, and the
 * GPU's memory after it. `entry` is the GPU's entry at the time (after the transition).
 */
export function transitionHook(
  t: Transition,
  entry: GpuEntry | undefined,
  memory: HookMemory,
): { readonly facts: HookFacts | null; readonly memory: HookMemory } {
  const key = entry === undefined ? t.to : gpuWords({ ...entry, state: t.to }).key;
  const { event, lost } = transitionEvent(t, entry?.departure ?? null, memory.lost);
  const next: HookMemory = { lost, last: { state: t.to, key } };
  if (event === null || entry === undefined || !entry.external)
    return { facts: null, memory: next };
  // The key remembered for the state it leaves, when it is that state (it names the sub-case:
  // `unplugged-after-eject`); else the plain state.
  const from = t.from === null ? '' : memory.last?.state === t.from ? memory.last.key : t.from;
  return {
    facts: {
      event,
      bdf: t.gpu,
      name: t.name,
      state: key,
      from,
      enclosure: entry.enclosure?.name ?? '',
    },
    memory: next,
  };
}

/**
 * What a pre-eject hook is told: the GPU as the eject found it. Its state is the core's when the
 * core runs the eject, else what the client scan says (`in-use` when a program holds it).
 */
export function preEjectFacts(g: {
  readonly bdf: string;
  readonly name: string | null;
  readonly state: GpuLifecycle | null;
  readonly holders: number;
  readonly enclosure: string | null;
}): HookFacts {
  const state = g.state ?? (g.holders > 0 ? 'in-use' : 'attached');
  const key = gpuWords({
    state,
    departure: null,
    external: true,
    enclosure: null,
    clients: null,
    clientsAt: null,
  }).key;
  return {
    event: 'pre-eject',
    bdf: g.bdf,
    name: g.name ?? g.bdf,
    state: key,
    from: '',
    enclosure: g.enclosure ?? '',
  };
}
