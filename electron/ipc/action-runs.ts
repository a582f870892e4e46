// The guided actions that run, by runId (one at a time): the one router's (main/core/router.ts),
// shared by the window's IPC, the tray's quick actions and browser mode.

export {
  createActionRuns,
  type ActionRuns,
  type ActionRunsOptions,
  type RunKind,
} from '../../main/core/router.js';
