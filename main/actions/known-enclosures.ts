// Thunderbolt enclosures this machine has seen carry a GPU, kept in a small state file next to
// known-gpus.json. Recover authorizes only these (and bolt's stored devices): Thunderbolt security
// levels exist so that a device nobody approved gets no PCIe tunnel and no DMA
// (Documentation/admin-guide/thunderbolt.rst), and the name a device reports about itself proves
// nothing. Unlike known-gpus.json, which keeps a GPU's latest enclosure, this list only grows:
// moving the card to another enclosure must not make the old one a stranger.

import type { Inventory } from '../common/inventory-model.js';
import { readStateFile, writeStateFileAtomic } from '../platform/state-files.js';
import type { KnownGpu } from '../state/facts.js';

export type KnownEnclosure = {
  /** The router's unique_id (a UUID the device keeps across plugs; bolt's Uid). */
  readonly uniqueId: string;
  /** As the device named itself when a GPU was behind it; shown, never trusted. */
  readonly name: string;
  /** BDFs of the GPUs seen behind it. */
  readonly gpus: readonly string[];
};

/** Where the list lives: beside known-gpus.json, in the same state folder. */
export function knownEnclosuresPathFor(knownGpusPath: string | null): string | null {
  if (knownGpusPath === null) return null;
  const slash = knownGpusPath.lastIndexOf('/');
  return `${slash < 0 ? '.' : knownGpusPath.slice(0, slash)}/known-enclosures.json`;
}

const isKnownEnclosure = (v: unknown): v is KnownEnclosure =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as KnownEnclosure).uniqueId === 'string' &&
  (v as KnownEnclosure).uniqueId !== '' &&
  typeof (v as KnownEnclosure).name === 'string' &&
  Array.isArray((v as KnownEnclosure).gpus) &&
  (v as KnownEnclosure).gpus.every((g) => typeof g === 'string');

/** Reads the list; a missing or corrupt file is an empty list (never fatal: nothing is trusted). */
export function loadKnownEnclosures(path: string | null): KnownEnclosure[] {
  if (path === null) return [];
  const r = readStateFile(path);
  if (!r.ok) return [];
  try {
    const data: unknown = JSON.parse(r.value);
    return Array.isArray(data) ? data.filter(isKnownEnclosure) : [];
  } catch {
    return [];
  }
}

/**
 * Adds the enclosures that carry an external GPU in this inventory (an enumerated GPU behind an
 * authorized router); returns the new list, or null when nothing changed.
 */
export function mergeKnownEnclosures(
  known: readonly KnownEnclosure[],
  inventory: Inventory,
): KnownEnclosure[] | null {
  const out = [...known];
  let changed = false;
  for (const g of inventory.gpus) {
    const e = g.enclosure;
    if (!g.external || e === null || e.uniqueId === '' || e.authorized < 1) continue;
    const i = out.findIndex((k) => k.uniqueId === e.uniqueId);
    if (i < 0) {
      out.push({ uniqueId: e.uniqueId, name: e.name, gpus: [g.bdf] });
      changed = true;
    } else if (!out[i]!.gpus.includes(g.bdf)) {
      out[i] = { ...out[i]!, gpus: [...out[i]!.gpus, g.bdf] };
      changed = true;
    }
  }
  return changed ? out : null;
}

export function saveKnownEnclosures(path: string | null, list: readonly KnownEnclosure[]): void {
  if (path !== null) writeStateFileAtomic(path, JSON.stringify(list, null, 2) + '\n');
}

/** What Recover may authorize without asking: remembered enclosures and bolt's stored devices. */
export type EnclosureTrust = {
  readonly enclosures: readonly KnownEnclosure[];
  /** Enclosures recorded with a remembered GPU (known-gpus.json written by older versions too). */
  readonly knownGpus: readonly KnownGpu[];
  /** unique_ids bolt has stored (enrolled): the user approved them in bolt already. */
  readonly boltStored: ReadonlySet<string>;
};

/**
 * Whether the router with this unique_id may be authorized for `bdf` (null: for any GPU). bolt's
 * stored devices count for every GPU: the user approved them already.
 */
export function isTrustedEnclosure(
  trust: EnclosureTrust,
  uniqueId: string | null,
  bdf: string | null,
): boolean {
  if (uniqueId === null || uniqueId === '') return false;
  if (trust.boltStored.has(uniqueId)) return true;
  const carried = (gpus: readonly string[]): boolean => bdf === null || gpus.includes(bdf);
  return (
    trust.enclosures.some((e) => e.uniqueId === uniqueId && carried(e.gpus)) ||
    trust.knownGpus.some((k) => k.enclosure?.uniqueId === uniqueId && carried([k.bdf]))
  );
}

/** Every unique_id Recover may authorize for some GPU (for the snapshot's known/new wording). */
export function trustedEnclosureIds(trust: EnclosureTrust): string[] {
  const ids = new Set<string>(trust.boltStored);
  for (const e of trust.enclosures) ids.add(e.uniqueId);
  for (const k of trust.knownGpus) if (k.enclosure?.uniqueId) ids.add(k.enclosure.uniqueId);
  return [...ids].sort();
}
