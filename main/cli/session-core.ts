// One core per session, from the CLI: a command that would run a core of its own (`watch`, `ui`,
// `eject`, `recover`) first looks for the session's running core (`egpu service`, or the tray
// app) and attaches to it — one notifier, one set of hooks, and the window sees what the
// terminal started. A command told which machine to look at (--root, a log file, --no-dbus …)
// runs its own core: the session's core watches this machine, not that one.

import { createDbusPort } from '../platform/dbus.js';
import { attachSessionCore, type RemoteCore } from '../service/remote-core.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './command.js';

/** Flags that choose the machine or the logs to watch: with any of them, no attaching. */
export const MACHINE_FLAGS = ['root', 'proc', 'udev-log', 'journal-file', 'kernel-log', 'no-dbus'];

export const choosesMachine = (args: ParsedArgs): boolean =>
  MACHINE_FLAGS.some((f) => args.flags[f] !== undefined);

/**
 * The session's running core, started (its snapshot loaded); null when none runs, when the
 * command names a machine, or when the bus cannot be reached (the caller runs its own core then,
 * after saying why on stderr when it is worth knowing).
 */
export async function sessionCoreFor(
  args: ParsedArgs,
  io: CliIo,
  command: string,
): Promise<RemoteCore | null> {
  if (choosesMachine(args)) return null;
  const attached = await attachSessionCore(createDbusPort({ env: io.env }));
  if (!attached.ok) {
    io.stderr(
      `egpu ${command}: the session bus did not answer (${attached.error.message}); running a core here.\n`,
    );
    return null;
  }
  const core = attached.value;
  if (core === null) return null;
  try {
    await core.start();
  } catch (e) {
    io.stderr(
      `egpu ${command}: could not attach to the session core (${e instanceof Error ? e.message : String(e)}); running a core here.\n`,
    );
    await core.stop();
    return null;
  }
  return core;
}
