// `egpu watch`: run the live core and print every state change, incident and notice until
// interrupted. The same core the tray app runs, without a window.

import type { ActionFinal, StepProgress } from '../../common/actions-model.js';
import { toDisposable, type Disposable } from '../../common/disposable.js';
import { gpuWords } from '../../common/gpu-words.js';
import type { GpuEntry } from '../../common/snapshot.js';
import type { Core } from '../../core/api.js';
import { createCore } from '../../core/create-core.js';
import { createDesktopNotifier } from '../../notify/desktop-notifier.js';
import { bindCoreNotifications, createNotifyDispatcher } from '../../notify/notify-dispatcher.js';
import { systemClock } from '../../platform/clock.js';
import { createDbusPort } from '../../platform/dbus.js';
import { UsageError, flagBool, flagString, type ParsedArgs } from '../args.js';
import {
  JSON_FLAG,
  ROOT_FLAGS,
  machineRootFromArgs,
  type CliIo,
  type CommandDef,
} from '../command.js';
import { incidentLine, noticeLine, sourceLine, transitionLine } from '../format/watch-lines.js';
import { requireFile } from '../files.js';
import { sessionCoreFor } from '../session-core.js';
import type { RemoteCore } from '../../service/remote-core.js';

export const WATCH_FLAGS = {
  ...ROOT_FLAGS,
  'udev-log': {
    type: 'string',
    value: 'FILE',
    description: 'follow a udevadm monitor transcript instead of udev (new blocks are events)',
  },
  'journal-file': {
    type: 'string',
    value: 'FILE',
    description: 'follow this journal file (journalctl --file) instead of the system journal',
  },
  'kernel-log': {
    type: 'string',
    value: 'FILE',
    description: 'follow a text kernel log (dmesg or syslog format)',
  },
  'no-dbus': { type: 'boolean', description: 'do not watch bolt, logind or switcheroo-control' },
} as const;

/** What a command that runs the session's core (watch, service) may leave out. */
export const CORE_FLAGS = {
  'no-notify': { type: 'boolean', description: 'do not send desktop notifications' },
  'no-hooks': {
    type: 'boolean',
    description: 'do not run the hooks of lifecycle events (pre-eject hooks still run)',
  },
} as const;

/** The core a watch-style command asks for (watch, ui). */
export function coreSetupFromArgs(args: ParsedArgs, io: CliIo): Parameters<typeof createCore>[0] {
  const root = machineRootFromArgs(args);
  const udevLog = flagString(args, 'udev-log');
  const journalFile = flagString(args, 'journal-file');
  const kernelLog = flagString(args, 'kernel-log');
  if (journalFile !== undefined && kernelLog !== undefined) {
    throw new UsageError(
      '--journal-file and --kernel-log cannot be combined (one kernel log at a time)',
    );
  }
  return {
    root,
    env: io.env,
    ...(udevLog === undefined ? {} : { udevLog: requireFile('udev-log', udevLog) }),
    ...(journalFile === undefined ? {} : { journalFile: requireFile('journal-file', journalFile) }),
    ...(kernelLog === undefined ? {} : { kernelLog: requireFile('kernel-log', kernelLog) }),
    noDbus: flagBool(args, 'no-dbus'),
  };
}

/**
 * Desktop notifications through org.freedesktop.Notifications when a session bus exists, decided
 * by the same policy as the tray app. Their buttons act here: Eject runs the eject (closing no app
 * without consent: a GPU in use stays blocked), Recover runs the recovery, Details prints it.
 */
export async function startNotifications(
  core: Core,
  io: CliIo,
  out: (line: string) => void,
  json: boolean,
): Promise<Disposable> {
  const notifier = await createDesktopNotifier({
    dbus: createDbusPort({ env: io.env }),
    clock: systemClock,
    appName: 'eGPU Guard',
    desktopEntry: 'egpu-guard',
  });
  const dispatcher = createNotifyDispatcher({
    notifier,
    snapshot: () => core.snapshot(),
    onError: (e) => io.stderr(`egpu watch: notification not shown: ${e.message}\n`),
  });
  const binding = bindCoreNotifications(core, dispatcher);
  const actions = dispatcher.onAction((a) => {
    const progress = (p: StepProgress): void =>
      out(
        json ? JSON.stringify({ type: 'progress', ...p }) : `  ${p.status} ${p.step}: ${p.detail}`,
      );
    const finish = (f: ActionFinal): void =>
      out(json ? JSON.stringify({ type: 'result', ...f }) : `${f.result}: ${f.detail}`);
    if (a.action === 'eject' && a.gpu !== null)
      void core.runEject(a.gpu, { closePids: [], force: false }, progress).done.then(finish);
    else if (a.action === 'recover' && a.gpu !== null)
      void core.runRecover(a.gpu, progress).done.then(finish);
    else {
      const incident = core.snapshot().incidents.find((i) => i.gpu === a.gpu);
      if (incident) out(incidentLine(incident, json));
    }
  });
  return toDisposable(() => {
    actions.dispose();
    binding.dispose();
    dispatcher.dispose();
    notifier.dispose();
  });
}

/**
 * Prints what the core says as `egpu watch` does: transitions in the shared words, each incident
 * once per change a person would read, notices, and source health changes.
 */
