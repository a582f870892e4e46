// Human names for PCI IDs from the pciutils database (pci.ids) when the machine has one, else a
// readable fallback built from the IDs. The file is ~1.3 MB, so it is read once, lazily, and
// searched with indexOf rather than parsed whole.

import type { SystemRoot } from '../platform/system-root.js';

const PCI_IDS_PATHS = [
  '/usr/share/misc/pci.ids',
  '/usr/share/hwdata/pci.ids',
  '/usr/share/pci.ids',
];

/** Short vendor names for the vendors whose GPUs people put in enclosures. */
const SHORT_VENDOR: Readonly<Record<number, string>> = {
  0x10de: 'NVIDIA',
  0x1002: 'AMD',
  0x1022: 'AMD',
  0x8086: 'Intel',
  0x1a03: 'ASPEED',
  0x102b: 'Matrox',
  0x1af4: 'Red Hat virtio',
  0x1234: 'QEMU',
  0x15ad: 'VMware',
  0x1ed5: 'Moore Threads',
};

export type PciNames = {
  vendor(vendor: number): string | null;
  device(vendor: number, device: number): string | null;
  /** "NVIDIA GeForce RTX 3070"-style name for a GPU or function. */
  displayName(vendor: number, device: number, fallbackKind: string): string;
};

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export function createPciNames(root: SystemRoot): PciNames {
  let db: string | null | undefined;
  const load = (): string | null => {
    if (db !== undefined) return db;
    db = null;
    for (const p of PCI_IDS_PATHS) {
      const r = root.readText(p, 8 * 1024 * 1024);
      if (r.ok) {
        db = '\n' + r.value;
        break;
      }
    }
    return db;
  };

  const vendorSection = (vendor: number): { text: string; start: number; end: number } | null => {
    const text = load();
    if (text === null) return null;
    const start = text.indexOf(`\n${hex4(vendor)}  `);
    if (start < 0) return null;
    // The section ends at the next line that does not start with a tab or '#'.
    const re = /\n[^\t#\n]/g;
    re.lastIndex = start + 1;
    const next = re.exec(text);
    return { text, start, end: next ? next.index : text.length };
  };

  const vendor = (v: number): string | null => {
    const s = vendorSection(v);
    if (s === null) return null;
    const lineEnd = s.text.indexOf('\n', s.start + 1);
    return s.text.slice(s.start + 7, lineEnd < 0 ? undefined : lineEnd).trim() || null;
  };

  const device = (v: number, d: number): string | null => {
    const s = vendorSection(v);
    if (s === null) return null;
    const at = s.text.indexOf(`\n\t${hex4(d)}  `, s.start);
    if (at < 0 || at >= s.end) return null;
    const lineEnd = s.text.indexOf('\n', at + 1);
    return s.text.slice(at + 8, lineEnd < 0 ? undefined : lineEnd).trim() || null;
  };

  return {
    vendor,
    device,
    displayName(v, d, fallbackKind) {
      const short = SHORT_VENDOR[v] ?? vendor(v) ?? `vendor 0x${hex4(v)}`;
      const name = device(v, d);
      if (name === null) return `${short} ${fallbackKind} [${hex4(v)}:${hex4(d)}]`;
      // pci.ids puts the marketing name in brackets: "GA104 [GeForce RTX 3070]".
      const bracket = /\[([^\]]+)\]\s*$/.exec(name);
      return `${short} ${bracket ? bracket[1] : name}`;
    },
  };
}
