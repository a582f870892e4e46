// Live udev events: runs `udevadm monitor --udev --property --subsystem-match=…` (or `--kernel`
// when no udevd runs) under supervision and turns its blocks into UdevEvents. After every restart
// it calls onResync() once the new monitor is listening, so the core re-reads sysfs for whatever
// happened while no monitor ran. Replay mode follows a transcript file through a real `tail -F`
// child with the same restart logic (tests, `egpu watch --udev-log FILE`).
//
// Why udevadm and not netlink: udev's group-2 messages carry a private binary header; spawning
// udevadm is the stable interface (udevadm(8); systemd src/udev/udevadm-monitor.c).

import type { Clock } from '../platform/clock.js';
import type { CommandRunner, CommandSpec } from '../platform/command-runner.js';
import type { SystemRoot } from '../platform/system-root.js';
import {
  statusEvent,
  type EventSource,
  type OnSourceEvent,
  type UdevEvent,
} from '../common/source-events.js';
import {
  createSupervisedChild,
  describeExit,
  type BackoffOptions,
  type SupervisedChild,
} from './supervised-child.js';
import { createUdevParser, seqnumOf, type UdevBlock } from './udev-parse.js';
import { createDriverTracker, type DriverSeed } from './udev-drivers.js';

export type UdevMonitorOptions = {
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly root: SystemRoot;
  readonly onEvent: OnSourceEvent;
  /** "Re-read sysfs now": events may have been missed while the monitor was down. */
  readonly onResync: () => void;
  /** Host path of a udevadm-monitor transcript to follow "as if live" instead of udevadm. */
  readonly replayFile?: string;
  readonly udevadmPath?: string;
  readonly tailPath?: string;
  readonly subsystems?: readonly string[];
  readonly backoff?: Partial<BackoffOptions>;
};

export type UdevMonitor = EventSource & {
  /** Drivers found at coldplug, keyed by devpath ('/devices/…'; a leading '/sys' is dropped). */
  seedDrivers(seed: DriverSeed): void;
  /** The current child's pid, for tests that kill it. */
  childPid(): number | undefined;
};

export const UDEV_SUBSYSTEMS: readonly string[] = ['pci', 'drm', 'thunderbolt'];
/** How many (origin, SEQNUM) keys are remembered for de-duplication. */
const SEEN_LIMIT = 4096;

type Mode = 'udev' | 'kernel' | 'replay';

export function createUdevMonitor(options: UdevMonitorOptions): UdevMonitor {
  const name = 'udev';
  const { clock, onEvent } = options;
  const parser = createUdevParser();
  const drivers = createDriverTracker();
  const seen = new Set<string>();
  let mode: Mode = 'udev';
  let child: SupervisedChild | null = null;
  let resyncPending = false;
  let ordinal = 0; // blocks read from the current child's stream
  let consumed = 0; // replay: blocks of the file already handled (a restarted tail re-reads them)
  let running = false;

  const status = (state: Parameters<typeof statusEvent>[1], detail: string): void =>
    onEvent(statusEvent(name, state, detail, clock.now()));

  const chooseMode = (): Mode => {
    if (options.replayFile !== undefined) return 'replay';
    // udevd creates its control socket at start; without it `--udev` would print nothing ever.
    return options.root.exists('/run/udev/control') ? 'udev' : 'kernel';
  };

  const spec = (): CommandSpec => {
    mode = chooseMode();
    if (mode === 'replay') {
      // -n +1: from the first line; -F: follow by name, survive truncation and re-creation;
      // --pid: end when this process does, also when it dies without stopping its children (a
      // crash, SIGKILL), which would leave tail following the file for good (tail(1)).
      return {
        file: options.tailPath ?? 'tail',
        args: ['-n', '+1', '-F', `--pid=${process.pid}`, options.replayFile ?? ''],
      };
    }
    const subs = (options.subsystems ?? UDEV_SUBSYSTEMS).map((s) => `--subsystem-match=${s}`);
    return {
      file: options.udevadmPath ?? 'udevadm',
      args: ['monitor', mode === 'udev' ? '--udev' : '--kernel', '--property', ...subs],
    };
  };

  const describeMode = (): string =>
    mode === 'replay'
      ? `replaying ${options.replayFile ?? ''}`
      : mode === 'udev'
        ? 'udevadm monitor --udev'
        : 'no udevd (/run/udev/control missing): udevadm monitor --kernel; device nodes may lag add events';

  const remember = (key: string): boolean => {
    if (seen.has(key)) return false;
    seen.add(key);
    if (seen.size > SEEN_LIMIT) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    return true;
  };

  const fireResync = (): void => {
    if (!resyncPending) return;
    resyncPending = false;
    options.onResync();
  };

  const markRunning = (): void => {
    if (running) return;
    running = true;
    status('running', describeMode());
  };

  const deliver = (block: UdevBlock): void => {
    markRunning();
    fireResync();
    const index = ordinal++;
    if (mode === 'replay') {
      if (index < consumed) return;
      consumed = index + 1;
    }
    const seqnum = seqnumOf(block.properties);
    if (seqnum !== undefined && !remember(`${block.origin}:${seqnum}`)) return;
    const previousDriver = drivers.observe(block.action, block.devpath, block.properties);
    const event: UdevEvent = {
      source: 'udev',
      origin: block.origin,
      action: block.action,
      devpath: block.devpath,
      subsystem: block.subsystem,
      properties: block.properties,
      monitorUs: block.monitorUs,
      receivedAt: clock.now(),
    };
    if (previousDriver !== undefined) event.previousDriver = previousDriver;
    if (seqnum !== undefined) event.seqnum = seqnum;
    onEvent(event);
  };

  const onLine = (line: string): void => {
    for (const item of parser.push(line)) {
      if (item.kind === 'block') deliver(item.block);
      else if (item.kind === 'banner-end') {
        markRunning();
        fireResync();
      }
    }
  };

  return {
    name,
    start() {
      if (child !== null) return;
      status('starting', 'starting the udev monitor');
      child = createSupervisedChild({
        runner: options.runner,
        clock,
        spec,
        onLine,
        ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
        onSpawn: ({ restart }) => {
          parser.reset();
          ordinal = 0;
          if (restart) resyncPending = true;
          // tail is listening as soon as it runs; udevadm says so with its banner.
          if (mode === 'replay') {
            markRunning();
            fireResync();
          }
        },
        onExit: ({ exit, restartInMs }) => {
          running = false;
          if (restartInMs === null) {
            status('unavailable', `${describeMode()}: ${describeExit(exit)}`);
          } else {
            status('restarting', `${describeExit(exit)}; restarting in ${restartInMs} ms`);
          }
        },
      });
      child.start();
    },
    seedDrivers(seed) {
      drivers.seed(seed);
    },
    childPid: () => child?.pid(),
    dispose() {
      if (child === null) return;
      child.dispose();
      child = null;
      status('stopped', 'udev monitor stopped');
    },
  };
}
