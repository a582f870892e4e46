// Parser for `udevadm monitor --property` output and sysfs `uevent` files (one KEY=VALUE format,
// udevadm(8); the kernel's lib/kobject_uevent.c). Pure and total: any line sequence —
// truncated, binary, 1 MB long — yields blocks or "unparsed" items, never an exception.
//
// Format (systemd src/udev/udevadm-monitor.c, v252): a banner ("monitor will print the received
// events for:", one line per selected source, a blank line), then per event a header printed as
// printf("%-6s[%lu.%06lu] %-8s %s (%s)\n", "UDEV"|"KERNEL", sec, usec, action, devpath, subsystem),
// one KEY=VALUE line per property and one empty line. Values may contain '=': split at the first.

export type UdevBlock = {
  readonly origin: 'UDEV' | 'KERNEL';
  /** Header timestamp in µs (CLOCK_MONOTONIC when udevadm received the event). */
  readonly monitorUs: number;
  readonly action: string;
  readonly devpath: string;
  readonly subsystem: string;
  readonly properties: Readonly<Record<string, string>>;
};

export type UdevParseItem =
  | { readonly kind: 'block'; readonly block: UdevBlock }
  /** The banner's closing blank line: the monitor is listening from here on. */
  | { readonly kind: 'banner-end' }
  | { readonly kind: 'unparsed'; readonly reason: string; readonly text: string };

export type UdevParser = {
  /** Feeds one line (without '\n'); returns what it completed. */
  push(line: string): UdevParseItem[];
  /** Completes a block still open at end of input (udevadm always ends one with a blank line). */
  flush(): UdevParseItem[];
  /** Drops any half-read block (a new child process starts a new stream). */
  reset(): void;
};

const HEADER = /^(UDEV|KERNEL)\s*\[(\d+)\.(\d+)\]\s+(\S+)\s+(\S+)\s+\((\S*)\)$/;
const BANNER_FIRST = 'monitor will print the received events for:';
const BANNER_SOURCE = /^(UDEV|KERNEL) - the /;
/** Longer lines are not udev output (the kernel's uevent buffer is 2 KiB; udev adds little). */
export const MAX_UDEV_LINE = 64 * 1024;
/** A block with more properties than this is not a real event; stop growing it. */
export const MAX_UDEV_PROPERTIES = 1024;
const SNIPPET = 200;
const BLANK = /\s/;

const snippet = (text: string): string =>
  text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text;

/** A dictionary without a prototype, so keys such as '__proto__' are plain keys. */
export const emptyDict = (): Record<string, string> =>
  Object.create(null) as Record<string, string>;

/** Splits one KEY=VALUE line at the first '='; null when it is not one. */
export function splitKeyValue(line: string): [string, string] | null {
  const eq = line.indexOf('=');
  if (eq <= 0) return null;
  const key = line.slice(0, eq);
  // Property names are printable tokens; anything with blanks is not a property line.
  if (BLANK.test(key)) return null;
  return [key, line.slice(eq + 1)];
}

/** Parses a sysfs `uevent` file (same KEY=VALUE lines as `udevadm monitor --property`). */
export function parseUevent(text: string): Record<string, string> {
  const out = emptyDict();
  let count = 0;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0 || line.length > MAX_UDEV_LINE) continue;
    const kv = splitKeyValue(line);
    if (kv === null) continue;
    out[kv[0]] = kv[1];
    if (++count >= MAX_UDEV_PROPERTIES) break;
  }
  return out;
}

/** Header fields of one `UDEV  [123.456789] action devpath (subsystem)` line, or null. */
export function parseUdevHeader(line: string): Omit<UdevBlock, 'properties'> | null {
  if (line.length > MAX_UDEV_LINE) return null;
  const m = HEADER.exec(line);
  if (m === null) return null;
  const [, origin, sec, frac, action, devpath, subsystem] = m;
  if (origin === undefined || sec === undefined || frac === undefined) return null;
  // "%06lu" gives exactly six digits; tolerate others by scaling to µs.
  const usec = Number((frac + '000000').slice(0, 6));
  return {
    origin: origin === 'UDEV' ? 'UDEV' : 'KERNEL',
    monitorUs: Number(sec) * 1_000_000 + usec,
    action: action ?? '',
    devpath: devpath ?? '',
    subsystem: subsystem ?? '',
  };
}

export function createUdevParser(): UdevParser {
  let header: Omit<UdevBlock, 'properties'> | null = null;
  let props = emptyDict();
  let count = 0;
  let inBanner = false;

  const close = (): UdevParseItem[] => {
    if (header === null) return [];
    const block: UdevBlock = { ...header, properties: props };
    header = null;
    props = emptyDict();
    count = 0;
    return [{ kind: 'block', block }];
  };

  return {
    push(rawLine) {
      const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
      if (line.length > MAX_UDEV_LINE) {
        return [{ kind: 'unparsed', reason: 'line too long', text: snippet(line) }];
      }
      if (line === '') {
        if (inBanner) {
          inBanner = false;
          return [{ kind: 'banner-end' }];
        }
        return close();
      }
      if (line === BANNER_FIRST) {
        const out = close();
        inBanner = true;
        return out;
      }
      if (inBanner && BANNER_SOURCE.test(line)) return [];
      inBanner = false;
      // Cheap prefix test first: most lines are properties, and the header regex is the slow part.
      const parsed =
        line.startsWith('UDEV') || line.startsWith('KERNEL') ? parseUdevHeader(line) : null;
      if (parsed !== null) {
        // Without --property there is no blank line between events: a header closes the block.
        const out = close();
        header = parsed;
        return out;
      }
      if (header === null) {
        return [{ kind: 'unparsed', reason: 'outside an event block', text: snippet(line) }];
      }
      const kv = splitKeyValue(line);
      if (kv === null) return [{ kind: 'unparsed', reason: 'not KEY=VALUE', text: snippet(line) }];
      if (count >= MAX_UDEV_PROPERTIES) {
        return [{ kind: 'unparsed', reason: 'too many properties', text: snippet(line) }];
      }
      props[kv[0]] = kv[1];
      count++;
      return [];
    },
    flush() {
      inBanner = false;
      return close();
    },
    reset() {
      header = null;
      props = emptyDict();
      count = 0;
      inBanner = false;
    },
  };
}

/** SEQNUM as a number when it is a plain decimal that fits exactly. */
export function seqnumOf(properties: Readonly<Record<string, string>>): number | undefined {
  const raw = properties['SEQNUM'];
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}
