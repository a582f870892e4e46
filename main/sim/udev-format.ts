// Text shapes the simulated kernel writes, exactly as the real tools print them, so the real
// readers (udev-monitor source, kernel-log follower) parse simulated and real output alike.

export type UdevProperty = readonly [key: string, value: string];

export type UdevBlock = {
  readonly action: string;
  /** sysfs path without '/sys', e.g. /devices/pci0000:00/…/drm/card1 */
  readonly devpath: string;
  readonly subsystem: string;
  /** Everything after ACTION/DEVPATH/SUBSYSTEM, in print order (SEQNUM included). */
  readonly properties: readonly UdevProperty[];
};

/** Splits microseconds into the `sec.usec` pair both udevadm and dmesg print. */
export function splitUsec(usec: number): { sec: number; frac: string } {
  const whole = Math.max(0, Math.floor(usec));
  return { sec: Math.floor(whole / 1e6), frac: String(whole % 1e6).padStart(6, '0') };
}

/**
 * One `udevadm monitor --udev --property` event: the header
 * `printf("%-6s[%lu.%06lu] %-8s %s (%s)\n", …)` (systemd src/udev/udevadm-monitor.c), one
 * KEY=VALUE line per property, then one empty line (the same file; udevadm(8), monitor --property).
 */
export function formatUdevBlock(block: UdevBlock, monotonicUsec: number): string {
  const { sec, frac } = splitUsec(monotonicUsec);
  const header = `${'UDEV'.padEnd(6)}[${sec}.${frac}] ${block.action.padEnd(8)} ${block.devpath} (${block.subsystem})`;
  const lines = [
    header,
    `ACTION=${block.action}`,
    `DEVPATH=${block.devpath}`,
    `SUBSYSTEM=${block.subsystem}`,
    ...block.properties.map(([k, v]) => `${k}=${v}`),
  ];
  return `${lines.join('\n')}\n\n`;
}

/** One raw dmesg line: `[%5lu.%06lu] text` (util-linux dmesg without --ctime). */
export function formatKernelLine(text: string, monotonicUsec: number): string {
  const { sec, frac } = splitUsec(monotonicUsec);
  return `[${String(sec).padStart(5)}.${frac}] ${text}\n`;
}

const PCI_CLASS_NAMES: Readonly<Record<number, string>> = {
  0x01: 'Mass storage controller',
  0x02: 'Network controller',
  0x03: 'Display controller',
  0x04: 'Multimedia controller',
  0x05: 'Memory controller',
  0x06: 'Bridge',
  0x07: 'Communication controller',
  0x08: 'Generic system peripheral',
  0x0c: 'Serial bus controller',
};

const PCI_SUBCLASS_NAMES: Readonly<Record<number, string>> = {
  0x0300: 'VGA compatible controller',
  0x0302: '3D controller',
  0x0380: 'Display controller',
  0x0403: 'Audio device',
  0x0604: 'PCI bridge',
  0x0600: 'Host bridge',
  0x0108: 'Non-Volatile memory controller',
  0x0c03: 'USB controller',
};

/** The hwdb class names udev adds to PCI events (ID_PCI_CLASS/SUBCLASS_FROM_DATABASE). */
export function pciClassProperties(classCode: number): UdevProperty[] {
  const out: UdevProperty[] = [];
  const cls = PCI_CLASS_NAMES[classCode >> 16];
  if (cls !== undefined) out.push(['ID_PCI_CLASS_FROM_DATABASE', cls]);
  const sub = PCI_SUBCLASS_NAMES[classCode >> 8];
  if (sub !== undefined) out.push(['ID_PCI_SUBCLASS_FROM_DATABASE', sub]);
  return out;
}

export type PciNames = {
  vendor(vendor: number): string | undefined;
  device(vendor: number, device: number): string | undefined;
};

/** A minimal pci.ids reader for the scenario's excerpt (vendor and device lines only). */
export function parsePciIds(text: string | undefined): PciNames {
  const vendors = new Map<number, string>();
  const devices = new Map<string, string>();
  let current: number | null = null;
  for (const line of (text ?? '').split('\n')) {
    const v = /^([0-9a-f]{4})\s+(.+)$/.exec(line);
    if (v) {
      current = parseInt(v[1] ?? '0', 16);
      vendors.set(current, v[2] ?? '');
      continue;
    }
    const d = /^\t([0-9a-f]{4})\s+(.+)$/.exec(line);
    if (d && current !== null) devices.set(`${current}:${parseInt(d[1] ?? '0', 16)}`, d[2] ?? '');
  }
  return {
    vendor: (vendor) => vendors.get(vendor),
    device: (vendor, device) => devices.get(`${vendor}:${device}`),
  };
}
