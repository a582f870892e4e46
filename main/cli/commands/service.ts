// `egpu service`: the session's one core, headless. Runs the live core (as `egpu watch` does),
// sends the desktop notifications, and owns io.github.EgpuGuard1 on the session bus so that the
// tray app, `egpu ui`, `egpu eject`/`recover` and integrators attach to it instead of running a
// second core (docs/dbus-api.md). Started by systemd's user manager (assets/systemd) or by hand.

import { createActionRuns, createRouter } from '../../core/router.js';
import { createCore } from '../../core/create-core.js';
import { readAppVersion } from '../../platform/app-version.js';
import { createDbusPort } from '../../platform/dbus.js';
import { BUS_NAME } from '../../service/bus-names.js';
import { hostSession, type SessionHost } from '../../service/session-host.js';
import { flagBool } from '../args.js';
import type { CliIo, CommandDef } from '../command.js';
import { attachSessionCore } from '../../service/remote-core.js';
import {
  CORE_FLAGS,
  WATCH_FLAGS,
  coreSetupFromArgs,
  followCore,
  startNotifications,
} from './watch.js';

/** Whether the session's core is the tray app's (its app:info says electron), not a service's. */
async function trayOwnsSession(io: CliIo): Promise<boolean> {
  const attached = await attachSessionCore(createDbusPort({ env: io.env }));
  if (!attached.ok || attached.value === null) return false;
  const info = await attached.value.appInfo();
  await attached.value.stop();
  return info.ok && info.value.mode === 'electron';
}

export const serviceCommand: CommandDef = {
  name: 'service',
  summary: "run the session's eGPU core on the session bus (io.github.EgpuGuard1) for every face",
  usage:
    'service [--no-notify] [--no-hooks] [--root DIR] [--udev-log FILE] [--journal-file FILE | --kernel-log FILE] [--no-dbus]',
  details:
    'One core per session: the tray app, `egpu ui` and `egpu eject`/`recover` attach to it, and\n' +
    'widgets or scripts use its D-Bus API (docs/dbus-api.md). Behind a tray app that runs the core\n' +
    'it waits and takes over when that quits; exits 1 when another service already serves this\n' +
    'session, 2 for bad input; runs until SIGTERM or Ctrl+C. Enable it with\n' +
    '`systemctl --user enable --now egpu-guard.service`. Lines on stdout are what `egpu watch` prints.',
  flags: {
    ...WATCH_FLAGS,
    ...CORE_FLAGS,
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const setup = coreSetupFromArgs(args, io);
    const dbus = createDbusPort({ env: io.env });
    // The session's core runs the user's lifecycle hooks (docs/hooks.md): once per session.
    const core = createCore({ ...setup, transitionHooks: !flagBool(args, 'no-hooks') });
    const out = (line: string): void => io.stdout(line + '\n');
    let host: SessionHost | null = null;
    const runs = createActionRuns({
      send: (m) => host?.service.progress(m),
      onBug: (e) => io.stderr(`egpu service: action failed with a bug: ${String(e)}\n`),
    });
    const version = readAppVersion() ?? 'unknown';
    const handlers = createRouter({
      core,
      runs,
      demo: null,
      appInfo: () => ({ mode: 'browser', version, trayHost: null, notice: null }),
    });
    // The name first: a second service must not start watching (and notifying) before it learns
    // that one already runs. When the tray app runs the session's core, wait in line and take
    // over when it quits (it started first, at login); another service is a mistake: exit.
    const hostOptions = {
      dbus,
      core,
      handlers,
      version,
      uid: process.getuid?.() ?? null,
      onBug: (what: string, e: unknown) =>
        io.stderr(
          `egpu service: internal error in ${what}: ${e instanceof Error ? e.message : String(e)}\n`,
        ),
    };
    let hosted = await hostSession(hostOptions);
    if (!hosted.ok && hosted.error.code === 'already-running' && (await trayOwnsSession(io))) {
      hosted = await hostSession({
        ...hostOptions,
        queue: {
          signal: io.signal,
          onQueued: (pid) =>
            io.stderr(
              `egpu service: the eGPU Guard tray app${pid === null ? '' : ` (pid ${pid})`} runs this session's core now; taking over when it quits.\n`,
            ),
        },
      });
    }
    if (!hosted.ok && hosted.error.code === 'cancelled') return 0;
    if (!hosted.ok) {
      io.stderr(
        hosted.error.code === 'already-running'
          ? `egpu service: ${hosted.error.message}; nothing to do.\n`
          : `egpu service: cannot serve ${BUS_NAME} on the session bus: ${hosted.error.message}\n`,
      );
      return 1;
    }
    host = hosted.value;
    followCore(core, out, false);
    await core.start();
    const notifications = flagBool(args, 'no-notify')
      ? null
      : await startNotifications(core, io, out, false);
    io.stderr(`egpu service: serving ${BUS_NAME} on the session bus (pid ${process.pid}).\n`);
    const served = host;
    const lost = new Promise<string>((resolve) => served.onLost(resolve));
    const stopped = new Promise<null>((resolve) => {
      if (io.signal.aborted) resolve(null);
      io.signal.addEventListener('abort', () => resolve(null), { once: true });
    });
    const why = await Promise.race([lost, stopped]);
    if (why !== null) io.stderr(`egpu service: lost the session bus (${why}); stopping.\n`);
    runs.dispose();
    notifications?.dispose();
    await served.close();
    await core.stop();
    return why === null ? 0 : 1;
  },
};
