// Glue between the core's events, the notify policy and the desktop notifier, shared by the tray
// app and `egpu watch`. Calls to the notifier run one at a time and in order: a replacement needs
// the id the server returned for the previous notification of the same key, so two Notify calls
// in flight would stack instead of replace.

import { DisposableStore, toDisposable, type Disposable } from '../common/disposable.js';
import type { AppError } from '../common/errors.js';
import type { Incident, Notice, Snapshot, Transition } from '../common/snapshot.js';
import type { DesktopNotifier, NotificationRequest } from './desktop-notifier.js';
import {
  decideNotification,
  initialNotifyMemory,
  parseNotificationAction,
  type NotifyAction,
  type NotifyDecision,
  type NotifyEvent,
} from './notify-policy.js';

export type NotifyDispatcher = {
  handle(event: NotifyEvent): void;
  /** Shows a notification the policy did not decide (e.g. an eject started from the tray failed). */
  tell(request: NotificationRequest): void;
  /** The user picked an action of one of our notifications. */
  onAction(listener: (action: NotifyAction) => void): Disposable;
  /** Resolves when every decision taken so far has reached the notifier. */
  idle(): Promise<void>;
  dispose(): void;
};

export type NotifyDispatcherOptions = {
  readonly notifier: DesktopNotifier;
  /** The core's snapshot now (the policy reads GPU states from it). */
  readonly snapshot: () => Snapshot | null;
  /** Every decision, for logs and tests. */
  readonly onDecision?: (decision: NotifyDecision, event: NotifyEvent) => void;
  readonly onError?: (error: AppError) => void;
};

export function createNotifyDispatcher(options: NotifyDispatcherOptions): NotifyDispatcher {
  const { notifier } = options;
  let memory = initialNotifyMemory;
  let queue: Promise<void> = Promise.resolve();
  let disposed = false;
  const listeners = new Set<(a: NotifyAction) => void>();

  const actionSub = notifier.onAction((key, actionId) => {
    const action = parseNotificationAction(key, actionId);
    if (action !== null) for (const l of [...listeners]) l(action);
  });

  const deliver = async (decision: NotifyDecision): Promise<void> => {
    if (decision.kind === 'none' || disposed) return;
    const r =
      decision.kind === 'show'
        ? await notifier.notify(decision.request)
        : await notifier.close(decision.key);
    if (!r.ok) options.onError?.(r.error);
  };

  return {
    handle(event) {
      if (disposed) return;
      const next = decideNotification(memory, event, options.snapshot());
      memory = next.memory;
      options.onDecision?.(next.decision, event);
      queue = queue.then(() => deliver(next.decision)).catch(() => undefined);
    },
    tell(request) {
      if (disposed) return;
      queue = queue.then(() => deliver({ kind: 'show', request })).catch(() => undefined);
    },
    onAction(listener) {
      listeners.add(listener);
      return toDisposable(() => listeners.delete(listener));
    },
    idle: () => queue,
    dispose() {
      disposed = true;
      actionSub.dispose();
      listeners.clear();
    },
  };
}

/** What the dispatcher listens to: the Core's events (notify never imports the core itself). */
export type CoreEvents = {
  onTransition(listener: (t: Transition) => void): Disposable;
  onIncident(listener: (i: Incident) => void): Disposable;
  onNotice(listener: (n: Notice) => void): Disposable;
};

/** Feeds the core's transitions, incidents and notices to the dispatcher. */
export function bindCoreNotifications(core: CoreEvents, dispatcher: NotifyDispatcher): Disposable {
  const store = new DisposableStore();
  store.add(
    core.onTransition((transition) => dispatcher.handle({ type: 'transition', transition })),
  );
  store.add(core.onIncident((incident) => dispatcher.handle({ type: 'incident', incident })));
  store.add(core.onNotice((notice) => dispatcher.handle({ type: 'notice', notice })));
  return store;
}
