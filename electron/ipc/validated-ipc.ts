// The ONLY importer of ipcMain (docs/architecture.md, "Electron shell"). Every invoke goes
// through one wrapper:
// 1. the sender is one of our windows, its top frame, showing our renderer file (sender-policy);
// 2. exactly one argument, parsed with the channel's zod schema;
// 3. the handler's Result becomes an IpcResult; anything thrown is a bug, logged, and answered
//    as `internal` — a rejected invoke would reach the renderer as a bare message only.

import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { toDisposable, type Disposable } from '../../main/common/disposable.js';
import { appError, type AppError } from '../../main/common/errors.js';
import { INVOKE_CHANNELS, type InvokeChannel } from '../../main/common/ipc/channels.js';
import type { InputOf, IpcResult, Outputs } from '../../main/common/ipc/contract.js';
import { parseInput } from '../../main/common/ipc/schemas.js';
import type { Result } from '../../main/common/result.js';
import type { HandlerMap } from './handlers.js';
import { checkSender, type SenderFacts, type SenderPolicy } from './sender-policy.js';

export type ValidatedIpcOptions = {
  readonly policy: SenderPolicy;
  readonly onRefused?: (channel: string, reason: string) => void;
  readonly onBug?: (channel: string, error: unknown) => void;
};

const failure = (error: AppError): IpcResult<never> => ({
  ok: false,
  error: { code: error.code, message: error.message },
});

/** Strips `detail` (paths, errnos): the renderer gets the code and the sentence only. */
const toIpc = <T>(r: Result<T>): IpcResult<T> => (r.ok ? r : failure(r.error));

function senderFacts(event: IpcMainInvokeEvent): SenderFacts {
  const frame = event.senderFrame;
  return {
    url: frame?.url ?? null,
    isTopFrame: frame !== null && frame.parent === null,
    webContentsId: event.sender.id,
  };
}

export function registerValidatedHandlers(
  handlers: HandlerMap,
  options: ValidatedIpcOptions,
): Disposable {
  const respond = async <C extends InvokeChannel>(
    channel: C,
    event: IpcMainInvokeEvent,
    args: readonly unknown[],
  ): Promise<IpcResult<Outputs[C]>> => {
    try {
      const trusted = checkSender(senderFacts(event), options.policy);
      if (!trusted.ok) {
        options.onRefused?.(channel, trusted.error.message);
        return toIpc(trusted);
      }
      if (args.length > 1)
        return failure(appError('invalid-input', `${channel}: takes one argument`));
      const input = parseInput(channel, args[0]);
      if (!input.ok) return toIpc(input);
      const handler = handlers[channel] as (input: InputOf<C>) => Promise<Result<Outputs[C]>>;
      return toIpc(await handler(input.value));
    } catch (e) {
      options.onBug?.(channel, e);
      return failure(appError('internal', `eGPU Guard hit an internal error (${channel}).`));
    }
  };

  const channels = Object.values(INVOKE_CHANNELS);
  for (const channel of channels) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => respond(channel, event, args));
  }
  return toDisposable(() => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  });
}
