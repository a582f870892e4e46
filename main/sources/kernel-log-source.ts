// The kernel log, from the best transport this machine allows: the journal (journalctl -k -f),
// else /dev/kmsg, else a syslog text file. Falls through whenever the current one reports
// 'unavailable' (no journal files, no permission, journalctl missing …) and says which one is in
// use with a 'kernel-log' status event (`via`). Inner sources' own events pass through unchanged.

import type { Clock } from '../platform/clock.js';
import type { CommandRunner } from '../platform/command-runner.js';
import { probeKmsg } from '../platform/kmsg-reader.js';
import type { SystemRoot } from '../platform/system-root.js';
import {
  statusEvent,
  type EventSource,
  type OnSourceEvent,
  type SourceEvent,
  type SourceState,
} from '../common/source-events.js';
import { createJournalFollower } from './journal-follower.js';
import { KMSG_PATH, createKmsgFollower } from './kmsg-follower.js';
import type { BackoffOptions } from './supervised-child.js';
import { createTextLogFollower, findTextLog } from './text-log-follower.js';

export type KernelTransport = 'journal' | 'kmsg' | 'text';

export type KernelLogSourceOptions = {
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly root: SystemRoot;
  readonly onEvent: OnSourceEvent;
  /** Journal cursor file (host path); null: in memory only. */
  readonly cursorPath: string | null;
  /** /dev/kmsg position file (host path); null: in memory only. */
  readonly kmsgSeqPath: string | null;
  /** Which transports to try, in order (default journal, kmsg, text). */
  readonly order?: readonly KernelTransport[];
  readonly journalctlPath?: string;
  /** Read the journal from this folder (host path) instead of the system journal (`-k`). */
  readonly journalDirectory?: string;
  readonly backoff?: Partial<BackoffOptions>;
  readonly pollMs?: number;
};

export type KernelLogSource = EventSource & { via(): KernelTransport | null };

const INNER_NAME: Readonly<Record<KernelTransport, string>> = {
  journal: 'journal',
  kmsg: 'kmsg',
  text: 'text-log',
};

export function createKernelLogSource(options: KernelLogSourceOptions): KernelLogSource {
  const name = 'kernel-log';
  const { clock, root } = options;
  const order = options.order ?? ['journal', 'kmsg', 'text'];
  let inner: EventSource | null = null;
  let current: KernelTransport | null = null;
  let index = -1;
  let disposed = false;
  let announced = false;
  const reasons: string[] = [];

  const status = (state: SourceState, detail: string, via?: string): void =>
    options.onEvent(statusEvent(name, state, detail, clock.now(), via));

  // The inner follower's own status is this source's, under one name: the window lists one
  // "Kernel messages" line, not a stopped "journal" beside a working "kmsg" after a fallback.
  const forward = (transport: KernelTransport, source: () => EventSource | null) => {
    return (e: SourceEvent): void => {
      if (disposed || current !== transport) return;
      if (e.source !== 'status') {
        options.onEvent(e);
        return;
      }
      if (e.name !== INNER_NAME[transport]) return;
      if (e.state === 'running') {
        if (announced) return;
        announced = true;
        const passed = reasons.length === 0 ? '' : ` (${reasons.join('; ')})`;
        status('running', `reading the kernel log from ${transport}${passed}`, transport);
      } else if (e.state === 'unavailable') {
        reasons.push(`${transport}: ${e.detail}`);
        // Not from inside the inner source's own callback: it may still be mid-start.
        queueMicrotask(() => {
          if (disposed || current !== transport) return;
          const failed = source();
          current = null; // its 'stopped' on the way out is not this source's
          failed?.dispose();
          next();
        });
      } else {
        // restarting, degraded, stopped: said as they are; the next 'running' is said again.
        announced = false;
        status(e.state, e.detail, transport);
      }
    };
  };

  const open = (t: KernelTransport): EventSource | null => {
    const self = (): EventSource | null => inner;
    switch (t) {
      case 'journal':
        return createJournalFollower({
          runner: options.runner,
          clock,
          root,
          cursorPath: options.cursorPath,
          onEvent: forward('journal', self),
          ...(options.journalctlPath === undefined
            ? {}
            : { journalctlPath: options.journalctlPath }),
          ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
        });
      case 'kmsg': {
        const probe = probeKmsg(root.hostPath(KMSG_PATH));
        if (!probe.ok) {
          reasons.push(`kmsg: ${probe.error.message}`);
          return null;
        }
        return createKmsgFollower({
          root,
          clock,
          seqPath: options.kmsgSeqPath,
          onEvent: forward('kmsg', self),
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        });
      }
      case 'text': {
        const file = findTextLog(root);
        if (file === null) {
          reasons.push('text: no /var/log/kern.log or /var/log/messages');
          return null;
        }
        return createTextLogFollower({ clock, onEvent: forward('text', self), hostPath: file });
      }
    }
  };

  const next = (): void => {
    inner = null;
    current = null;
    announced = false;
    while (!disposed && ++index < order.length) {
      const t = order[index];
      if (t === undefined) break;
      current = t;
      const source = open(t);
      if (source === null) continue;
      inner = source;
      source.start();
      return;
    }
    current = null;
    if (!disposed) status('unavailable', `no readable kernel log (${reasons.join('; ')})`);
  };

  return {
    name,
    start() {
      if (index >= 0 || disposed) return;
      status('starting', 'looking for a readable kernel log');
      next();
    },
    via: () => current,
    dispose() {
      if (disposed) return;
      disposed = true;
      inner?.dispose();
      inner = null;
      status('stopped', 'kernel log stopped');
    },
  };
}
