// `journalctl -o json` lines: one object per line; MESSAGE is a string, an array of byte values
// when the text is not valid UTF-8, an array when the field repeats, or null when it is larger
// than journald's field threshold (systemd docs/JOURNAL_EXPORT_FORMATS.md).
// Total: malformed JSON, non-objects and odd MESSAGE shapes give 'unparsed' or null, never a throw.

export type JournalJsonLine =
  { readonly kind: 'entry'; readonly message: string | null } | { readonly kind: 'unparsed' };

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Byte values 0–255 → text; invalid UTF-8 becomes U+FFFD, as a terminal would show it. */
function decodeBytes(values: readonly unknown[]): string {
  const bytes = new Uint8Array(values.length);
  let n = 0;
  for (const v of values) {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255) bytes[n++] = v;
  }
  return utf8.decode(bytes.subarray(0, n));
}

/** The text of a MESSAGE value of any shape journald produces; null when there is none. */
export function journalMessageText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return null;
  if (value.every((v) => typeof v === 'number')) return decodeBytes(value);
  // A repeated field: each element is itself a string or a byte array. No deeper recursion:
  // a hostile line of nested arrays must not exhaust the stack.
  const parts: string[] = [];
  for (const v of value as unknown[]) {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v) && v.length > 0 && v.every((b) => typeof b === 'number')) {
      parts.push(decodeBytes(v));
    }
  }
  return parts.length === 0 ? null : parts.join('\n');
}

export function parseJournalJsonLine(line: string): JournalJsonLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { kind: 'unparsed' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'unparsed' };
  }
  const message = Object.prototype.hasOwnProperty.call(parsed, 'MESSAGE')
    ? journalMessageText((parsed as Record<string, unknown>)['MESSAGE'])
    : null;
  return { kind: 'entry', message };
}
