// One physical line of a kernel log, stripped of whatever wrapped the kernel's message: a
// `grep -r` file-name prefix, a dmesg stamp (raw, -T/ctime, -H/relative, -x facility, -r <N>),
// a syslog/journalctl stamp in any locale with host and tag, or nothing at all. Pure and total:
// every regex is anchored and bounded, so a 1 MB line costs one linear pass at most.
// Formats: dmesg(1) --time-format, journalctl(1) --output, rsyslog's RSYSLOG_TraditionalFileFormat.

export type LineFormat =
  | 'dmesg' // [ 1234.567890] raw monotonic seconds
  | 'dmesg-ctime' // [Thu May 17 10:12:13 2018] (dmesg -T, any locale)
  | 'dmesg-relative' // [apr18 16:58] and [  +0,000010] (dmesg -H)
  | 'dmesg-iso' // 2024-05-01T10:00:00,123456+02:00 (dmesg --time-format=iso)
  | 'syslog' // Mon DD HH:MM:SS [host] tag: (journalctl short, syslog files; any locale)
  | 'iso' // 2024-05-01T10:00:00+0200 host tag: (journalctl -o short-iso[-precise], rsyslog)
  | 'time-only' // 22:39:31 kernel:
  | 'unix' // 1714550400.123456 host kernel: (journalctl -o short-unix)
  | 'kmsg' // 6,5123,8123401991,-;message (a /dev/kmsg record, Documentation/ABI/testing/dev-kmsg)
  | 'rfc5424' // <4>1 2024-05-01T10:00:00.1+02:00 host kernel - - - message (RFC 5424 §6)
  | 'bare'; // no stamp at all

export type LineInfo =
  /** Blank, whitespace-only or an elision line (`...`): part of no record. */
  | { readonly shape: 'blank' }
  /** Looks like a `journalctl -o json` object (parsed by journal-json.ts). */
  | { readonly shape: 'json'; readonly json: string }
  | {
      readonly shape: 'text';
      /** The message with every recognised prefix removed, leading whitespace trimmed. */
      readonly message: string;
      /** A timestamp of its own: such a line always starts a new record. */
      readonly stamped: boolean;
      /**
       * Columns of leading whitespace before the line's first character (its stamp, or the
       * message when unstamped): a pasted line's indentation (mail, Markdown, forums) or a
       * continuation line's (continuation test, log-reader.ts).
       */
      readonly indent: number;
      readonly format: LineFormat;
      readonly stamp: string | null;
    };

// --- stamps -------------------------------------------------------------------------------
// A letter run of any script: localized month/day names (фев, kwi, avril, Dez, Ter, 5月).
const WORD = String.raw`[\p{L}\d]{1,12}\.?`;
const CLOCK = String.raw`\d{1,2}:\d{2}:\d{2}`;

/** `[ 1234.567890]`, `[  +0,000010]`, `[1234.5 <  0.000123>]` (dmesg -d), `[<  0.000123>]`
 * (dmesg --time-format=delta). */
const DMESG_RAW =
  /^\[\s{0,16}(?:(\+?)\d{1,12}[.,]\d{1,9}(?:\s{0,8}<\s{0,16}\d{1,12}[.,]\d{1,9}>)?|<\s{0,16}\d{1,12}[.,]\d{1,9}>)\]/;
/** `<level>,<seq>,<usec>,<flags>[,more];`: unknown fields may be added before the `;`. */
const KMSG = /^\d{1,3},\d{1,20},\d{1,20},[^;\n]{0,64};/;
/** A bracketed stamp holding a clock: `[Thu May 17 15:09:35 2018]`, `[apr18 16:58]`. */
const DMESG_CLOCK = /^\[([^[\]\n]{0,40}?)\d{1,2}:\d{2}(?::\d{2})?([^[\]\n]{0,24})\]/u;
/** dmesg --time-format=iso uses a comma before the microseconds and has no host/tag. */
const DMESG_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2},\d{1,9}(?:Z|[+-]\d{2}:?\d{2})?(?=\s)/;
/** ISO stamp of journalctl -o short-iso/-precise/-full and rsyslog's high-precision format. */
const ISO = new RegExp(
  String.raw`^(?:\p{L}{1,4}\.?\s+)?\d{4}-\d{2}-\d{2}[T ]${CLOCK}(?:\.\d{1,9})?` +
    String.raw`(?:Z|\s?[+-]\d{2}:?\d{2}|\s[A-Z]{2,5}(?=\s))?(?=\s)`,
  'u',
);
/** journalctl short / syslog: localized month, day, clock (`фев 12 10:00:00`, `Apr  9 12:59:18`). */
const SYSLOG = new RegExp(
  String.raw`^${WORD}\s{1,3}\d{1,2},?\s{1,3}${CLOCK}(?:[.,]\d{1,9})?(?=\s)`,
  'u',
);
const TIME_ONLY = new RegExp(String.raw`^${CLOCK}(?:[.,]\d{1,9})?(?=\s)`);
const UNIX = /^\d{9,11}\.\d{1,9}(?=\s)/;

