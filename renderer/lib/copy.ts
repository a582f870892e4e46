// What the window says about outcomes and failures, in one place: eject/recover results with
// what to do next, and IPC error codes turned into sentences.

import type { ActionFinal, ActionPlan, Blocker } from '../../main/common/actions-model.js';
import type { ErrorCode } from '../../main/common/errors.js';
import type { IpcError } from '../../main/common/ipc/contract.js';
import type { Tone } from './labels.js';

export type ResultCopy = {
  readonly title: string;
  readonly tone: Tone;
  /** What to do now; empty when nothing is needed. */
  readonly next: readonly string[];
};

/**
 * `unplug` names what to pull ("the Razer Core X"): a safe eject's result says it unless the
 * core's own detail already does.
 */
export function resultCopy(
  action: ActionPlan['action'],
  final: ActionFinal,
  unplug = 'the enclosure',
  /** "Use it again" after a safe eject: the same run, but nothing was broken to recover from. */
  reuse = false,
): ResultCopy {
  switch (final.result) {
    case 'safe-to-unplug':
      // A drive on the same tunnel stays connected: the GPU is gone, the enclosure must wait.
      if ((final.unplugWarnings?.length ?? 0) > 0)
        return { title: 'GPU removed: eject the drive first', tone: 'progress', next: [] };
      return {
        title: 'Safe to unplug',
        tone: 'safe',
        next: /\bunplug\b/i.test(final.detail.replace(/safe to unplug/gi, ''))
          ? []
          : [`Unplug ${unplug} now.`],
      };
    case 'recovered':
      return { title: reuse ? 'Ready to use again' : 'Recovered', tone: 'safe', next: [] };
    case 'blocked':
      return {
        title: action === 'eject' ? 'Not ejected: the GPU is still in use' : 'Recovery blocked',
        tone: 'progress',
        next:
          action === 'eject'
            ? ['Close the apps listed, or agree to let eGPU Guard close them, then try again.']
            : ['Fix what is listed above, then try again.'],
      };
    case 'cancelled':
      return {
        title: 'Cancelled',
        tone: 'neutral',
        next: action === 'eject' ? ['Do not unplug: the GPU is not ejected.'] : [],
      };
    case 'failed':
      return {
        title:
          action === 'eject' ? 'Eject failed' : reuse ? 'It did not come back' : 'Recovery failed',
        tone: 'danger',
        next:
          action === 'eject'
            ? [
                'Do not unplug yet: the GPU may still be in use.',
                'Close the apps that use it and try again, or log out first.',
              ]
            : // The core's detail says what to do for this failure (reconnect a GPU that does not
              // answer; check power and cable when the rescan found none): a generic "unplug it"
              // here said it twice, or told to unplug an enclosure that was not plugged in.
              [],
      };
    case 'stuck':
      return {
        title: 'The driver is stuck',
        tone: 'danger',
        next: [
          'Do not unplug: the kernel is still waiting for the GPU to be released.',
          'Save your work and reboot; the removal cannot finish until then.',
        ],
      };
  }
}

const ERROR_TEXT: Partial<Record<ErrorCode, string>> = {
  'auth-dismissed': 'The password prompt was dismissed, so nothing was changed.',
  'not-authorized': 'You are not allowed to do this (polkit said no).',
  'device-gone': 'The device is gone.',
  busy: 'Something else is in progress.',
  timeout: 'It took too long and was stopped.',
  'permission-denied': 'Permission denied.',
  internal: 'eGPU Guard hit an internal error.',
};

/** The message the core sent, prefixed with a plain explanation of the code when it helps. */
export function errorText(error: IpcError): string {
  const lead = ERROR_TEXT[error.code];
  if (lead === undefined || error.message.startsWith(lead)) return error.message;
  return `${lead} ${error.message}`;
}

/** Blockers the user can clear by agreeing to close the process. */
export const closableBlockers = (plan: ActionPlan): readonly Blocker[] =>
  plan.blockers.filter((b) => b.closable && b.pid !== undefined);
