// Composition root of the tray app (VS Code's code/electron-main/app.ts analogue): runs once
// Electron is ready and wires core → IPC, tray, window and notifications. Every piece that talks
// to the outside world comes from ShellDeps, so tests run the whole shell against the fake
// electron module, a FakeCore and a fake notifier.

import * as os from 'node:os';
import { session, type App } from 'electron';
import { DisposableStore, toDisposable } from '../main/common/disposable.js';
import type { AppInfo } from '../main/common/ipc/contract.js';
import type { Snapshot } from '../main/common/snapshot.js';
import { createDesktopNotifier, type DesktopNotifier } from '../main/notify/desktop-notifier.js';
import { systemClock } from '../main/platform/clock.js';
import { createDbusPort, type DbusPort } from '../main/platform/dbus.js';
import { hostSession, type SessionHost } from '../main/service/session-host.js';
import { installLifecycle } from './app-lifecycle.js';
import { createShellCore, type ShellCore } from './core-factory.js';
import { wireIpc } from './ipc/ipc-wiring.js';
import { createShellNotifications } from './notifications/notification-presenter.js';
import { resolveShellPaths, type ShellPaths } from './paths.js';
import { createQuickActions } from './quick-actions.js';
import { installContentsHardening } from './security/harden-contents.js';
import { hardenSession } from './security/harden-session.js';
import {
  autostartExec,
  autostartPath,
  createAutostart,
  HIDDEN_FLAG,
  type AutostartFs,
} from './tray/autostart.js';
import { createNodeAutostartFs } from './tray/autostart-fs.js';
import { createTrayController, type TrayControllerOptions } from './tray/tray-controller.js';
import { detectTrayHost, NO_TRAY_NOTICE, type TrayHostCheck } from './tray/tray-host.js';
import { createTrayDispatch } from './tray/tray-dispatch.js';
import { createStatusWindow, type StatusWindowOptions } from './windows/status-window.js';

export type ShellApp = Pick<
  App,
  'on' | 'quit' | 'exit' | 'getVersion' | 'getAppPath' | 'isPackaged'
>;

export type ShellDeps = {
  readonly app: ShellApp;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  // For testing: every seam below defaults to the real thing.
  readonly paths?: ShellPaths;
  readonly createCore?: (
    argv: readonly string[],
    env: ShellDeps['env'],
    dbus: DbusPort,
  ) => Promise<ShellCore>;
  /** Serves the core on the session bus when this app owns it (tests replace it). */
  readonly hostSession?: typeof hostSession;
  readonly detectTrayHost?: (waitMs: number) => Promise<TrayHostCheck>;
  readonly createNotifier?: () => Promise<DesktopNotifier>;
  readonly autostartFs?: AutostartFs;
  readonly home?: string;
  readonly createTray?: TrayControllerOptions['createTray'];
  readonly createWindow?: StatusWindowOptions['createWindow'];
  readonly log?: (line: string) => void;
};

export type Shell = {
  showWindow(): void;
  appInfo(): AppInfo;
  /** Stops everything the shell started (the lifecycle calls it on quit). */
  shutdown(): Promise<void>;
};

/** Started at login the panel may not be up yet: wait this long for a tray host. */
const LOGIN_TRAY_WAIT_MS = 10_000;
const LAUNCH_TRAY_WAIT_MS = 500;