// --- things that follow or precede a stamp ---------------------------------------------------
/** `host kernel:` / `kernel:` / `kernel[0]:` after a syslog stamp. Hostnames never hold ':'. */
const KERNEL_TAG = /^(?:[^\s:[\]]{1,255}\s{1,4})?kernel(?:\[\d{1,10}\])?:(?:\s|$)/;
/** Any other program's tag, e.g. `host libvirtd[1234]:` (libvirt's header-type error). */
const OTHER_TAG = /^(?:[^\s:[\]]{1,255}\s{1,4})?[^\s:[\]]{1,64}(?:\[\d{1,10}\])?:(?:\s|$)/;
/** CONFIG_PRINTK_CALLER: `[    T123]` / `[  C1]` after the time stamp. */
const CALLER = /^\[\s{0,8}[TC]\d{1,8}\](?:\s|$)/;
/** dmesg -x: `kern  :info  : `. */
const FACILITY =
  /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7])\s{0,4}:(?:emerg|alert|crit|err|warn|notice|info|debug)\s{0,4}:\s?/;
/** dmesg -r / raw printk: `<6>`. */
const PRIORITY = /^<\d{1,3}>/;
/** After `<PRI>`: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA (RFC 5424). */
const RFC5424 =
  /^1 (\S{1,64}) \S{1,255} (\S{1,48}) \S{1,128} \S{1,32} (?:-|(?:\[[^\]\n]{0,1024}\]){1,8})(?: |$)/;
/** `grep -r` / `grep -H` / `zgrep` output: `/var/log/syslog:`, `kern.log.1:`, `./x/dmesg.txt:12:`. */
const GREP_FILE = /^((?:[^\s:]{0,255}\/)?([^\s:/]{1,255}))(?::\d{1,9})?:/;
const LOG_FILE_NAME =
  /(?:log|messages|dmesg|syslog|journal|kern|\.txt|\.gz|\.xz|\.zst|\.bz2|\.\d{1,3})$|^(?:log|messages|dmesg|syslog|kern)/i;
/** A path grep would print (`/var/log/x`, `./x`, `~/x`) or a log's own name (`kern.log.1`).
 * Not `x86/fpu:` or `NVRM:`, which are message text. */
const isLogFilePath = (path: string, base: string): boolean =>
  /^(?:\/|\.{1,2}\/|~\/)/.test(path) || LOG_FILE_NAME.test(base);
const ELISION = /^(?:\.{3,}|…|\[\.\.\.\]|\[…\])$/;

type Stamp = { readonly format: LineFormat; readonly stamp: string; readonly rest: string };

function matchStamp(line: string): Stamp | null {
  const c = line.charCodeAt(0);
  if (c === 0x5b /* [ */) {
    const raw = DMESG_RAW.exec(line);
    if (raw) {
      return {
        format: raw[1] === '+' ? 'dmesg-relative' : 'dmesg',
        stamp: raw[0],
        rest: line.slice(raw[0].length),
      };
    }
    const clock = DMESG_CLOCK.exec(line);
    // `[apr18 16:58]` has no year; ctime (`[Thu May 17 15:09:35 2018]`) ends in one.
    if (clock && /[\p{L}]/u.test(clock[1] ?? '')) {
      const relative = !/\d{4}\s*$/.test(clock[2] ?? '');
      return {
        format: relative ? 'dmesg-relative' : 'dmesg-ctime',
        stamp: clock[0],
        rest: line.slice(clock[0].length),
      };
    }
    return null;
  }
  if (c >= 0x30 && c <= 0x39) {
    const k = KMSG.exec(line);
    if (k) return { format: 'kmsg', stamp: k[0], rest: line.slice(k[0].length) };
    const m = DMESG_ISO.exec(line);
    if (m) return { format: 'dmesg-iso', stamp: m[0], rest: line.slice(m[0].length) };
    for (const [re, format] of [
      [ISO, 'iso'],
      [TIME_ONLY, 'time-only'],
      [UNIX, 'unix'],
      [SYSLOG, 'syslog'], // a month written with digits (CJK locales: `5月 17 …`)
    ] as const) {
      const s = re.exec(line);
      if (s) return { format, stamp: s[0], rest: line.slice(s[0].length) };
    }
    return null;
  }
  const iso = ISO.exec(line); // short-full: `Mon 2024-05-01 10:00:00 CEST host kernel:`
  if (iso) return { format: 'iso', stamp: iso[0], rest: line.slice(iso[0].length) };
  const s = SYSLOG.exec(line);
  return s ? { format: 'syslog', stamp: s[0], rest: line.slice(s[0].length) } : null;
}

