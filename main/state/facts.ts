// What the state machine is told. Facts are already interpreted from raw source events (see
// fact-builder.ts): a PCI address, a Thunderbolt router, a classified kernel event. Pure data.

import type { ClientsReport } from '../common/clients-model.js';
import type { Inventory } from '../common/inventory-model.js';
import type { KernelEvent } from '../common/kernel-events.js';
import type { Evidence } from '../common/snapshot.js';

/** An external GPU remembered from earlier runs, so it can show as "absent" until plugged. */
export type KnownGpu = {
  readonly bdf: string;
  readonly name: string;
  readonly vendorId: string;
  readonly deviceId: string;
  readonly enclosure: {
    readonly name: string;
    readonly router: string;
    readonly uniqueId: string;
  } | null;
  /**
   * Every PCI address of it and of the bridges above it when last seen (gpu-entry.ts
   * footprintOf): kernel lines about its slot ("pciehp … Link Down") reach it while it is away.
   */
  readonly footprint?: readonly string[];
};

export type EjectResult = 'safe-to-unplug' | 'stuck' | 'failed' | 'blocked' | 'cancelled';

export type Fact =
  | { readonly type: 'known'; readonly at: number; readonly gpus: readonly KnownGpu[] }
  | { readonly type: 'inventory'; readonly at: number; readonly inventory: Inventory }
  | {
      readonly type: 'pci-removed';
      readonly at: number;
      readonly bdf: string;
      readonly evidence: Evidence;
      /** An eject of this GPU was under way (ours, or announced by `egpu eject`). */
      readonly ejecting: boolean;
      /** That eject's warnings about the unplug itself (a drive on the tunnel stays connected). */
      readonly unplugWarnings?: readonly string[];
      /** pciehp's presence detect for the slot above it, when one exists: false = cable gone. */
      readonly cardPresent: boolean | null;
    }
  | {
      readonly type: 'pci-unbound';
      readonly at: number;
      readonly bdf: string;
      readonly evidence: Evidence;
    }
  | {
      readonly type: 'kernel';
      readonly at: number;
      readonly event: KernelEvent;
      readonly evidence: Evidence;
    }
  | {
      readonly type: 'tb-router';
      readonly at: number;
      readonly router: string | null;
      readonly uniqueId: string | null;
      readonly change: 'added' | 'removed' | 'authorized' | 'deauthorized' | 'disconnected';
      readonly evidence: Evidence;
    }
  | {
      readonly type: 'drm-wedged';
      readonly at: number;
      readonly bdf: string | null;
      readonly method: string;
      readonly evidence: Evidence;
    }
  | { readonly type: 'clients'; readonly at: number; readonly report: ClientsReport }
  | { readonly type: 'eject'; readonly at: number; readonly bdf: string; readonly phase: 'started' }
  | {
      readonly type: 'eject';
      readonly at: number;
      readonly bdf: string;
      readonly phase: 'finished';
      readonly result: EjectResult;
      readonly detail: string;
      readonly unplugWarnings?: readonly string[];
    }
  | {
      /**
       * An eject of this GPU ended safe-to-unplug before this core started, and the GPU has not
       * been on the bus since (main/actions/eject-intent.ts keeps the record).
       */
      readonly type: 'ejected-before';
      readonly at: number;
      readonly bdf: string;
      /** When that eject ended. */
      readonly ejectedAt: number;
      /** Its enclosure is still connected: it waits to be unplugged. */
      readonly enclosureConnected: boolean;
      readonly unplugWarnings: readonly string[];
    }
  | { readonly type: 'sleep'; readonly at: number; readonly start: boolean }
  | {
      readonly type: 'source';
      readonly at: number;
      readonly name: string;
      readonly state: string;
      readonly detail: string;
      readonly via?: string;
    };
