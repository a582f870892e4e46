// Is there a system tray to show our icon? On Linux Electron's Tray is a StatusNotifierItem; it
// is only visible when a StatusNotifier host (the panel) has registered with
// org.kde.StatusNotifierWatcher on the session bus. GNOME has none without the AppIndicator
// extension: then the app opens its window instead and says why.
//
// At login the app may start before the panel has registered: with `waitMs` the check listens for
// the watcher to appear and for StatusNotifierHostRegistered before it answers "no host".

import type { Disposable } from '../../main/common/disposable.js';
import type { DbusConnection, DbusPort } from '../../main/platform/dbus.js';

export const SNI_WATCHER = 'org.kde.StatusNotifierWatcher';
export const SNI_WATCHER_PATH = '/StatusNotifierWatcher';

export type TrayHostCheck = {
  readonly host: boolean;
  /** Why, in words for the log. */
  readonly detail: string;
};

export type DetectTrayHostOptions = {
  readonly dbus: DbusPort;
  /** Session bus address; default from the environment. */
  readonly address?: string;
  /** How long to wait for a host to appear (0: answer from what is there now). */
  readonly waitMs: number;
};

async function hostRegistered(conn: DbusConnection): Promise<boolean> {
  const r = await conn.getProperty(
    SNI_WATCHER,
    SNI_WATCHER_PATH,
    SNI_WATCHER,
    'IsStatusNotifierHostRegistered',
  );
  return r.ok && r.value === true;
}

function waitForHost(conn: DbusConnection, waitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const subs: Disposable[] = [];
    let settled = false;
    const finish = (host: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const s of subs) s.dispose();
      resolve(host);
    };
    const recheck = (): void => {
      void hostRegistered(conn).then((yes) => {
        if (yes) finish(true);
      });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    subs.push(
      conn.watchSignal(
        { iface: SNI_WATCHER, member: 'StatusNotifierHostRegistered', path: SNI_WATCHER_PATH },
        recheck,
      ),
      // A watcher appearing later (the panel starts after us) may already have its host.
      conn.watchNameOwner(SNI_WATCHER, (owner) => {
        if (owner !== null) recheck();
      }),
    );
  });
}

export async function detectTrayHost(options: DetectTrayHostOptions): Promise<TrayHostCheck> {
  const target =
    options.address === undefined
      ? { bus: 'session' as const }
      : { bus: 'session' as const, address: options.address };
  const c = await options.dbus.connect(target);
  if (!c.ok) return { host: false, detail: `no session bus: ${c.error.message}` };
  const conn = c.value;
  try {
    if (await hostRegistered(conn))
      return { host: true, detail: 'a StatusNotifier host is registered' };
    if (options.waitMs > 0 && (await waitForHost(conn, options.waitMs))) {
      return { host: true, detail: 'a StatusNotifier host registered while we waited' };
    }
    return { host: false, detail: `no StatusNotifier host registered with ${SNI_WATCHER}` };
  } finally {
    conn.close();
  }
}

/** What the window says when it opened because there is no tray. */
export const NO_TRAY_NOTICE =
  'Your desktop shows no system tray (no StatusNotifier host), so eGPU Guard opened this window ' +
  'instead of a tray icon. On GNOME, the "AppIndicator and KStatusNotifierItem Support" ' +
  'extension adds the tray. Without a tray, closing this window quits eGPU Guard.';