const skipSpace = (s: string): string => {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
  return i === 0 ? s : s.slice(i);
};

/** Strips `[ 123.456]`, a caller id and spaces that follow a tag or a stamp. */
function stripInnerStamp(rest: string): string {
  let r = skipSpace(rest);
  const raw = r.charCodeAt(0) === 0x5b ? DMESG_RAW.exec(r) : null;
  if (raw) r = skipSpace(r.slice(raw[0].length));
  const caller = r.charCodeAt(0) === 0x5b ? CALLER.exec(r) : null;
  if (caller) r = skipSpace(r.slice(caller[0].length));
  return r;
}

/** What follows a syslog-like stamp: `[host] kernel: [stamp] message` or `[host] tag: message`. */
function stripTag(rest: string): string {
  const r = skipSpace(rest);
  const k = KERNEL_TAG.exec(r);
  if (k) return stripInnerStamp(r.slice(k[0].length));
  const o = OTHER_TAG.exec(r);
  return o ? skipSpace(r.slice(o[0].length)) : r;
}

function messageAfter(stamp: Stamp): string {
  switch (stamp.format) {
    case 'dmesg':
    case 'dmesg-ctime':
    case 'dmesg-relative':
    case 'dmesg-iso': {
      // journalctl -o short-monotonic: `[ 1234.567890] host kernel: message`.
      const r = stripInnerStamp(stamp.rest);
      const k = KERNEL_TAG.exec(r);
      return k ? stripInnerStamp(r.slice(k[0].length)) : r;
    }
    case 'syslog':
    case 'iso':
    case 'time-only':
    case 'unix':
      return stripTag(stamp.rest);
    case 'kmsg':
    case 'rfc5424':
    case 'bare':
      return stamp.rest;
  }
}

function leadingColumns(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20) n++;
    else if (c === 0x09) n += 8 - (n % 8);
    else break;
  }
  return n;
}

function unwrap(line: string): Stamp | null {
  let l = line;
  const pri = l.charCodeAt(0) === 0x3c ? PRIORITY.exec(l) : null;
  if (pri) {
    l = l.slice(pri[0].length);
    const r = RFC5424.exec(l);
    // Any program's message counts (libvirt's header-type error is not the kernel's).
    if (r) return { format: 'rfc5424', stamp: r[1]!, rest: l.slice(r[0].length) };
  }
  const fac = FACILITY.exec(l);
  if (fac) l = l.slice(fac[0].length);
  return matchStamp(l);
}

/** Classifies and unwraps one physical line (without its line terminator). */
export function parseLogLine(raw: string): LineInfo {
  const trimmed = raw.trim();
  if (trimmed === '' || ELISION.test(trimmed)) return { shape: 'blank' };
  const first = trimmed.charCodeAt(0);
  if (first === 0x7b /* { */ || (first === 0x1e /* json-seq RS */ && trimmed[1] === '{')) {
    return { shape: 'json', json: first === 0x1e ? trimmed.slice(1) : trimmed };
  }
  // Text pasted into mail, Markdown or a forum is often indented by a few spaces or a tab: the
  // stamp (and so the device prefix and `thunderbolt …` at the start of the message) follows the
  // indentation. A stamp is never at the start of a real continuation line, so looking past the
  // indentation cannot make one stamped by mistake; the indentation is kept in `indent`.
  let line = skipSpace(raw);
  let stamp = unwrap(line);
  if (stamp === null) {
    const g = GREP_FILE.exec(line);
    if (g && isLogFilePath(g[1]!, g[2]!) && g[0].length < line.length) {
      line = line.slice(g[0].length);
      stamp = unwrap(line);
    }
  }
  if (stamp !== null) {
    return {
      shape: 'text',
      message: skipSpace(messageAfter(stamp)).trimEnd(),
      stamped: true,
      indent: leadingColumns(raw),
      format: stamp.format,
      stamp: stamp.stamp.trim(),
    };
  }
  return {
    shape: 'text',
    message: line.trim(),
    stamped: false,
    // The paste's indentation plus what follows a `grep` file prefix (`kern.log:    NVRM: …`).
    indent: leadingColumns(raw) + leadingColumns(line),
    format: 'bare',
    stamp: null,
  };
}

/**
 * The kernel message of one line, all prefixes removed; '' for blank lines. For live sources
 * (kern.log tailing) that need the message text without the stamp.
 */
export function stripLogPrefix(raw: string): string {
  const info = parseLogLine(raw);
  return info.shape === 'text' ? info.message : info.shape === 'json' ? info.json : '';
}
