// `egpu ui`: browser mode. Serves the status window and the IPC contract on 127.0.0.1 with a
// random per-run token, prints the address (one line), optionally opens it, and runs until
// SIGINT/SIGTERM. The Core comes from main/core/face-core.ts.

import { randomBytes } from 'node:crypto';
import { readAppVersion } from '../../platform/app-version.js';
import { createNodeCommandRunner } from '../../platform/command-runner.js';
import { writeRedirectFile, type RedirectFile } from '../../platform/open-redirect.js';
import { createUiCore } from '../../core/face-core.js';
import { createIpcDispatcher } from '../../server/ipc-dispatch.js';
import { loadStaticAssets } from '../../server/static-assets.js';
import { startUiServer } from '../../server/ui-server.js';
import { UsageError, flagBool, flagNumber } from '../args.js';
import type { CommandDef } from '../command.js';
import { MACHINE_FLAGS, sessionCoreFor } from '../session-core.js';
import { WATCH_FLAGS, coreSetupFromArgs } from './watch.js';

/** From package.json, the one place the version is written. */
const APP_VERSION = readAppVersion() ?? 'unknown';

const untilAborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

export const uiCommand: CommandDef = {
  name: 'ui',
  summary: 'open the status window in a browser (a local server on 127.0.0.1 with a token)',
  usage:
    'ui [--port N] [--open] [--demo | [--root DIR] [--udev-log FILE] [--journal-file FILE | --kernel-log FILE] [--no-dbus]]',
  details:
    'Prints the address to open, with a random access token in its #fragment (never sent to a\n' +
    'server, never in a cookie); only this machine can connect, and only with the token. Ctrl+C\n' +
    'stops the server. --demo shows a simulated machine with\n' +
    'controls to plug, yank and break it; the other flags choose the machine and logs to watch,\n' +
    'as for `egpu watch`.',
  flags: {
    port: {
      type: 'number',
      value: 'N',
      description: 'listen on 127.0.0.1:N (default: a free port)',
    },
    open: {
      type: 'boolean',
      description: 'open the address in the default browser (xdg-open, through a private file)',
    },
    demo: { type: 'boolean', description: 'run a simulated machine with a demo panel' },
    ...WATCH_FLAGS,
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const port = flagNumber(args, 'port') ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port ${port}: not a TCP port (0-65535)`);
    }
    const demo = flagBool(args, 'demo');
    const clash = MACHINE_FLAGS.find((f) => args.flags[f] !== undefined);
    if (demo && clash !== undefined) {
      throw new UsageError(`--demo runs its own simulated machine; it takes no --${clash}`);
    }
    // Validated before anything starts: a missing --root or log file is a usage error.
    const setup = demo ? null : coreSetupFromArgs(args, io);
    const assets = loadStaticAssets();
    if (!assets.ok) {
      io.stderr(`egpu ui: ${assets.error.message}\n`);
      return 1;
    }
    // One core per session: attach to the running one (egpu service, the tray app) when this
    // window is for this machine; the demo and a named sysroot or log run a core here.
    const session = demo ? null : await sessionCoreFor(args, io, 'ui');
    const core =
      session !== null
        ? Object.assign(session, { demo: null, notice: null })
        : await createUiCore(setup !== null ? { mode: 'live', setup } : { mode: 'demo' });
    if (session === null) await core.start();
    const dispatcher = createIpcDispatcher({
      core,
      demo: core.demo,
      appInfo: {
        mode: demo ? 'demo' : 'browser',
        version: APP_VERSION,
        trayHost: null,
        notice: core.notice,
      },
      onBug: (channel, e) =>
        io.stderr(
          `egpu ui: internal error in ${channel}: ${e instanceof Error ? e.message : String(e)}\n`,
        ),
    });
    // 128 random bits: guessing it is out of reach even for a local process that can connect.
    const token = randomBytes(16).toString('hex');
    const server = await startUiServer({ dispatcher, assets: assets.value, token, port });
    if (!server.ok) {
      io.stderr(`egpu ui: ${server.error.message}\n`);
      dispatcher.dispose();
      await core.stop();
      return 1;
    }
    io.stdout(`${server.value.url}\n`);
    if (core.notice !== null) io.stderr(`egpu ui: ${core.notice}\n`);
    let opening: Promise<void> = Promise.resolve();
    let redirect: RedirectFile | null = null;
    if (flagBool(args, 'open')) {
      // Never the tokened address itself on xdg-open's (and the browser's) command line.
      const file = writeRedirectFile(server.value.url, io.env);
      if (file.ok) redirect = file.value;
      else {
        io.stderr(
          `egpu ui: could not open a browser (${file.error.message}); open the address yourself\n`,
        );
      }
    }
    if (redirect !== null) {
      opening = createNodeCommandRunner()
        .run({ file: 'xdg-open', args: [redirect.url], timeoutMs: 30_000, signal: io.signal })
        .then((r) => {
          const why = !r.ok
            ? r.error.message
            : r.value.aborted === true || r.value.exitCode === 0
              ? null
              : r.value.timedOut
                ? 'xdg-open did not finish'
                : `xdg-open exited with ${r.value.exitCode ?? r.value.signal ?? '?'}`;
          if (why !== null) {
            io.stderr(`egpu ui: could not open a browser (${why}); open the address yourself\n`);
          }
        });
    }
    if (session !== null) io.stderr('egpu ui: showing the session core (io.github.EgpuGuard1).\n');
    const lost =
      session === null
        ? new Promise<null>(() => undefined)
        : new Promise<string>((resolve) => session.onLost(resolve));
    const gone = await Promise.race([untilAborted(io.signal).then(() => null), lost]);
    if (gone !== null)
      io.stderr(
        `egpu ui: the session core stopped (${gone}); the window no longer updates. Start egpu ui again.\n`,
      );
    await server.value.close();
    dispatcher.dispose();
    await core.stop();
    await opening;
    redirect?.remove();
    return gone === null ? 0 : 1;
  },
};
