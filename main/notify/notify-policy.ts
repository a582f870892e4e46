// Which lifecycle transitions, incidents and notices become a desktop notification, and how
// (urgency, actions, replace key). Pure: a reducer over a small memory, so the tray app and
// `egpu watch` decide alike and every rule is a unit test. Delivery is desktop-notifier.ts.
//
// One notification per GPU: every decision about a GPU uses the key `gpu:<bdf>`, so the server
// replaces the previous one instead of stacking (Desktop Notifications spec, replaces_id;
// and its "Actions" section). The action key `default` is the click on the notification body.

import type {
  GpuLifecycle,
  Incident,
  Notice,
  Severity,
  Snapshot,
  Transition,
} from '../common/snapshot.js';
import { enclosureWords, gpuWords } from '../common/gpu-words.js';
import type { NotificationRequest, Urgency } from './desktop-notifier.js';

export type NotifyEvent =
  | { readonly type: 'transition'; readonly transition: Transition }
  | { readonly type: 'incident'; readonly incident: Incident }
  | { readonly type: 'notice'; readonly notice: Notice };

export type NotifyDecision =
  | { readonly kind: 'show'; readonly request: NotificationRequest }
  | { readonly kind: 'close'; readonly key: string }
  | { readonly kind: 'none'; readonly why: string };

/** What the policy remembers between events: the severity each incident was last shown at. */
export type NotifyMemory = { readonly incidents: ReadonlyMap<string, Severity> };

export const initialNotifyMemory: NotifyMemory = { incidents: new Map() };

/** The action ids a notification may carry; `default` (body click) opens the details. */
export type NotifyActionId = 'default' | 'eject' | 'recover';
export type NotifyAction = {
  readonly action: 'details' | 'eject' | 'recover';
  readonly gpu: string | null;
};

const DETAILS = { id: 'default', label: 'Details' } as const;
const EJECT = { id: 'eject', label: 'Eject' } as const;
const RECOVER = { id: 'recover', label: 'Recover' } as const;
/** The same run after a safe eject, named as the window names it. */
const REUSE = { id: 'recover', label: 'Use it again' } as const;

/** Incidents the policy remembers at most; the oldest are forgotten first. */
const MEMORY_LIMIT = 256;

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };
const URGENCY_OF: Readonly<Record<Severity, Urgency>> = {
  info: 'low',
  warning: 'normal',
  critical: 'critical',
};

const PROBLEMS: ReadonlySet<GpuLifecycle> = new Set(['surprise-removed', 'fell-off-bus', 'stuck']);
/** States in which the GPU is gone or broken: a lifecycle notification already covers them. */
const COVERED: ReadonlySet<GpuLifecycle> = new Set([...PROBLEMS, 'unplugged']);

export const gpuKey = (bdf: string): string => `gpu:${bdf}`;

const none = (why: string): NotifyDecision => ({ kind: 'none', why });

function show(
  key: string,
  urgency: Urgency,
  summary: string,
  body: string,
  actions: NotificationRequest['actions'],
  category: string,
): NotifyDecision {
  return { kind: 'show', request: { key, summary, body, urgency, actions, category } };
}

function stateOf(snapshot: Snapshot | null, bdf: string | null): GpuLifecycle | null {
  if (snapshot === null || bdf === null) return null;
  return snapshot.gpus.find((g) => g.bdf === bdf)?.state ?? null;
}

