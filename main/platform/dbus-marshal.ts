// Writes the D-Bus messages this program sends as a service — method returns, errors and
// signals — straight into bytes, in little-endian order (D-Bus Specification, "Message
// Protocol": "Marshaling (Wire Format)" and "Message Format"). dbus-next marshals through two
// generic passes with a buffer per array and a signature parse per variant: an answer of 554
// client dicts took it 18-110 ms, this writer a few ms (README, "Figures": clients). Receiving
// stays with dbus-next.
//
// Values are this program's own: DbusVariant for 'v', arrays for arrays and structs, plain
// objects for dicts, Buffer or numbers for 'ay', number or bigint for 64-bit integers. A value
// that does not fit its signature throws before anything is sent: the bus would drop the whole
// connection for a malformed message (an embedded NUL, an invalid path), so the caller answers
// with an error instead.

import { DbusVariant } from './dbus.js';

export const MessageKind = { methodReturn: 2, error: 3, signal: 4 } as const;

export type OutgoingMessage = {
  readonly kind: (typeof MessageKind)[keyof typeof MessageKind];
  readonly serial: number;
  /** NO_REPLY_EXPECTED and the like; 0 for what this program sends. */
  readonly flags?: number;
  readonly path?: string;
  readonly iface?: string;
  readonly member?: string;
  readonly errorName?: string;
  readonly replySerial?: number;
  readonly destination?: string;
  readonly signature: string;
  readonly body: readonly unknown[];
};

type TypeNode = { readonly code: string; readonly children: readonly TypeNode[] };

const BASIC = 'ybnqiuxtdsogh';
const MAX_ARRAY = 1 << 26; // 64 MiB
const MAX_MESSAGE = 1 << 27; // 128 MiB

class MarshalError extends Error {}

const parsed = new Map<string, readonly TypeNode[]>();

/** The complete types of a signature; throws on an invalid one. Cached: signatures repeat. */
export function parseSignature(signature: string): readonly TypeNode[] {
  const known = parsed.get(signature);
  if (known !== undefined) return known;
  if (signature.length > 255) throw new MarshalError(`signature longer than 255: ${signature}`);
  let at = 0;
  const one = (depth: number): TypeNode => {
    if (depth > 64) throw new MarshalError(`signature nested too deep: ${signature}`);
    const c = signature[at++];
    if (c === undefined) throw new MarshalError(`incomplete signature '${signature}'`);
    if (BASIC.includes(c) || c === 'v') return { code: c, children: [] };
    if (c === 'a') {
      if (signature[at] === '{') {
        at++;
        const key = one(depth + 1);
        if (!BASIC.includes(key.code))
          throw new MarshalError(`dict key must be basic in '${signature}'`);
        const value = one(depth + 1);
        if (signature[at++] !== '}') throw new MarshalError(`unclosed dict in '${signature}'`);
        return { code: 'a', children: [{ code: '{', children: [key, value] }] };
      }
      return { code: 'a', children: [one(depth + 1)] };
    }
    if (c === '(') {
      const children: TypeNode[] = [];
      while (signature[at] !== ')') {
        if (at >= signature.length) throw new MarshalError(`unclosed struct in '${signature}'`);
        children.push(one(depth + 1));
      }
      at++;
      if (children.length === 0) throw new MarshalError(`empty struct in '${signature}'`);
      return { code: '(', children };
    }
    throw new MarshalError(`unknown type '${c}' in signature '${signature}'`);
  };
  const types: TypeNode[] = [];
  while (at < signature.length) types.push(one(0));
  if (parsed.size > 256) parsed.clear();
  parsed.set(signature, types);
  return types;
}

const ALIGN: Readonly<Record<string, number>> = {
  y: 1,
  b: 4,
  n: 2,
  q: 2,
  i: 4,
  u: 4,
  x: 8,
  t: 8,
  d: 8,
  s: 4,
  o: 4,
  g: 1,
  h: 4,
  a: 4,
  '(': 8,
  '{': 8,
  v: 1,
};

