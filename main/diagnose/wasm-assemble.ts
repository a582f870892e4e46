// The scanner's WebAssembly module, assembled from opcodes (WebAssembly Core Specification 2.0,
// §5 binary format): there is no toolchain at build time and the module is about 550 bytes.
// What each function does and why it exists: wasm-scan.ts, which loads it.

import { TABLE_BITS } from './multi-search.js';

export const SHIFT_AT = 0; // the shift table, 32 KiB
export const STATE_AT = 1 << TABLE_BITS; // i32: where scan() stopped
export const OUT_AT = STATE_AT + 16; // zero-shift window positions, OUT_CAP × i32
export const OUT_CAP = 16 * 1024;
export const PREFIX_AT = OUT_AT + 4 * OUT_CAP; // 64 KiB: 1 where two bytes start a keyword
export const TEXT_AT = 4 * 65536; // the log bytes, from the fifth 64 KiB page on
export const PAGE = 65536;

// Opcodes used below.
const [BLOCK_, LOOP, IF, END, BR, BR_IF] = [0x02, 0x03, 0x04, 0x0b, 0x0c, 0x0d];
const [GET, SET, TEE] = [0x20, 0x21, 0x22];
const [I64_LOAD, I32_LOAD8_U, I32_STORE, I32_CONST, I64_CONST] = [0x29, 0x2d, 0x36, 0x41, 0x42];
const [RETURN, I32_EQ, I32_GT_U, I32_GE_U, I64_EQZ] = [0x0f, 0x46, 0x4b, 0x4f, 0x50];
const [I32_EQZ, I32_ADD, I32_SUB] = [0x45, 0x6a, 0x6b];
const [I32_AND, I32_OR, I32_XOR, I32_SHL, I32_SHR_U] = [0x71, 0x72, 0x73, 0x74, 0x76];
const [I64_CTZ, I64_POPCNT, I64_ADD, I64_MUL] = [0x7a, 0x7b, 0x7c, 0x7e];
const [I64_AND, I64_OR, I64_XOR] = [0x83, 0x84, 0x85];
const [I32_WRAP_I64, I64_EXTEND_I32_U] = [0xa7, 0xad];
const [VOID, I32, I64] = [0x40, 0x7f, 0x7e];

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (value: bigint): number[] => {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const mem = (op: number, align: number, offset: number): number[] => [op, align, ...uleb(offset)];
const i32 = (n: number): number[] => [I32_CONST, ...sleb(BigInt(n))];
const i64 = (n: bigint): number[] => [I64_CONST, ...sleb(n)];

/** scan(p, limit, cap, back): p indexes the first of the window's last three bytes; the window
 * starts `back` bytes before p. */
function scanBody(): number[] {
  const [p, limit, cap, back, s, n, w] = [0, 1, 2, 3, 4, 5, 6];
  const byteAt = (k: number): number[] => [GET, p, ...mem(I32_LOAD8_U, 0, TEXT_AT + k)];
  // prettier-ignore
  return [
    ...vec([[3, I32]]), // locals s, n, w
    BLOCK_, VOID,
    LOOP, VOID,
    GET, p, GET, limit, I32_GE_U, BR_IF, 1,
    // s = shift[((b0 << 10) ^ (b1 << 5) ^ b2) & mask]
    ...byteAt(0), ...i32(10), I32_SHL,
    ...byteAt(1), ...i32(5), I32_SHL, I32_XOR,
    ...byteAt(2), I32_XOR,
    ...i32((1 << TABLE_BITS) - 1), I32_AND,
    ...mem(I32_LOAD8_U, 0, SHIFT_AT),
    TEE, s,
    IF, VOID,
    GET, p, GET, s, I32_ADD, SET, p,
    BR, 1, // continue the loop
    END,
    // w = p - back: the window's first byte; skip unless PREFIX[(text[w] << 8) | text[w + 1]]
    GET, p, GET, back, I32_SUB, SET, w,
    GET, w, ...mem(I32_LOAD8_U, 0, TEXT_AT), ...i32(8), I32_SHL,
    GET, w, ...mem(I32_LOAD8_U, 0, TEXT_AT + 1), I32_OR,
    ...mem(I32_LOAD8_U, 0, PREFIX_AT), I32_EQZ,
    IF, VOID,
    GET, p, ...i32(1), I32_ADD, SET, p,
    BR, 1,
    END,
    // OUT[n] = p; p += 1; n += 1; stop when OUT is full
    GET, n, ...i32(2), I32_SHL, GET, p, ...mem(I32_STORE, 2, OUT_AT),
    GET, p, ...i32(1), I32_ADD, SET, p,
    GET, n, ...i32(1), I32_ADD, TEE, n,
    GET, cap, I32_GE_U, BR_IF, 1,
    BR, 0,
    END,
    END,
    // STATE = p: the next call resumes exactly where this one stopped
    ...i32(0), GET, p, ...mem(I32_STORE, 2, STATE_AT),
    GET, n,
    END,
  ];
}

const LOWS = 0x7f7f7f7f7f7f7f7fn;

/** With x on the stack: bit 7 of each byte of the result is set iff that byte of x is zero. */
const zeroBytes = (x: number): number[] => [
  ...[GET, x, ...i64(LOWS), I64_AND, ...i64(LOWS), I64_ADD],
  ...[GET, x, I64_OR, ...i64(LOWS), I64_OR, ...i64(-1n), I64_XOR],
];

/** count(p, end): newline bytes in text[p..end). */
function countBody(): number[] {
  const [p, end, x, n] = [0, 1, 2, 3];
  // prettier-ignore
  return [
    ...vec([[2, I64]]), // locals x, n
    BLOCK_, VOID,
    LOOP, VOID,
    GET, p, ...i32(8), I32_ADD, GET, end, I32_GT_U, BR_IF, 1,
    GET, p, ...mem(I64_LOAD, 0, TEXT_AT), ...i64(0x0a0a0a0a0a0a0a0an), I64_XOR, SET, x,
    ...zeroBytes(x),
    I64_POPCNT, GET, n, I64_ADD, SET, n,
    GET, p, ...i32(8), I32_ADD, SET, p,
    BR, 0,
    END,
    END,
    BLOCK_, VOID,
    LOOP, VOID,
    GET, p, GET, end, I32_GE_U, BR_IF, 1,
    GET, p, ...mem(I32_LOAD8_U, 0, TEXT_AT), ...i32(10), I32_EQ, I64_EXTEND_I32_U,
    GET, n, I64_ADD, SET, n,
    GET, p, ...i32(1), I32_ADD, SET, p,
    BR, 0,
    END,
    END,
    GET, n, I32_WRAP_I64,
    END,
  ];
}

/** find(p, end, byte): index of the first `byte` in text[p..end), or -1. */
function findBody(): number[] {
  const [p, end, byte, pattern, x, y] = [0, 1, 2, 3, 4, 5];
  // prettier-ignore
  return [
    ...vec([[3, I64]]), // locals pattern, x, y
    GET, byte, I64_EXTEND_I32_U, ...i64(0x0101010101010101n), I64_MUL, SET, pattern,
    BLOCK_, VOID,
    LOOP, VOID,
    GET, p, ...i32(8), I32_ADD, GET, end, I32_GT_U, BR_IF, 1,
    GET, p, ...mem(I64_LOAD, 0, TEXT_AT), GET, pattern, I64_XOR, SET, x,
    ...zeroBytes(x), SET, y,
    // a match in this word: the lowest set bit is in its first matching byte (little-endian)
    GET, y, I64_EQZ,
    IF, VOID,
    GET, p, ...i32(8), I32_ADD, SET, p,
    BR, 1,
    END,
    GET, p, GET, y, I64_CTZ, I32_WRAP_I64, ...i32(3), I32_SHR_U, I32_ADD, RETURN,
    END,
    END,
    BLOCK_, VOID,
    LOOP, VOID,
    GET, p, GET, end, I32_GE_U, BR_IF, 1,
    GET, p, ...mem(I32_LOAD8_U, 0, TEXT_AT), GET, byte, I32_EQ,
    IF, VOID, GET, p, RETURN, END,
    GET, p, ...i32(1), I32_ADD, SET, p,
    BR, 0,
    END,
    END,
    ...i32(-1),
    END,
  ];
}

/** The module's bytes: three functions and one exported memory. */
export function assembleScanModule(): Uint8Array {
  const code = (body: number[]): number[] => [...uleb(body.length), ...body];
  // prettier-ignore
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([
      [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])],
      [0x60, ...vec([[I32], [I32]]), ...vec([[I32]])],
      [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([[I32]])],
    ])),
    ...section(3, vec([[2], [1], [0]])),
    ...section(5, vec([[0x00, ...uleb(TEXT_AT / PAGE)]])),
    ...section(7, vec([
      [...str('scan'), 0, 0], [...str('count'), 0, 1], [...str('find'), 0, 2], [...str('memory'), 2, 0],
    ])),
    ...section(10, vec([code(scanBody()), code(countBody()), code(findBody())])),
  ]);
}
