// Test support: collects SourceEvents and waits for the ones a test expects (with a timeout that
// names what did arrive, so a failure explains itself).

import type { SourceEvent } from '../../common/source-events.js';

export type Collector = {
  readonly events: SourceEvent[];
  readonly onEvent: (e: SourceEvent) => void;
  /** Resolves with the events matching `pred` once there are at least `count` of them. */
  waitFor<T extends SourceEvent>(
    pred: (e: SourceEvent) => e is T,
    count?: number,
    timeoutMs?: number,
  ): Promise<T[]>;
  waitFor(
    pred: (e: SourceEvent) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<SourceEvent[]>;
  of<K extends SourceEvent['source']>(source: K): Extract<SourceEvent, { source: K }>[];
  statuses(name?: string): string[];
};

export function createCollector(): Collector {
  const events: SourceEvent[] = [];
  const waiters = new Set<() => void>();
  const summary = (): string =>
    events
      .slice(-15)
      .map((e) => (e.source === 'status' ? `status ${e.name}:${e.state} ${e.detail}` : e.source))
      .join('\n  ');
  const collector: Collector = {
    events,
    onEvent(e) {
      events.push(e);
      for (const w of [...waiters]) w();
    },
    waitFor(pred: (e: SourceEvent) => boolean, count = 1, timeoutMs = 10_000) {
      return new Promise<SourceEvent[]>((resolve, reject) => {
        const check = (): boolean => {
          const hits = events.filter(pred);
          if (hits.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hits);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const have = events.filter(pred).length;
          reject(
            new Error(
              `timed out waiting for ${count} events (have ${have}); last:\n  ${summary()}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    of(source) {
      return events.filter((e) => e.source === source) as never;
    },
    statuses(name) {
      return events
        .filter((e) => e.source === 'status' && (name === undefined || e.name === name))
        .map((e) => (e.source === 'status' ? e.state : ''));
    },
  } as Collector;
  return collector;
}