export function followCore(
  core: Core,
  out: (line: string) => void,
  json: boolean,
  options: { sayNow?: boolean } = {},
): void {
  const sources = new Map<string, string>();
  /** Per GPU, the badge last printed for it. */
  const said = new Map<string, string>();
  core.onTransition((t) => {
    // The same words the window and the tray show for the GPU in its new state.
    const entry = core.snapshot().gpus.find((g) => g.bdf === t.gpu);
    const words = entry && gpuWords({ ...entry, state: t.to });
    if (words !== undefined) said.set(t.gpu, words.short);
    out(transitionLine(t, json, words));
  });
  // Evidence keeps merging into an open incident (a surprise unplug brings pciehp, Xid 79, the
  // Thunderbolt disconnect and udev removes within a second): print an incident when it opens
  // and again only when what a person reads changes — its kind, severity or title — or it ends.
  const printed = new Map<string, string>();
  core.onIncident((i) => {
    const key = `${i.kind}|${i.severity}|${i.title}|${i.resolvedAt ?? ''}`;
    if (printed.get(i.id) === key) return;
    printed.set(i.id, key);
    const g = i.gpu === null ? undefined : core.snapshot().gpus.find((x) => x.bdf === i.gpu);
    // Scanned and nobody holds it (or it is off the bus): no program to close.
    const appsFound =
      g === undefined || (g.present && (g.clients === null || g.clients.length > 0));
    out(incidentLine(i, json, appsFound));
  });
  core.onNotice((n) => out(noticeLine(n, json)));
  /** What the window says of `g` now, as a state line (`from`: null for a first line). */
  const sayState = (g: GpuEntry, at: number, from: GpuEntry['state'] | null): void => {
    const words = gpuWords(g);
    said.set(g.bdf, words.short);
    const t = { at, gpu: g.bdf, name: g.name, from, to: g.state, evidence: [] };
    out(transitionLine(t, json, words));
  };
  if (options.sayNow === true) {
    const now = core.snapshot();
    for (const g of now.gpus) sayState(g, now.updatedAt, null);
  }
  core.onSnapshot((s) => {
    // The window's badge can change without a state change — a GPU a recovery took off the bus
    // reads "reconnect it" until its enclosure is unplugged, then "plug it back in": say it too.
    // Not what a client scan adds to an attached GPU ("not in use", "in use by 2 apps": `egpu
    // clients` lists them). Transitions come before the snapshot that carries them, so they are
    // not said twice.
    if (!json)
      for (const g of s.gpus) {
        const before = said.get(g.bdf);
        const scanned = g.state === 'in-use' || g.state === 'attached';
        if (before !== undefined && before !== gpuWords(g).short && !scanned)
          sayState(g, s.updatedAt, g.state);
      }
    for (const src of s.sources) {
      const key = `${src.state}|${src.via ?? ''}|${src.detail}`;
      if (sources.get(src.name) === key) continue;
      sources.set(src.name, key);
      out(sourceLine(src, s.updatedAt, json));
    }
  });
}

/**
 * Prints the session core's story (`egpu service` or the tray app runs it): its notifications
 * and hooks are its own, so this prints and nothing else. Ends when the core goes away.
 */
async function followSession(core: RemoteCore, json: boolean, io: CliIo): Promise<number> {
  const out = (line: string): void => io.stdout(line + '\n');
  // What is true now, as a watch of its own would have said it at start.
  followCore(core, out, json, { sayNow: true });
  // Also with --json: which core speaks is worth knowing, and stderr is not the JSON stream.
  io.stderr(
    'egpu watch: following the session core (io.github.EgpuGuard1); press Ctrl+C to stop.\n',
  );
  const lost = new Promise<string>((resolve) => core.onLost(resolve));
  const stopped = new Promise<null>((resolve) => {
    if (io.signal.aborted) resolve(null);
    io.signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  const why = await Promise.race([lost, stopped]);
  await core.stop();
  if (why === null) return 0;
  io.stderr(`egpu watch: the session core stopped (${why}).\n`);
  return 1;
}

export const watchCommand: CommandDef = {
  name: 'watch',
  summary: 'follow udev, the kernel log and D-Bus; print every GPU state change and incident',
  usage:
    'watch [--json] [--no-notify] [--no-hooks] [--root DIR] [--udev-log FILE] [--journal-file FILE | --kernel-log FILE] [--no-dbus]',
  details:
    'Runs until interrupted (Ctrl+C). With --root DIR the sysroot stands for the machine; its udev\n' +
    'and kernel events then come only from --udev-log / --journal-file / --kernel-log, while bolt,\n' +
    'logind and switcheroo-control are still asked on the system bus ($DBUS_SYSTEM_BUS_ADDRESS)\n' +
    'unless --no-dbus.\n' +
    'Runs your hooks in ~/.config/egpu-guard/hooks.d (with --root, DIR/var/lib/egpu-guard/hooks.d)\n' +
    'on attach, unplug and the other events (docs/hooks.md) unless --no-hooks; a hook that fails is\n' +
    'printed as a NOTICE.',
  flags: {
    ...JSON_FLAG,
    ...WATCH_FLAGS,
    ...CORE_FLAGS,
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const json = flagBool(args, 'json');
    const session = await sessionCoreFor(args, io, 'watch');
    if (session !== null) return followSession(session, json, io);
    const core = createCore({
      ...coreSetupFromArgs(args, io),
      transitionHooks: !flagBool(args, 'no-hooks'),
    });
    const out = (line: string): void => io.stdout(line + '\n');
    followCore(core, out, json);
    // Before the first lines, which the start itself prints.
    if (!json) io.stderr('egpu watch: watching; press Ctrl+C to stop.\n');
    await core.start();
    const notifications = flagBool(args, 'no-notify')
      ? null
      : await startNotifications(core, io, out, json);
    // Sources may all be idle (a sysroot without logs): keep the process alive until interrupted,
    // with a timer that fires about never, not a polling loop.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearInterval(keepAlive);
    notifications?.dispose();
    await core.stop();
    return 0;
  },
};
