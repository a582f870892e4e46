// Kernel messages from a syslog text file: the last fallback when neither the journal nor
// /dev/kmsg can be read (/var/log/kern.log on Debian/Ubuntu rsyslog, /var/log/messages on
// others), and `egpu watch --kernel-log FILE`. Follows the file through rotation
// (platform/file-follow.ts) and strips the syslog/dmesg stamp with diagnose's stripLogPrefix, so
// records carry the kernel's own text as the journal would ('amdgpu 0000:06:00.0: …').
// One line is one record: a live source cannot wait for the next line to know whether an
// indented continuation follows.

import type { Disposable } from '../common/disposable.js';
import { stripLogPrefix } from '../diagnose/log-line.js';
import type { Clock } from '../platform/clock.js';
import { followFile } from '../platform/file-follow.js';
import {
  statusEvent,
  type EventSource,
  type OnSourceEvent,
  type SourceState,
} from '../common/source-events.js';

export { findTextLog, TEXT_LOG_CANDIDATES } from '../platform/text-logs.js';

export type TextLogFollowerOptions = {
  readonly clock: Clock;
  readonly onEvent: OnSourceEvent;
  /** Host path of the file to follow (`--kernel-log FILE`, or SystemRoot.hostPath of a candidate). */
  readonly hostPath: string;
  /** Deliver the lines already in the file (a recorded log) instead of starting at its end. */
  readonly fromBeginning?: boolean;
  /** Keep lines as they are (no stamp stripping). */
  readonly raw?: boolean;
  readonly checkMs?: number;
};

export function createTextLogFollower(options: TextLogFollowerOptions): EventSource {
  const name = 'text-log';
  const { clock, onEvent } = options;
  let follow: Disposable | null = null;

  const status = (state: SourceState, detail: string): void =>
    onEvent(statusEvent(name, state, detail, clock.now()));

  return {
    name,
    start() {
      if (follow !== null) return;
      status('running', `following ${options.hostPath}`);
      follow = followFile({
        hostPath: options.hostPath,
        fromBeginning: options.fromBeginning ?? false,
        ...(options.checkMs === undefined ? {} : { checkMs: options.checkMs }),
        onLine: (line) => {
          const message = options.raw === true ? line : stripLogPrefix(line);
          if (message === '') return;
          onEvent({ source: 'kernel', message, transport: 'text', receivedAt: clock.now() });
        },
        onMissing: () => status('degraded', `${options.hostPath} is missing; waiting for it`),
        onReopen: (why) => status('running', `following ${options.hostPath} (${why})`),
      });
    },
    dispose() {
      if (follow === null) return;
      follow.dispose();
      follow = null;
      status('stopped', 'text log follower stopped');
    },
  };
}
