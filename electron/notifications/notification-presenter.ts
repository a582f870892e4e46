// The tray app's notifications: the core's transitions, incidents and notices go through the
// shared notify policy (main/notify/notify-policy.ts, also used by `egpu watch`) to the D-Bus
// desktop notifier; the buttons come back as actions.
//
// Why the D-Bus notifier and not Electron's Notification: on Linux Electron's Notification has
// no action buttons (its `actions` are macOS-only) and no replace key, so every update would
// stack a new bubble. org.freedesktop.Notifications gives replaces_id (one notification per
// GPU), actions with ActionInvoked, the urgency hint and desktop-entry grouping
// (Desktop Notifications Specification). One path for all notifications of the app.

import type { Disposable } from '../../main/common/disposable.js';
import type { Core } from '../../main/core/api.js';
import type { DesktopNotifier, NotificationRequest } from '../../main/notify/desktop-notifier.js';
import {
  bindCoreNotifications,
  createNotifyDispatcher,
} from '../../main/notify/notify-dispatcher.js';
import type { NotifyAction } from '../../main/notify/notify-policy.js';

export type NotificationRoutes = {
  readonly details: (gpu: string | null) => void;
  readonly eject: (gpu: string) => void;
  readonly recover: (gpu: string) => void;
};

export type ShellNotifications = {
  tell(request: NotificationRequest): void;
  route(routes: NotificationRoutes): void;
  /** Resolves when everything decided so far reached the notifier (tests). */
  idle(): Promise<void>;
  dispose(): void;
};

export function createShellNotifications(options: {
  readonly core: Pick<Core, 'snapshot' | 'onTransition' | 'onIncident' | 'onNotice'>;
  readonly notifier: DesktopNotifier;
  readonly log: (line: string) => void;
  /**
   * Notify the core's own events (default). Off when attached to the session's service: it
   * notifies them already, and one notifier per session means nobody is told twice.
   */
  readonly followCore?: boolean;
}): ShellNotifications {
  const dispatcher = createNotifyDispatcher({
    notifier: options.notifier,
    snapshot: () => options.core.snapshot(),
    onError: (e) => options.log(`notification not shown: ${e.message}`),
  });
  const binding =
    options.followCore === false ? null : bindCoreNotifications(options.core, dispatcher);
  let actions: Disposable | null = null;
  return {
    tell: (request) => dispatcher.tell(request),
    route(routes) {
      actions?.dispose();
      actions = dispatcher.onAction((a: NotifyAction) => {
        if (a.action === 'details') routes.details(a.gpu);
        else if (a.gpu !== null) routes[a.action](a.gpu);
      });
    },
    idle: () => dispatcher.idle(),
    dispose() {
      binding?.dispose();
      actions?.dispose();
      dispatcher.dispose();
      options.notifier.dispose();
    },
  };
}