export async function bootstrap(deps: ShellDeps): Promise<Shell> {
  const { app } = deps;
  const log = deps.log ?? ((line: string) => void process.stderr.write(`egpu-guard: ${line}\n`));
  const paths = deps.paths ?? resolveShellPaths(app.getAppPath());
  const hidden = deps.argv.includes(HIDDEN_FLAG);
  const store = new DisposableStore();

  installContentsHardening(app);
  hardenSession(session.defaultSession);

  const dbus = createDbusPort({ env: deps.env });
  const { core, demo, mode, notice, role } = await (deps.createCore ?? createShellCore)(
    deps.argv,
    deps.env,
    dbus,
  );
  if (role === 'attached') log('attached to the session core (egpu service)');
  let tray: TrayHostCheck | null = null;
  const appInfo = (): AppInfo => {
    const notices = [notice, tray !== null && !tray.host ? NO_TRAY_NOTICE : null];
    const text = notices.filter((n): n is string => n !== null).join(' ');
    return { mode, version: app.getVersion(), trayHost: tray?.host ?? null, notice: text || null };
  };

  const window = createStatusWindow({
    preload: paths.preload,
    rendererIndex: paths.rendererIndex,
    icon: paths.appIcon,
    devTools: !app.isPackaged,
    onLoadFailed: (e) => log(`the window could not load ${paths.rendererIndex}: ${String(e)}`),
    ...(deps.createWindow === undefined ? {} : { createWindow: deps.createWindow }),
  });
  const ipc = store.add(
    wireIpc({
      core,
      demo,
      appInfo,
      contents: () => window.contents(),
      rendererUrl: paths.rendererUrl,
      isKnownWebContents: (id) => window.isKnownWebContents(id),
      log,
      onProgress: (m) => host?.service.progress(m),
    }),
  );
  const { push, runs } = ipc;
  // One core per session: with no `egpu service` running, this app's core is the session's and
  // answers io.github.EgpuGuard1 for `egpu ui`, the CLI and integrators (docs/dbus-api.md).
  let host: SessionHost | null = null;
  if (role === 'owner') {
    const hosted = await (deps.hostSession ?? hostSession)({
      dbus,
      core,
      handlers: ipc.handlers,
      version: app.getVersion(),
      uid: process.getuid?.() ?? null,
      onBug: (what, e) => log(`session bus: bug in ${what}: ${String(e)}`),
    });
    if (hosted.ok) host = hosted.value;
    else log(`not serving the session bus: ${hosted.error.message}`);
  }

  const notifier = await (
    deps.createNotifier ??
    (() =>
      createDesktopNotifier({
        dbus,
        clock: systemClock,
        appName: 'eGPU Guard',
        icon: 'egpu-guard',
        desktopEntry: 'egpu-guard',
        onStatus: (e) => log(`notifications: ${e.detail}`),
      }))
  )();
  const notifications = createShellNotifications({
    core,
    notifier,
    log,
    followCore: role !== 'attached',
  });
  store.add(notifications);
  const quick = createQuickActions({
    core,
    runs,
    showWindow: (focus) =>
      window.show(focus === undefined ? undefined : () => push('ui:focus', focus)),
    tell: (r) => notifications.tell(r),
  });
  notifications.route({
    details: () => window.show(),
    eject: (gpu) => void quick.eject(gpu),
    recover: (gpu) => void quick.recover(gpu),
  });

  const autostart = createAutostart({
    fs: deps.autostartFs ?? createNodeAutostartFs(),
    path: autostartPath(deps.env, deps.home ?? os.homedir()),
    exec: autostartExec({
      appImage: deps.env['APPIMAGE'],
      execPath: process.execPath,
      isPackaged: app.isPackaged,
      appPath: app.getAppPath(),
    }),
  });

  // Read once, and again after a toggle: the entry is the user's file, not worth a read per render.
  let autostartOn = autostart.enabled();

  let stopped: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    stopped ??= (async () => {
      store.dispose();
      window.close();
      await host?.close();
      await core.stop();
    })();
    return stopped;
  };
  let lastSnapshot: Snapshot | null = null;
  const lifecycle = installLifecycle({
    app,
    closeQuits: () => tray !== null && !tray.host,
    shutdown,
    log,
  });
  const dispatch = createTrayDispatch({
    eject: (gpu) => void quick.eject(gpu),
    recover: (gpu) => void quick.recover(gpu),
    showWindow: () => window.show(),
    toggleAutostart: () => {
      const r = autostart.set(autostartOn !== true);
      if (!r.ok) log(`start at login: ${r.error.message}`);
      autostartOn = autostart.enabled();
      renderTray();
    },
    quit: () => lifecycle.quit(),
  });
  const trayController = createTrayController({
    iconDir: paths.trayIconDir,
    dispatch,
    ...(deps.createTray === undefined ? {} : { createTray: deps.createTray }),
  });
  store.add(toDisposable(() => trayController.dispose()));
  const renderTray = (): void =>
    trayController.render({ snapshot: lastSnapshot, autostart: autostartOn });

  store.add(
    core.onSnapshot((s) => {
      lastSnapshot = s;
      push('snapshot:changed', s);
      renderTray();
    }),
  );
  renderTray();

  const started = core.start().catch((e: unknown) => log(`the core did not start: ${String(e)}`));
  const detect = deps.detectTrayHost ?? ((waitMs) => detectTrayHost({ dbus, waitMs }));
  tray = await detect(hidden ? LOGIN_TRAY_WAIT_MS : LAUNCH_TRAY_WAIT_MS);
  if (!tray.host) log(`${tray.detail}; showing the window instead of relying on the tray`);
  await started;
  lastSnapshot = core.snapshot();
  renderTray();
  if (!hidden || !tray.host) window.show();

  return { showWindow: () => window.show(), appInfo, shutdown };
}
