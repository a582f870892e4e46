// User hooks in the live core (docs/hooks.md): a hook that fails becomes a Notice on the core's
// notice channel (so `egpu watch` prints it and the faces may show it), and — only in a core told
// to — lifecycle transitions run the transition hooks in the background. Pre-eject hooks are the
// eject service's (main/actions/eject/eject-service.ts) and run in every core.

import { toDisposable, type Emitter } from '../common/disposable.js';
import type { Notice } from '../common/snapshot.js';
import type { HookFailure, HookRunner } from '../actions/hooks/hook-runner.js';
import { bindTransitionHooks } from '../actions/hooks/transition-hooks.js';
import type { Core } from './api.js';

export const hookNotice = (f: HookFailure): Notice => ({
  at: f.at,
  kind: 'hook-failed',
  gpu: f.facts.bdf,
  name: f.facts.name,
  text: f.text,
});

export function withUserHooks<C extends Core>(
  core: C,
  o: {
    readonly runner: HookRunner;
    /** Where the runner's failures were fired (as hookNotice). */
    readonly notices: Emitter<Notice>;
    readonly transitions: boolean;
  },
): C {
  const onNotice: Core['onNotice'] = (listener) => {
    const own = core.onNotice(listener);
    const hooks = o.notices.event(listener);
    return toDisposable(() => {
      own.dispose();
      hooks.dispose();
    });
  };
  if (!o.transitions) return { ...core, onNotice };
  const hooks = bindTransitionHooks({
    runner: o.runner,
    onTransition: (l) => core.onTransition(l),
    entry: (bdf) => core.snapshot().gpus.find((g) => g.bdf === bdf),
  });
  return {
    ...core,
    onNotice,
    async start() {
      // The core takes its first picture (the GPUs already there) before its first await: those
      // transitions are not events. Anything after, during the rest of the start included, is.
      const started = core.start();
      hooks.arm();
      await started;
    },
    async stop() {
      await core.stop();
      await hooks.dispose();
    },
  };
}
