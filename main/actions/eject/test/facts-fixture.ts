// Eject facts for planner tests: an inventory, the GPU in it, nobody holding it, a current kernel.

import type { Inventory } from '../../../common/inventory-model.js';
import type { EjectFacts } from '../eject-facts.js';

export function ejectFacts(
  inventory: Inventory,
  bdf: string,
  over: Partial<EjectFacts> = {},
): EjectFacts {
  return {
    bdf,
    gpu: inventory.gpus.find((g) => g.bdf === bdf) ?? null,
    state: 'attached',
    inventory,
    clients: [],
    primaryOf: new Map(),
    otherDevicesUnderTop: [],
    kernel: [6, 12],
    uid: 1000,
    ...over,
  };
}
