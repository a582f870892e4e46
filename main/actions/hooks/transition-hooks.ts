// Transition hooks (docs/hooks.md): every lifecycle transition of the core is mapped to a hook
// event (hook-events.ts), and the events are run in the background, one after another, in the
// order they happened — the core's listener only queues, so a slow hook never holds up the
// picture. The picture the core starts with is no event (a GPU that was already attached when
// eGPU Guard started was not "attached" just now): nothing runs until arm().

import type { Disposable } from '../../common/disposable.js';
import type { GpuEntry, Transition } from '../../common/snapshot.js';
import { NEW_MEMORY, transitionHook, type HookFacts, type HookMemory } from './hook-events.js';
import type { HookRunner } from './hook-runner.js';

/** Events waiting at most; beyond that (a GPU flapping) new ones are dropped and logged. */
const MAX_QUEUED = 32;

export type TransitionHooksOptions = {
  readonly runner: HookRunner;
  readonly onTransition: (listener: (t: Transition) => void) => Disposable;
  /** The GPU's entry now (after the transition). */
  readonly entry: (bdf: string) => GpuEntry | undefined;
  readonly maxQueued?: number;
};

export type TransitionHooks = {
  /** From now on transitions run hooks (call it once the core's first picture is taken). */
  arm(): void;
  /** Resolves when the queue is empty and no hook runs (tests). */
  idle(): Promise<void>;
  /** Stops listening, drops what waits and stops the running hook. */
  dispose(): Promise<void>;
};

export function bindTransitionHooks(o: TransitionHooksOptions): TransitionHooks {
  const memory = new Map<string, HookMemory>();
  const queue: HookFacts[] = [];
  const abort = new AbortController();
  const max = o.maxQueued ?? MAX_QUEUED;
  let armed = false;
  let worker: Promise<void> | null = null;

  const work = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (abort.signal.aborted) return;
      await o.runner.run(next, abort.signal);
    }
  };
  const kick = (): void => {
    if (worker !== null) return;
    worker = work().finally(() => {
      worker = null;
      if (queue.length > 0 && !abort.signal.aborted) kick();
    });
  };

  const sub = o.onTransition((t) => {
    const { facts, memory: next } = transitionHook(
      t,
      o.entry(t.gpu),
      memory.get(t.gpu) ?? NEW_MEMORY,
    );
    memory.set(t.gpu, next);
    if (facts === null || !armed || abort.signal.aborted) return;
    if (queue.length >= max) {
      o.runner.note(`dropped ${facts.event} of ${facts.bdf}: ${max} events already wait`);
      return;
    }
    queue.push(facts);
    kick();
  });

  return {
    arm() {
      armed = true;
    },
    async idle() {
      while (worker !== null) await worker;
    },
    async dispose() {
      sub.dispose();
      queue.length = 0;
      abort.abort();
      await worker;
    },
  };
}