/** The decision for one lifecycle transition; `snapshot` (after it) supplies the facts words need. */
export function decideTransition(t: Transition, snapshot: Snapshot | null = null): NotifyDecision {
  const key = gpuKey(t.gpu);
  const name = t.name;
  const entry = snapshot?.gpus.find((g) => g.bdf === t.gpu);
  switch (t.to) {
    case 'surprise-removed': {
      // The window's words for the same facts: who was using it (they may have crashed), or that
      // nothing was — then it is a warning, not an alarm.
      const words = entry === undefined ? null : gpuWords({ ...entry, state: t.to });
      const idle = words?.key === 'surprise-removed-idle';
      // With the enclosure gone too, Recover waits for the re-plug (its own notification).
      const gone = entry?.enclosureGone === true;
      const what = words?.explanation ?? 'Programs that were using it may have crashed or hung.';
      return show(
        key,
        idle ? 'normal' : 'critical',
        `${name} was unplugged without being ejected`,
        gone ? what : `${what} Plug it back in, then choose Recover.`,
        gone ? [DETAILS] : [DETAILS, RECOVER],
        'device.removed',
      );
    }
    case 'fell-off-bus':
      return show(
        key,
        'critical',
        `${name} fell off the bus`,
        'It no longer answers on the PCIe bus. Save your work in apps that use it, reconnect it, then choose Recover.',
        [DETAILS, RECOVER],
        'device.error',
      );
    case 'stuck':
      return show(
        key,
        'critical',
        `Removing ${name} is stuck in the driver`,
        'The driver waits for every program to let go of the GPU. Close the apps that use it; if it never finishes, a reboot is needed.',
        [DETAILS],
        'device.error',
      );
    case 'safe-to-unplug':
      if ((entry?.unplugWarnings?.length ?? 0) > 0)
        return show(
          key,
          'normal',
          `${name} is removed; a drive is still connected`,
          (entry?.unplugWarnings ?? []).join(' '),
          [DETAILS],
          'device.removed',
        );
      return show(
        key,
        'normal',
        `${name} is safe to unplug`,
        `Unplug ${entry === undefined ? 'the enclosure' : enclosureWords(entry)} now.`,
        [DETAILS],
        'device.removed',
      );
    case 'connected': {
      // Say what is really missing: an authorization, or (router authorized) the GPU showing up.
      const uid = entry?.enclosure?.uniqueId;
      const router = snapshot?.thunderbolt
        .flatMap((d) => d.routers)
        .find((r) => uid !== undefined && r.uniqueId === uid);
      // Plugged back in after a safe eject: routine, said as such ("Use it again", as the card).
      if (entry?.departure === 'safe-eject')
        return show(
          key,
          'low',
          `${name}'s enclosure is connected again`,
          'Choose Use it again to bring the GPU up.',
          [DETAILS, REUSE],
          'device.added',
        );
      return router !== undefined && router.authorized !== 0
        ? show(
            key,
            'normal',
            `${name}'s enclosure is connected`,
            'The GPU has not appeared on the PCI bus yet. Choose Recover to rescan for it.',
            [DETAILS, RECOVER],
            'device.added',
          )
        : show(
            key,
            'normal',
            `${name} is connected but not authorized`,
            'Nothing behind the Thunderbolt enclosure is usable until it is authorized. Choose Recover to authorize it.',
            [DETAILS, RECOVER],
            'device.added',
          );
    }
    case 'unplugged':
      if (t.from === 'safe-to-unplug') return { kind: 'close', key };
      if (t.from === 'attached' || t.from === 'in-use') {
        // Removed from the PCI bus by someone else; if cable evidence follows, the
        // surprise-removed notification replaces this one (same key).
        return show(
          key,
          'normal',
          `${name} was removed`,
          'It was removed from the PCI bus outside eGPU Guard. Choose Recover to bring it back.',
          [DETAILS, RECOVER],
          'device.removed',
        );
      }
      return none('the removal of a GPU that was already gone or broken is no news');
    case 'attached':
    case 'in-use':
      if (t.from !== null && PROBLEMS.has(t.from)) {
        return show(
          key,
          'low',
          `${name} works again`,
          'It is attached and usable.',
          [DETAILS],
          'device.added',
        );
      }
      if (
        t.from === 'connected' ||
        t.from === 'safe-to-unplug' ||
        t.from === 'unplugged' ||
        t.from === 'absent'
      ) {
        return { kind: 'close', key };
      }
      return none('ordinary use of an attached GPU');
    case 'absent':
      return t.from === 'connected' ? { kind: 'close', key } : none('a GPU that is not here');
    case 'ejecting':
      return none('the eject was started by the user, who watches its progress');
  }
}

