// The window's models, made once in main.ts (or by a test) and handed down through context, so
// every test builds fresh ones around a fake bridge.

import { createContext } from 'svelte';
import type { BridgeApi } from '../../main/common/ipc/contract.js';
import { ActionFlow } from './action-flow.svelte.js';
import { AdviceModel } from './advice-model.svelte.js';
import { CloseClientFlow } from './close-client.svelte.js';
import { StatusModel } from './status-model.svelte.js';

export type Models = {
  readonly status: StatusModel;
  readonly action: ActionFlow;
  readonly closer: CloseClientFlow;
  readonly advice: AdviceModel;
};

export function createModels(bridge: BridgeApi): Models {
  const status = new StatusModel(bridge);
  return {
    status,
    action: new ActionFlow(bridge),
    closer: new CloseClientFlow(bridge, (message, pid) => status.say(message, pid)),
    advice: new AdviceModel(bridge),
  };
}

export const [getModels, setModels] = createContext<Models>();
