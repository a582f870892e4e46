// PCI addresses (BDF) and class codes: parsing and naming shared by every layer.

/**
 * Canonical form: dddd:bb:dd.f, lowercase hex. The kernel prints the domain with "%04x"
 * (drivers/pci/probe.c, pci_setup_device → dev_set_name), so it has 4 hex digits, or 5 for the
 * domains Intel VMD creates above 0xffff (drivers/pci/controller/vmd.c, vmd_find_free_domain
 * starts at 0x10000): sysfs and dmesg then say `10001:80:02.0`.
 */
export const BDF_PATTERN = /^(?:[0-9a-f]{4}|[1-9a-f][0-9a-f]{4}):[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

export const isBdf = (text: string): boolean => BDF_PATTERN.test(text);

/** '0000:06:00.0' → '0000:06:00' (the slot, shared by the functions of one device). */
export const slotOf = (bdf: string): string => bdf.slice(0, bdf.lastIndexOf('.'));

/**
 * Normalises 'DDDD:BB:DD.F', 'DDDDD:BB:DD.F' (a VMD domain), 'BB:DD.F', 'DDDD:BB:DD' (no function
 * → .0) to canonical form. A 5-digit domain below 0x10000 (`00000:…`) is not how the kernel
 * writes one and is refused, so every accepted text has exactly one canonical form.
 */
export function normalizeBdf(text: string): string | null {
  const m =
    /^(?:([0-9a-f]{4}|[1-9a-f][0-9a-f]{4}):)?([0-9a-f]{2}):([0-9a-f]{2})(?:\.([0-7]))?$/i.exec(
      text.trim(),
    );
  if (!m) return null;
  const [, domain, bus, dev, fn] = m;
  return `${(domain ?? '0000').toLowerCase()}:${bus!.toLowerCase()}:${dev!.toLowerCase()}.${fn ?? '0'}`;
}

/** PCI base class 0x03: display controllers (VGA 0x0300, 3D 0x0302, other 0x0380). */
export const isDisplayClass = (classCode: number): boolean => classCode >> 16 === 0x03;
export const isBridgeClass = (classCode: number): boolean => classCode >> 8 === 0x0604;

export const hexId = (n: number, digits = 4): string => `0x${n.toString(16).padStart(digits, '0')}`;

/** A short description of what a sibling function of a GPU is. */
export function functionKind(
  classCode: number,
): 'audio' | 'usb' | 'serial-bus' | 'display' | 'bridge' | 'other' {
  const base = classCode >> 16;
  const sub = (classCode >> 8) & 0xff;
  if (base === 0x04 && sub === 0x03) return 'audio';
  if (base === 0x0c && sub === 0x03) return 'usb';
  if (base === 0x0c && sub === 0x80) return 'serial-bus';
  if (base === 0x03) return 'display';
  if (base === 0x06) return 'bridge';
  return 'other';
}
