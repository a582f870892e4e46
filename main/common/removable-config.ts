// The administrator's list of PCI devices to treat as removable, for eGPUs the kernel does not mark
// so: OCuLink and other cabled PCIe links (no ACPI ExternalFacingPort, so no `removable`
// attribute) and Thunderbolt 3 laptops whose firmware lacks the property. Without it the helper
// refuses to detach them — rightly, for anything it cannot tell from an internal GPU.
//
// /etc/egpu-guard/removable.conf, one PCI address per line (the GPU itself, or a bridge or port
// above it: everything below a listed device counts), '#' starts a comment. It grants root-level
// powers (unbind and remove), so it is honoured only when it and its folder belong to root and
// nobody else may write them (checked by the helper and by the inventory alike), and never for
// the firmware's boot display. Pure: parsing and the ownership rule; the I/O is the caller's.

import { normalizeBdf } from './pci.js';

export const REMOVABLE_CONFIG_DIR = '/etc/egpu-guard';
export const REMOVABLE_CONFIG_PATH = `${REMOVABLE_CONFIG_DIR}/removable.conf`;
/** Only this much of the file is read; a list of PCI addresses is far shorter. */
export const REMOVABLE_CONFIG_MAX_BYTES = 4096;

export type RemovableConfig = {
  /** Canonical PCI addresses, in file order, without duplicates. */
  readonly addresses: readonly string[];
  /** Lines that are not a PCI address: `line N: "text"`. */
  readonly invalid: readonly string[];
};

export function parseRemovableConfig(text: string): RemovableConfig {
  const addresses: string[] = [];
  const invalid: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const bdf = normalizeBdf(line);
    if (bdf === null) {
      invalid.push(`line ${i + 1}: ${JSON.stringify(line.slice(0, 60))}`);
      return;
    }
    if (!addresses.includes(bdf)) addresses.push(bdf);
  });
  return { addresses, invalid };
}

/** What the ownership check needs of a file or folder (lstat: a symlink is never trusted). */
export type OwnerStat = {
  readonly kind: 'file' | 'dir' | 'symlink' | 'other';
  readonly uid: number;
  readonly mode: number;
};

/**
 * Why the file must be ignored, or null when it may be trusted: the folder and the file belong
 * to root, are not symlinks, and neither group nor others may write them.
 */
export function distrustReason(dir: OwnerStat | null, file: OwnerStat | null): string | null {
  if (file === null) return null; // no file: nothing to trust or distrust
  if (dir === null || dir.kind !== 'dir') return `${REMOVABLE_CONFIG_DIR} is not a folder`;
  if (file.kind !== 'file') return `${REMOVABLE_CONFIG_PATH} is not a regular file`;
  for (const [what, st] of [
    [REMOVABLE_CONFIG_DIR, dir],
    [REMOVABLE_CONFIG_PATH, file],
  ] as const) {
    if (st.uid !== 0) return `${what} does not belong to root`;
    if ((st.mode & 0o022) !== 0) return `${what} is writable by group or others`;
  }
  return null;
}
