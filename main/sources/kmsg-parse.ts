// /dev/kmsg records (Documentation/ABI/testing/dev-kmsg, linux-6.1 kernel/printk/printk.c):
//
//   <facility<<3|level>,<seq>,<usec monotonic>,<flags>[,more fields…];text\n
//    KEY=value\n            (optional continuation lines: a leading space, e.g. SUBSYSTEM, DEVICE)
//
// Unknown prefix fields are ignored (the ABI says more may be added before ';'). Non-printable
// bytes and '\' are escaped as \xNN; they are unescaped and the bytes decoded as UTF-8 with U+FFFD
// replacement (`lossy`). Pure and total. Input is "binary text": one char per byte (latin1).

export type KmsgRecord = {
  readonly facility: number;
  readonly level: number;
  /** 64-bit sequence number as a decimal string. */
  readonly sequence: string;
  readonly monotonicUs: string;
  /** '-' or 'c' (continuation fragment); '' when absent. */
  readonly flags: string;
  readonly text: string;
  readonly lossy: boolean;
  readonly dict: Readonly<Record<string, string>>;
};

export type KmsgItem =
  | { readonly kind: 'record'; readonly record: KmsgRecord }
  | { readonly kind: 'unparsed'; readonly reason: string };

export const MAX_KMSG_LINE = 64 * 1024;
const MAX_DICT = 64;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Undoes the kernel's \xNN escaping and decodes the bytes as UTF-8. */
export function unescapeKmsg(text: string): { text: string; lossy: boolean } {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c && text[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (c < 0x100) {
      bytes.push(c);
    } else {
      // Not binary text after all (a caller passed a decoded string): keep the character.
      const cp = text.codePointAt(i) ?? c;
      for (const b of encoder.encode(String.fromCodePoint(cp))) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  const buf = Uint8Array.from(bytes);
  try {
    return { text: strictUtf8.decode(buf), lossy: false };
  } catch {
    return { text: utf8.decode(buf), lossy: true };
  }
}

type Header = Omit<KmsgRecord, 'text' | 'lossy' | 'dict'> & { rawText: string };

export function parseKmsgHeader(line: string): Header | null {
  if (line.length > MAX_KMSG_LINE) return null;
  const semi = line.indexOf(';');
  if (semi < 0) return null;
  const fields = line.slice(0, semi).split(',');
  const [prio, seq, usec, flags] = fields;
  if (prio === undefined || seq === undefined || usec === undefined) return null;
  if (!/^\d{1,10}$/.test(prio) || !/^\d{1,20}$/.test(seq) || !/^\d{1,20}$/.test(usec)) return null;
  const p = Number(prio);
  return {
    facility: p >> 3,
    level: p & 7,
    sequence: seq,
    monotonicUs: usec,
    flags: flags ?? '',
    rawText: line.slice(semi + 1),
  };
}

/**
 * Splits reads into records. A record ends at the next header line or at the end of a read
 * (one read is one record on the real device); an unterminated last line waits for more.
 */
export function createKmsgParser(): { push(chunk: string): KmsgItem[]; flush(): KmsgItem[] } {
  let pending = '';
  let header: Header | null = null;
  let dict = Object.create(null) as Record<string, string>;
  let dictSize = 0;

  const finish = (): KmsgItem[] => {
    if (header === null) return [];
    const { rawText, ...rest } = header;
    const { text, lossy } = unescapeKmsg(rawText);
    const record: KmsgRecord = { ...rest, text, lossy, dict };
    header = null;
    dict = Object.create(null) as Record<string, string>;
    dictSize = 0;
    return [{ kind: 'record', record }];
  };

  const line = (l: string): KmsgItem[] => {
    if (l === '') return [];
    if (l.startsWith(' ')) {
      if (header === null) return [{ kind: 'unparsed', reason: 'continuation without a record' }];
      const eq = l.indexOf('=');
      if (eq > 1 && dictSize < MAX_DICT && l.length <= MAX_KMSG_LINE) {
        dict[l.slice(1, eq)] = unescapeKmsg(l.slice(eq + 1)).text;
        dictSize++;
      }
      return [];
    }
    const out = finish();
    const h = parseKmsgHeader(l);
    if (h === null) out.push({ kind: 'unparsed', reason: 'not a kmsg record' });
    else header = h;
    return out;
  };

  return {
    push(chunk) {
      const out: KmsgItem[] = [];
      const text = pending + chunk;
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      if (pending.length > MAX_KMSG_LINE) {
        out.push({ kind: 'unparsed', reason: 'line too long' });
        pending = '';
      }
      for (const l of lines) out.push(...line(l));
      // The record is complete unless the unfinished line may still be one of its continuations.
      if (!pending.startsWith(' ')) out.push(...finish());
      return out;
    },
    flush() {
      const out = pending === '' ? [] : line(pending);
      pending = '';
      return [...out, ...finish()];
    },
  };
}
