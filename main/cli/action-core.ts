// The core `egpu eject` and `egpu recover` act through — the one place that decides which core
// that is. Today: an in-process live core over the command's --root/--proc/--udev-log, in 'action'
// mode (main/core/live-core.ts): it reads the inventory when it starts, starts its udev source
// only once an eject begins (the removal is confirmed from the core's own state), and runs no
// kernel log, no D-Bus watchers and no client scans of its own, so a plan costs what it did
// before. When the session's core runs (`egpu service`, or the tray app) and the command names no
// machine, the action runs there instead (main/cli/session-core.ts): its window shows the
// progress, its hooks and notifications are the session's, and one action at a time holds across
// every face.

import type { Core } from '../core/api.js';
import { createCore } from '../core/create-core.js';
import { stepTimeoutFromArgs } from './action-args.js';
import { flagBool, flagString, type ParsedArgs } from './args.js';
import { systemRootFromArgs, type CliIo } from './command.js';
import { requireFile } from './files.js';
import { sessionCoreFor } from './session-core.js';

export type ActionCore = Core & {
  /** Stops the core: its udev source and timers end, so the command can exit. */
  close(): Promise<void>;
};

/** Opens and starts the core an action runs through; bad flags throw UsageError before. */
export async function openActionCore(
  args: ParsedArgs,
  io: CliIo,
  command: 'eject' | 'recover',
): Promise<ActionCore> {
  const root = systemRootFromArgs(args);
  const stepTimeoutMs = stepTimeoutFromArgs(args) * 1000;
  // --step-timeout is a choice of how this run goes, which the session's core does not take.
  if (args.flags['step-timeout'] === undefined) {
    const session = await sessionCoreFor(args, io, command);
    if (session !== null) {
      io.stderr(
        `egpu ${command}: using the session's core (io.github.EgpuGuard1), as its window does.\n`,
      );
      return Object.assign(session, { close: () => session.stop() });
    }
  }
  const udevLog = flagString(args, 'udev-log');
  const core = createCore({
    root,
    env: io.env,
    mode: 'action',
    ...(udevLog === undefined ? {} : { udevLog: requireFile('udev-log', udevLog) }),
    // A sysroot describes another machine: its recovery never asks this machine's bolt.
    noDbus: root.root !== '/' || flagBool(args, 'no-dbus'),
    stepTimeoutMs,
  });
  await core.start();
  return { ...core, close: () => core.stop() };
}
