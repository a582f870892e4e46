// Kernel messages straight from /dev/kmsg, when the journal cannot be read. Starts at the end, so
// old records are not replayed — or, when a saved position from the same boot exists, right after
// that sequence number (sequence numbers restart at every boot, hence "<boot id>:<seq>").

import type { Disposable } from '../common/disposable.js';
import type { Clock } from '../platform/clock.js';
import { openKmsgReader } from '../platform/kmsg-reader.js';
import { readStateFile, writeStateFileAtomic } from '../platform/state-files.js';
import type { SystemRoot } from '../platform/system-root.js';
import {
  statusEvent,
  type EventSource,
  type KernelRecord,
  type OnSourceEvent,
  type SourceState,
} from '../common/source-events.js';
import { createKmsgParser, type KmsgRecord } from './kmsg-parse.js';

export type KmsgFollowerOptions = {
  readonly root: SystemRoot;
  readonly clock: Clock;
  readonly onEvent: OnSourceEvent;
  /** Where "<boot id>:<last sequence>" is kept (host path); null: always start at the end. */
  readonly seqPath: string | null;
  readonly pollMs?: number;
  readonly persistDelayMs?: number;
};

export const KMSG_PATH = '/dev/kmsg';

export function toKernelRecord(r: KmsgRecord, receivedAt: number): KernelRecord {
  const record: KernelRecord = {
    source: 'kernel',
    message: r.text,
    transport: 'kmsg',
    monotonicUs: r.monotonicUs,
    priority: r.level,
    sequence: r.sequence,
    receivedAt,
  };
  const device = r.dict['DEVICE'];
  if (device !== undefined) record.kernelDevice = device;
  const subsystem = r.dict['SUBSYSTEM'];
  if (subsystem !== undefined) record.kernelSubsystem = subsystem;
  if (r.lossy) record.lossy = true;
  return record;
}

export function createKmsgFollower(options: KmsgFollowerOptions): EventSource {
  const name = 'kmsg';
  const { clock, onEvent, root } = options;
  let reader: Disposable | null = null;
  let persistTimer: Disposable | null = null;
  let lastSeq: bigint | undefined;
  let persistedSeq: bigint | undefined;
  let after: bigint | undefined;
  let bootId = '';
  let started = false;

  const status = (state: SourceState, detail: string): void =>
    onEvent(statusEvent(name, state, detail, clock.now()));

  const persistNow = (): void => {
    persistTimer?.dispose();
    persistTimer = null;
    if (options.seqPath === null || lastSeq === undefined || lastSeq === persistedSeq) return;
    const r = writeStateFileAtomic(options.seqPath, `${bootId}:${lastSeq}`);
    if (r.ok) persistedSeq = lastSeq;
  };

  const savedSeq = (): bigint | undefined => {
    if (options.seqPath === null || bootId === '') return undefined;
    const r = readStateFile(options.seqPath);
    const m = r.ok ? /^([0-9a-f]{32}):(\d{1,20})$/.exec(r.value) : null;
    return m !== null && m[1] === bootId && m[2] !== undefined ? BigInt(m[2]) : undefined;
  };

  const parser = createKmsgParser();
  const onChunk = (chunk: string): void => {
    for (const item of parser.push(chunk)) {
      if (item.kind !== 'record') continue;
      const seq = BigInt(item.record.sequence);
      if (after !== undefined && seq <= after) continue;
      if (lastSeq !== undefined && seq <= lastSeq) continue;
      lastSeq = seq;
      onEvent(toKernelRecord(item.record, clock.now()));
      if (options.seqPath !== null && persistTimer === null) {
        persistTimer = clock.setTimeout(persistNow, options.persistDelayMs ?? 250);
      }
    }
  };

  return {
    name,
    start() {
      if (started) return;
      started = true;
      status('starting', `opening ${KMSG_PATH}`);
      const boot = root.readText('/proc/sys/kernel/random/boot_id');
      bootId = boot.ok ? boot.value.trim().replaceAll('-', '').toLowerCase() : '';
      after = savedSeq();
      const r = openKmsgReader({
        hostPath: root.hostPath(KMSG_PATH),
        skipExisting: after === undefined,
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        onChunk,
        onOverrun: () =>
          status('degraded', 'kernel records were overwritten before they were read'),
        onError: (e) => {
          reader = null;
          status('unavailable', `${KMSG_PATH}: ${e.message}`);
        },
      });
      if (!r.ok) {
        const why =
          r.error.code === 'permission-denied'
            ? 'not permitted (reading it needs CAP_SYSLOG when kernel.dmesg_restrict=1)'
            : r.error.message;
        status('unavailable', `${KMSG_PATH}: ${why}`);
        return;
      }
      reader = r.value;
      status(
        'running',
        after === undefined
          ? `following ${KMSG_PATH} from now`
          : `following ${KMSG_PATH} after sequence ${after}`,
      );
    },
    dispose() {
      if (!started) return;
      started = false;
      reader?.dispose();
      reader = null;
      persistNow();
      status('stopped', 'kmsg follower stopped');
    },
  };
}
