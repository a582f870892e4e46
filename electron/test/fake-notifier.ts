// Test support: an in-memory DesktopNotifier that records what would be shown and lets a test
// press a notification's button.

import { toDisposable } from '../../main/common/disposable.js';
import { ok } from '../../main/common/result.js';
import type { DesktopNotifier, NotificationRequest } from '../../main/notify/desktop-notifier.js';

export type FakeNotifier = DesktopNotifier & {
  readonly shown: NotificationRequest[];
  readonly closed: string[];
  press(key: string, actionId: string): void;
  disposed: boolean;
};

export function createFakeNotifier(): FakeNotifier {
  const listeners = new Set<(key: string, actionId: string) => void>();
  const fake: FakeNotifier = {
    available: true,
    shown: [],
    closed: [],
    disposed: false,
    notify(n) {
      const replaced = fake.shown.some((s) => s.key === n.key);
      fake.shown.push(n);
      return Promise.resolve(ok({ shown: true, id: fake.shown.length, replaced, actions: true }));
    },
    close(key) {
      fake.closed.push(key);
      return Promise.resolve(ok(undefined));
    },
    onAction(listener) {
      listeners.add(listener);
      return toDisposable(() => listeners.delete(listener));
    },
    press(key, actionId) {
      for (const l of [...listeners]) l(key, actionId);
    },
    dispose() {
      fake.disposed = true;
    },
  };
  return fake;
}