function decideIncident(
  memory: NotifyMemory,
  i: Incident,
  snapshot: Snapshot | null,
): { memory: NotifyMemory; decision: NotifyDecision } {
  // An incident that ended (the GPU is back, or was ejected): the lifecycle notification says so.
  if (i.resolvedAt !== undefined) return { memory, decision: none('the incident has ended') };
  const shownAt = memory.incidents.get(i.id);
  if (shownAt !== undefined && RANK[i.severity] <= RANK[shownAt]) {
    return { memory, decision: none('this incident was already shown at this severity') };
  }
  const remember = (): NotifyMemory => {
    const incidents = new Map(memory.incidents);
    incidents.delete(i.id);
    incidents.set(i.id, i.severity);
    while (incidents.size > MEMORY_LIMIT) incidents.delete(incidents.keys().next().value as string);
    return { incidents };
  };
  if (i.severity === 'info')
    return { memory, decision: none('informational kernel messages stay in the timeline') };
  const lifecycle =
    i.kind === 'surprise-removal' || i.kind === 'fell-off-bus' || i.kind === 'driver-stuck';
  const state = stateOf(snapshot, i.gpu);
  if (lifecycle && state !== null && COVERED.has(state)) {
    return { memory: remember(), decision: none('the lifecycle transition already notified') };
  }
  const key = i.gpu === null ? `incident:${i.id}` : gpuKey(i.gpu);
  const recoverable =
    i.kind === 'wedged' || i.kind === 'fell-off-bus' || i.kind === 'surprise-removal';
  const actions = i.gpu !== null && recoverable ? [DETAILS, RECOVER] : [DETAILS];
  const body = i.nextSteps[0] ?? i.meaning[0] ?? 'Open eGPU Guard for the details.';
  const category = i.severity === 'critical' ? 'device.error' : 'device';
  return {
    memory: remember(),
    decision: show(key, URGENCY_OF[i.severity], capitalize(i.title), body, actions, category),
  };
}

function decideNotice(n: Notice, snapshot: Snapshot | null): NotifyDecision {
  // A user hook failed (docs/hooks.md): its own key, so it never replaces what the GPU's
  // notification says about the GPU itself.
  if (n.kind === 'hook-failed')
    return show(
      `hooks:${n.gpu}`,
      'normal',
      'An eGPU Guard hook failed',
      n.text,
      [DETAILS],
      'device',
    );
  const state = stateOf(snapshot, n.gpu);
  // Only an eGPU in use is worth waking the user for: many setups do not survive suspend then.
  if (state !== null && state !== 'in-use') return none('the eGPU is not in use');
  return show(
    gpuKey(n.gpu),
    state === 'in-use' ? 'critical' : 'normal',
    `${n.name} is in use and the computer is going to sleep`,
    n.text,
    [DETAILS, EJECT],
    'device',
  );
}

/**
 * The decision for one event. `snapshot` is the core's snapshot at the time (after the event);
 * it tells whether an incident is already covered by a lifecycle notification and whether the
 * eGPU is in use before sleep.
 */
export function decideNotification(
  memory: NotifyMemory,
  event: NotifyEvent,
  snapshot: Snapshot | null,
): { readonly memory: NotifyMemory; readonly decision: NotifyDecision } {
  switch (event.type) {
    case 'transition':
      return { memory, decision: decideTransition(event.transition, snapshot) };
    case 'incident':
      return decideIncident(memory, event.incident, snapshot);
    case 'notice':
      return { memory, decision: decideNotice(event.notice, snapshot) };
  }
}

/** Maps an ActionInvoked (key, action id) back to what the user asked for; null if unknown. */
export function parseNotificationAction(key: string, actionId: string): NotifyAction | null {
  const gpu = key.startsWith('gpu:') ? key.slice(4) : null;
  switch (actionId) {
    case 'default':
      return { action: 'details', gpu };
    case 'eject':
    case 'recover':
      return gpu === null ? null : { action: actionId, gpu };
    default:
      return null;
  }
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