// D-Bus Specification, "Valid Object Paths", "Valid Names" (interface, member, error names).
const OBJECT_PATH = /^\/$|^(\/[A-Za-z0-9_]+)+$/;
const MEMBER = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const INTERFACE = /^(?=.{1,255}$)[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const BUS_NAME =
  /^(?=.{1,255}$)(:[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+|[A-Za-z_-][A-Za-z0-9_-]*(\.[A-Za-z_-][A-Za-z0-9_-]*)+)$/;

/** A growing little-endian buffer; offsets are from the message's start (alignment counts so). */
class Writer {
  buf = Buffer.allocUnsafe(4096);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    if (size > MAX_MESSAGE * 2) throw new MarshalError('message too large');
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  align(n: number): void {
    const pad = (n - (this.pos % n)) % n;
    if (pad === 0) return;
    this.reserve(pad);
    this.buf.fill(0, this.pos, this.pos + pad);
    this.pos += pad;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.align(4);
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  /** A string's bytes and its NUL, after a length of `lengthBytes` (4 for s/o, 1 for g). */
  text(v: string, lengthBytes: 1 | 4): void {
    if (lengthBytes === 4) this.align(4);
    this.reserve(lengthBytes + v.length * 3 + 1);
    const start = this.pos + lengthBytes;
    const n = this.buf.write(v, start, 'utf8');
    if (lengthBytes === 4) this.buf.writeUInt32LE(n, this.pos);
    else this.buf[this.pos] = n;
    this.buf[start + n] = 0;
    this.pos = start + n + 1;
  }
}

const fail = (what: string, v: unknown): never => {
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? `'${v}'` : typeof v;
  throw new MarshalError(`${what} (got ${shown})`);
};

function integer(v: unknown, code: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(`'${code}' needs an integer from ${min} to ${max}`, v);
  return v as number;
}

function bigInteger(v: unknown, code: 'x' | 't'): bigint {
  const big =
    typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : null;
  if (big === null) return fail(`'${code}' needs an integer`, v);
  const ok = code === 't' ? BigInt.asUintN(64, big) === big : BigInt.asIntN(64, big) === big;
  if (!ok) fail(`'${code}' is out of range`, v);
  return big;
}

function string(v: unknown, code: string): string {
  if (typeof v !== 'string') return fail(`'${code}' needs a string`, v);
  if (v.includes('\0')) fail(`'${code}' must not contain NUL`, v);
  return v;
}

function write(w: Writer, t: TypeNode, v: unknown): void {
  switch (t.code) {
    case 'y':
      w.u8(integer(v, 'y', 0, 255));
      return;
    case 'b':
      if (typeof v !== 'boolean') fail(`'b' needs a boolean`, v);
      w.u32(v ? 1 : 0);
      return;
    case 'n':
    case 'q': {
      const n = t.code === 'n' ? integer(v, 'n', -0x8000, 0x7fff) : integer(v, 'q', 0, 0xffff);
      w.align(2);
      w.reserve(2);
      w.buf.writeUInt16LE(n & 0xffff, w.pos);
      w.pos += 2;
      return;
    }
    case 'i':
      w.u32(integer(v, 'i', -0x80000000, 0x7fffffff) >>> 0);
      return;
    case 'u':
    case 'h':
      w.u32(integer(v, t.code, 0, 0xffffffff));
      return;
    case 'x':
    case 't': {
      const big = bigInteger(v, t.code);
      w.align(8);
      w.reserve(8);
      if (t.code === 'x') w.buf.writeBigInt64LE(big, w.pos);
      else w.buf.writeBigUInt64LE(big, w.pos);
      w.pos += 8;
      return;
    }
    case 'd':
      // dbus-next refuses NaN and infinities, and writes -0 as 0 (it passes the value through
      // parseFloat): the same here, so that the service's answers stay what they were.
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`'d' needs a finite number`, v);
      w.align(8);
      w.reserve(8);
      w.buf.writeDoubleLE((v as number) === 0 ? 0 : (v as number), w.pos);
      w.pos += 8;
      return;
    case 's':
      w.text(string(v, 's'), 4);
      return;
    case 'o': {
      const p = string(v, 'o');
      if (!OBJECT_PATH.test(p)) fail(`'o' needs an object path`, v);
      w.text(p, 4);
      return;
    }
    case 'g': {
      const g = string(v, 'g');
      parseSignature(g); // throws on an invalid one
      w.text(g, 1);
      return;
    }
    case 'v': {
      if (!(v instanceof DbusVariant)) return fail(`'v' needs a DbusVariant`, v);
      const inner = parseSignature(v.signature);
      if (inner.length !== 1) fail(`a variant holds one complete type`, v.signature);
      w.text(v.signature, 1);
      write(w, inner[0]!, v.value);
      return;
    }
    case '(': {
      if (!Array.isArray(v) || v.length !== t.children.length)
        fail(`a struct needs an array of ${t.children.length}`, v);
      w.align(8);
      t.children.forEach((c, i) => write(w, c, (v as unknown[])[i]));
      return;
    }
    case 'a':
      writeArray(w, t.children[0]!, v);
      return;
    default:
      throw new MarshalError(`cannot write type '${t.code}'`);
  }
}

function writeArray(w: Writer, element: TypeNode, v: unknown): void {
  w.align(4);
  const lengthAt = w.pos;
  w.u32(0); // the length, written when known
  // Padding to the first element's alignment is not part of the length.
  w.align(ALIGN[element.code]!);
  const start = w.pos;
  if (element.code === '{') {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Map)
      fail('a dict needs a plain object', v);
    const [key, value] = element.children as [TypeNode, TypeNode];
    for (const k of Object.keys(v as object)) {
      w.align(8);
      write(w, key, keyValue(key.code, k));
      write(w, value, (v as Record<string, unknown>)[k]);
    }
  } else if (element.code === 'y' && Buffer.isBuffer(v)) {
    w.reserve(v.length);
    v.copy(w.buf, w.pos);
    w.pos += v.length;
  } else {
    if (!Array.isArray(v)) fail(`'a${element.code}' needs an array`, v);
    for (const item of v as unknown[]) write(w, element, item);
  }
  const length = w.pos - start;
  if (length > MAX_ARRAY) throw new MarshalError(`array longer than 64 MiB`);
  w.buf.writeUInt32LE(length, lengthAt);
}

/** Object keys are strings; a dict with integer or boolean keys has them as their text. */
function keyValue(code: string, k: string): unknown {
  if (code === 's' || code === 'o' || code === 'g') return k;
  if (code === 'b') return k === 'true';
  if (code === 'x' || code === 't') return BigInt(k);
  return Number(k);
}

const FIELDS: readonly (readonly [code: number, sig: string, name: keyof OutgoingMessage])[] = [
  // In field-code order, as dbus-next writes them (it does not matter to the bus).
  [1, 'o', 'path'],
  [2, 's', 'iface'],
  [3, 's', 'member'],
  [4, 's', 'errorName'],
  [5, 'u', 'replySerial'],
  [6, 's', 'destination'],
  [8, 'g', 'signature'],
];

function checkHeader(m: OutgoingMessage): void {
  if (m.path !== undefined && !OBJECT_PATH.test(m.path)) fail('invalid object path', m.path);
  if (m.iface !== undefined && !INTERFACE.test(m.iface)) fail('invalid interface name', m.iface);
  if (m.member !== undefined && !MEMBER.test(m.member)) fail('invalid member name', m.member);
  if (m.errorName !== undefined && !INTERFACE.test(m.errorName))
    fail('invalid error name', m.errorName);
  if (m.destination !== undefined && !BUS_NAME.test(m.destination))
    fail('invalid bus name', m.destination);
  const needs: Record<OutgoingMessage['kind'], readonly (keyof OutgoingMessage)[]> = {
    2: ['replySerial'],
    3: ['replySerial', 'errorName'],
    4: ['path', 'iface', 'member'],
  };
  for (const key of needs[m.kind]) if (m[key] === undefined) fail(`missing ${key}`, undefined);
}

/** The whole message, header and body, ready for the socket; throws on what does not fit. */
export function marshalMessage(m: OutgoingMessage): Buffer {
  checkHeader(m);
  const types = parseSignature(m.signature);
  if (types.length !== m.body.length)
    throw new MarshalError(
      `signature '${m.signature}' has ${types.length} values, the body ${m.body.length}`,
    );
  const w = new Writer();
  // Fixed header: endianness 'l', type, flags, version 1, body length (later), serial.
  w.u8(0x6c);
  w.u8(m.kind);
  w.u8(m.flags ?? 0);
  w.u8(1);
  w.u32(0);
  w.u32(integer(m.serial, 'serial', 1, 0xffffffff));
  // Header fields: a(yv).
  const fieldsAt = w.pos;
  w.u32(0);
  w.align(8);
  const fieldsStart = w.pos;
  for (const [code, sig, name] of FIELDS) {
    const value = m[name];
    if (value === undefined || (name === 'signature' && value === '')) continue;
    w.align(8);
    w.u8(code);
    w.text(sig, 1);
    write(w, { code: sig, children: [] }, value);
  }
  w.buf.writeUInt32LE(w.pos - fieldsStart, fieldsAt);
  w.align(8);
  const bodyStart = w.pos;
  types.forEach((t, i) => write(w, t, m.body[i]));
  const bodyLength = w.pos - bodyStart;
  if (w.pos > MAX_MESSAGE) throw new MarshalError('message larger than 128 MiB');
  w.buf.writeUInt32LE(bodyLength, 4);
  return w.buf.subarray(0, w.pos);
}
