// How `egpu eject --yes` and `egpu recover --yes` say that they did not start at all: another
// eject or recovery of the GPU holds its lock ('already-running'), or the eject intent could not
// be recorded ('intent-not-recorded'). One line on stderr, the final object with its code on
// stdout for --json, exit 1.

import type { ActionFinal } from '../common/actions-model.js';
import type { ErrorCode } from '../common/errors.js';
import type { CliIo } from './command.js';

export function refuseAction(
  command: 'eject' | 'recover',
  e: { readonly code: ErrorCode; readonly message: string },
  json: boolean,
  io: CliIo,
): number {
  const sentence = `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`.replace(/\.$/, '');
  if (json) {
    const final: ActionFinal = { result: 'failed', detail: sentence, code: e.code };
    io.stdout(JSON.stringify(final) + '\n');
  }
  io.stderr(`egpu ${command}: ${sentence}\n`);
  return 1;
}
