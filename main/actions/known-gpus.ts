// External GPUs seen before, kept in a small state file so a later start can show them as
// "absent" (and "connected" when their enclosure comes back) before they enumerate.

import type { Inventory } from '../common/inventory-model.js';
import { readStateFile, writeStateFileAtomic } from '../platform/state-files.js';
import type { KnownGpu } from '../state/facts.js';
import { footprintOf } from '../state/gpu-entry.js';

const isKnownGpu = (v: unknown): v is KnownGpu =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as KnownGpu).bdf === 'string' &&
  typeof (v as KnownGpu).name === 'string' &&
  typeof (v as KnownGpu).vendorId === 'string' &&
  typeof (v as KnownGpu).deviceId === 'string' &&
  ((v as KnownGpu).footprint === undefined ||
    (Array.isArray((v as KnownGpu).footprint) &&
      (v as KnownGpu).footprint!.every((b) => typeof b === 'string')));

/** Reads the list; a missing or corrupt file is an empty list (never fatal). */
export function loadKnownGpus(path: string | null): KnownGpu[] {
  if (path === null) return [];
  const r = readStateFile(path);
  if (!r.ok) return [];
  try {
    const data: unknown = JSON.parse(r.value);
    return Array.isArray(data) ? data.filter(isKnownGpu) : [];
  } catch {
    return [];
  }
}

/** Merges the external GPUs of an inventory into the list; returns the new list if it changed. */
export function mergeKnownGpus(
  known: readonly KnownGpu[],
  inventory: Inventory,
): KnownGpu[] | null {
  const out = [...known];
  let changed = false;
  for (const g of inventory.gpus) {
    if (!g.external) continue;
    const entry: KnownGpu = {
      bdf: g.bdf,
      name: g.name,
      vendorId: g.vendorId,
      deviceId: g.deviceId,
      enclosure: g.enclosure && {
        name: g.enclosure.name,
        router: g.enclosure.router,
        uniqueId: g.enclosure.uniqueId,
      },
      footprint: [...footprintOf(g)].sort(),
    };
    const i = out.findIndex(
      (k) =>
        k.vendorId === g.vendorId &&
        k.deviceId === g.deviceId &&
        (k.bdf === g.bdf || k.enclosure?.uniqueId === g.enclosure?.uniqueId),
    );
    if (i < 0) {
      out.push(entry);
      changed = true;
    } else if (JSON.stringify(out[i]) !== JSON.stringify(entry)) {
      out[i] = entry;
      changed = true;
    }
  }
  return changed ? out : null;
}

export function saveKnownGpus(path: string | null, gpus: readonly KnownGpu[]): void {
  if (path !== null) writeStateFileAtomic(path, JSON.stringify(gpus, null, 2) + '\n');
}
