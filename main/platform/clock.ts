// Clock port: wall time, monotonic time and timers, injectable so tests control time.

import { toDisposable, type Disposable } from '../common/disposable.js';

export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
  setTimeout(callback: () => void, ms: number): Disposable;
};

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    return toDisposable(() => clearTimeout(handle));
  },
};

/** A clock tests advance by hand. */
export class ManualClock implements Clock {
  #now: number;
  #mono = 0;
  #timers: { at: number; cb: () => void; id: number }[] = [];
  #nextId = 0;

  constructor(start = 1_750_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#mono;
  }

  setTimeout(callback: () => void, ms: number): Disposable {
    const id = this.#nextId++;
    this.#timers.push({ at: this.#mono + ms, cb: callback, id });
    return toDisposable(() => {
      this.#timers = this.#timers.filter((t) => t.id !== id);
    });
  }

  advance(ms: number): void {
    const target = this.#mono + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t.id !== due.id);
      this.#now += due.at - this.#mono;
      this.#mono = due.at;
      due.cb();
    }
    this.#now += target - this.#mono;
    this.#mono = target;
  }
}
