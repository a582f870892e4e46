// Which event sources run, from the command-line choices: live udev and the kernel log of this
// machine, or — for a sysroot (tests, replays, the demo) — transcripts and log files given
// explicitly. A sysroot never listens to the host's own udev or journal: those events describe
// another machine. D-Bus watchers (bolt, logind, switcheroo-control) unless --no-dbus.

import type { Inventory } from '../common/inventory-model.js';
import type { Clock } from '../platform/clock.js';
import type { CommandRunner } from '../platform/command-runner.js';
import type { DbusPort } from '../platform/dbus.js';
import type { SystemRoot } from '../platform/system-root.js';
import { createBoltWatch } from '../sources/bolt-watch.js';
import { statusEvent, type EventSource, type OnSourceEvent } from '../common/source-events.js';
import { createJournalFollower } from '../sources/journal-follower.js';
import { createKernelLogSource } from '../sources/kernel-log-source.js';
import { createLogindWatch } from '../sources/logind-watch.js';
import { createSwitcherooWatch } from '../sources/switcheroo-watch.js';
import { createTextLogFollower } from '../sources/text-log-follower.js';
import { createUdevMonitor } from '../sources/udev-monitor.js';

export type SourceChoice = {
  /** Host path of a udevadm-monitor transcript to follow (--udev-log). */
  readonly udevLog?: string;
  /** Host path of a journal file to follow (--journal-file). */
  readonly journalFile?: string;
  /** Host path of a text kernel log to replay and follow (--kernel-log), like --udev-log. */
  readonly kernelLog?: string;
  readonly noDbus: boolean;
  /**
   * One action's core (`egpu eject`): udev alone, which confirms the removal; no kernel log and
   * no D-Bus watchers.
   */
  readonly udevOnly?: boolean;
  /** --root names a sysroot, not this machine. */
  readonly sysroot: boolean;
  /** Journal cursor / kmsg position files (host paths); null keeps them in memory. */
  readonly cursorPath: string | null;
  readonly kmsgSeqPath: string | null;
};

export type SourceContext = {
  readonly root: SystemRoot;
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly dbus: DbusPort | null;
  readonly onEvent: OnSourceEvent;
  readonly onResync: () => void;
  readonly inventory: () => Inventory | null;
};

/** A source that only says why it does not run. */
function unavailable(name: string, detail: string, ctx: SourceContext): EventSource {
  return {
    name,
    start: () => ctx.onEvent(statusEvent(name, 'unavailable', detail, ctx.clock.now())),
    dispose: () => undefined,
  };
}

/** Drivers of the GPUs and their functions at coldplug: unbind events carry no DRIVER=. */
function driverSeed(inv: Inventory | null): [string, string][] {
  const out: [string, string][] = [];
  for (const g of inv?.gpus ?? []) {
    const dir = g.sysfsPath.replace(/^\/sys/, '');
    if (g.driver) out.push([dir, g.driver]);
    for (const f of g.functions) if (f.driver) out.push([dir.replace(/[^/]+$/, f.bdf), f.driver]);
  }
  return out;
}

export function createSources(choice: SourceChoice, ctx: SourceContext): EventSource[] {
  const { root, runner, clock, onEvent } = ctx;
  const out: EventSource[] = [];
  if (choice.udevLog !== undefined || !choice.sysroot) {
    const udev = createUdevMonitor({
      runner,
      clock,
      root,
      onEvent,
      onResync: ctx.onResync,
      ...(choice.udevLog === undefined ? {} : { replayFile: choice.udevLog }),
    });
    udev.seedDrivers(driverSeed(ctx.inventory()));
    out.push(udev);
  } else {
    out.push(
      unavailable(
        'udev',
        'a sysroot has no live udev: pass --udev-log FILE to follow a transcript',
        ctx,
      ),
    );
  }
  if (choice.udevOnly === true) return out;
  if (choice.journalFile !== undefined) {
    out.push(
      createJournalFollower({
        runner,
        clock,
        root,
        onEvent,
        journalFile: choice.journalFile,
        cursorPath: null,
      }),
    );
  } else if (choice.kernelLog !== undefined) {
    out.push(
      createTextLogFollower({ clock, onEvent, hostPath: choice.kernelLog, fromBeginning: true }),
    );
  } else if (!choice.sysroot) {
    out.push(
      createKernelLogSource({
        runner,
        clock,
        root,
        onEvent,
        cursorPath: choice.cursorPath,
        kmsgSeqPath: choice.kmsgSeqPath,
      }),
    );
  } else {
    out.push(
      unavailable(
        'kernel-log',
        'a sysroot has no kernel log: pass --kernel-log FILE or --journal-file FILE',
        ctx,
      ),
    );
  }
  if (ctx.dbus !== null && !choice.noDbus) {
    const dbus = { dbus: ctx.dbus, clock, onEvent };
    out.push(createBoltWatch(dbus), createLogindWatch(dbus), createSwitcherooWatch(dbus));
  }
  return out;
}
