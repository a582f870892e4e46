// Which GPUs a kernel message is about: by PCI address (a GPU's own, one of its functions, or a
// bridge on its path — pciehp and AER name the port above it), by Thunderbolt router, by NVIDIA
// minor number, or by vendor when only one GPU of that vendor is present. Pure.

import type { KernelEvent } from '../common/kernel-events.js';
import { vendorOf } from '../diagnose/diagnosis.js';
import type { Entry } from './gpu-entry.js';

const VENDOR_IDS: Readonly<Record<string, string>> = {
  nvidia: '0x10de',
  amd: '0x1002',
  intel: '0x8086',
};

export function byFootprint(entries: Iterable<Entry>, bdf: string): Entry[] {
  return [...entries].filter((e) => e.footprint.has(bdf));
}

/** Entries whose enclosure is this router (by unique_id when known, else by router name). */
export function byRouter(
  entries: Iterable<Entry>,
  router: string | null,
  uniqueId: string | null,
): Entry[] {
  return [...entries].filter(
    (e) =>
      e.enclosure !== null &&
      ((uniqueId !== null && e.enclosure.uniqueId === uniqueId) ||
        (uniqueId === null && router !== null && e.enclosure.router === router)),
  );
}

/** The entries a kernel event is about: by address, Thunderbolt router, NVIDIA minor or vendor. */
export function subjectsOf(entries: readonly Entry[], k: KernelEvent): Entry[] {
  if (k.bdf !== null) {
    // pciehp and AER name the port above the GPU: its footprint includes its bridges.
    const hit = byFootprint(entries, k.bdf);
    if (!k.kind.startsWith('gpu-') && k.kind !== 'driver-remove-blocked') return hit;
    // A GPU event names the GPU itself; failing that, one of its functions.
    const own = hit.filter((e) => e.bdf === k.bdf);
    return own.length > 0 ? own : hit.slice(0, 1);
  }
  if (k.router !== undefined) return byRouter(entries, k.router, null);
  const minor = /minor device (\d+)/.exec(k.text);
  if (minor) return entries.filter((e) => e.info?.nvidia?.minor === Number(minor[1])).slice(0, 1);
  const vendor = vendorOf(k.text);
  const id = vendor === null ? undefined : VENDOR_IDS[vendor];
  const candidates = entries.filter((e) => e.present && e.vendorId === id);
  return candidates.length === 1 ? candidates : [];
}
