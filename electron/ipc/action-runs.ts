// The guided actions (eject, recover) that are running, by runId: started from the window or
// from the tray, cancelled from the window, their progress pushed as action:progress. One at a
// time: two ejects racing on one enclosure help nobody.

import { randomUUID } from 'node:crypto';
import type { ActionFinal, StepProgress } from '../../main/common/actions-model.js';
import { appError } from '../../main/common/errors.js';
import type { ActionProgressMessage, RunStarted } from '../../main/common/ipc/contract.js';
import { err, ok, type Result } from '../../main/common/result.js';
import type { ActionRun } from '../../main/core/api.js';

export type RunKind = 'eject' | 'recover';

export type ActionRuns = {
  start(
    kind: RunKind,
    begin: (onProgress: (p: StepProgress) => void) => ActionRun,
  ): Result<RunStarted & { readonly done: Promise<ActionFinal> }>;
  cancel(runId: string): Result<null>;
  /** Cancels what runs (quitting). */
  dispose(): void;
};

export type ActionRunsOptions = {
  readonly send: (message: ActionProgressMessage) => void;
  readonly onBug?: (error: unknown) => void;
  /** For testing. */
  readonly newRunId?: (kind: RunKind) => string;
};

export function createActionRuns(options: ActionRunsOptions): ActionRuns {
  // Matches the contract's runId schema: [a-z0-9-]{1,64}.
  const newRunId = options.newRunId ?? ((kind: RunKind) => `${kind}-${randomUUID()}`);
  let active: { readonly runId: string; readonly run: ActionRun } | null = null;

  return {
    start(kind, begin) {
      if (active !== null) {
        return err(appError('busy', 'Another eject or recovery is running; wait or cancel it.'));
      }
      const runId = newRunId(kind);
      const run = begin((progress) => options.send({ runId, progress }));
      active = { runId, run };
      const done = run.done.then(
        (final) => final,
        (e: unknown): ActionFinal => {
          options.onBug?.(e);
          return {
            result: 'failed',
            detail: 'eGPU Guard hit an internal error during this action.',
          };
        },
      );
      void done.then((final) => {
        if (active?.runId === runId) active = null;
        options.send({ runId, final });
      });
      return ok({ runId, done });
    },
    cancel(runId) {
      if (active?.runId !== runId)
        return err(appError('not-found', `No action ${runId} is running.`));
      active.run.cancel();
      return ok(null);
    },
    dispose() {
      active?.run.cancel();
      active = null;
    },
  };
}
