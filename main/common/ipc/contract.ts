// Types derived from the channel list and schemas: what each channel takes and returns, the
// result envelope (errors are data, never thrown across IPC), and the bridge the renderer sees.

import type { z } from 'zod';
import type { ActionFinal, ActionPlan, CompositorAdvice, StepProgress } from '../actions-model.js';
import type { ClientsReport } from '../clients-model.js';
import type { ErrorCode } from '../errors.js';
import type { Snapshot } from '../snapshot.js';
import type { BridgeMethod, INVOKE_CHANNELS } from './channels.js';
import type { INPUT_SCHEMAS } from './schemas.js';

export type IpcError = { readonly code: ErrorCode; readonly message: string };
export type IpcResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

export type AppInfo = {
  readonly mode: 'electron' | 'browser' | 'demo';
  readonly version: string;
  /** null when unknown (browser mode); false when no StatusNotifier host runs. */
  readonly trayHost: boolean | null;
  /** Something the window should tell the user (e.g. why it opened without a tray). */
  readonly notice: string | null;
};

export type RunStarted = { readonly runId: string };

export type Outputs = {
  'snapshot:get': Snapshot;
  'clients:refresh': ClientsReport;
  'eject:plan': ActionPlan;
  'eject:run': RunStarted;
  'recover:plan': ActionPlan;
  'recover:run': RunStarted;
  'action:cancel': null;
  'client:close': null;
  'compositor:advice': CompositorAdvice;
  /** What happened, in one line ("gnome-session-quit --logout: done"). */
  'compositor:run': { readonly message: string };
  'app:info': AppInfo;
  'demo:act': null;
};

type ChannelOf<M extends BridgeMethod> = (typeof INVOKE_CHANNELS)[M];
export type InputOf<C extends keyof typeof INPUT_SCHEMAS> = z.infer<(typeof INPUT_SCHEMAS)[C]>;

export type ActionProgressMessage = {
  readonly runId: string;
  readonly progress?: StepProgress;
  readonly final?: ActionFinal;
};

/**
 * The tray or a notification asked for an action that needs the user (a plan with apps to close,
 * or a blocked one): the window opens that plan for that GPU.
 */
export type FocusRequest = {
  readonly action: 'eject' | 'recover';
  /** null: recover whatever Thunderbolt device waits. */
  readonly bdf: string | null;
};

export type PushPayloads = {
  'snapshot:changed': Snapshot;
  'action:progress': ActionProgressMessage;
  'ui:focus': FocusRequest;
};

/** What `window.egpu` offers the renderer: named methods only, each returning an IpcResult. */
export type BridgeApi = {
  [M in BridgeMethod]: (input: InputOf<ChannelOf<M>>) => Promise<IpcResult<Outputs[ChannelOf<M>]>>;
} & {
  onSnapshot(listener: (s: Snapshot) => void): () => void;
  onActionProgress(listener: (m: ActionProgressMessage) => void): () => void;
  /** Tray and notification requests to open a plan (Electron only; browser mode has no tray). */
  onFocus(listener: (f: FocusRequest) => void): () => void;
};
