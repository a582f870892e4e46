// The hot loops of the fast scan as a tiny WebAssembly module (wasm-assemble.ts): V8 runs JS
// byte loops several times slower than compiled code, and these loops touch every byte of a log
// that may be 50 MB. Its functions:
//   scan(p, limit, cap, back) → n
//                             the Wu–Manber skip loop of multi-search.ts over text[p..limit):
//                             a zero-shift window whose first two bytes start some keyword (the
//                             PREFIX table of Wu & Manber §3) goes to OUT for the caller to
//                             verify; where to resume goes to STATE
//   count(p, end) → n         the number of '\n' bytes in text[p..end), 8 bytes at a time (SWAR:
//                             a byte b is zero iff ~(((b & 0x7f) + 0x7f) | b | 0x7f) has bit 7)
//   find(p, end, byte) → i    the first `byte` in text[p..end) or -1, 8 bytes at a time likewise
//                             (V8's TypedArray indexOf is a plain loop, ~10× slower than this)
// Without WebAssembly (node --jitless) the caller falls back to the JS loops; tests check both.

import {
  OUT_AT,
  OUT_CAP,
  PAGE,
  PREFIX_AT,
  SHIFT_AT,
  STATE_AT,
  TEXT_AT,
  assembleScanModule,
} from './wasm-assemble.js';
import { BLOCK, type MultiSearch } from './multi-search.js';

/** Bytes per scan()/count() call. V8 first runs WebAssembly as baseline code and switches to
 * optimised code only for later calls, so a one-shot scan in slices is ~1.5× faster. */
const SLICE = 1 << 20;

// The slice of the WebAssembly JS API used here (@types/node does not declare it).
type WasmMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };
type WasmExports = {
  readonly scan: (p: number, limit: number, cap: number, back: number) => number;
  readonly count: (p: number, end: number) => number;
  readonly find: (p: number, end: number, byte: number) => number;
  readonly memory: WasmMemory;
};
type WasmApi = {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
};

export type LoadedText = {
  /** Keyword occurrences in [from, to), in order. */
  scan(from: number, to: number, onHit: (start: number) => void): void;
  newlines(from: number, to: number): number;
  /** Offset of the first `byte` at or after `from`, or -1. */
  find(byte: number, from: number): number;
};

let instance: WasmExports | null | undefined;

function wasmExports(): WasmExports | null {
  if (instance !== undefined) return instance;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    instance =
      api === undefined
        ? null
        : (new api.Instance(new api.Module(assembleScanModule()), {}).exports as WasmExports);
  } catch {
    instance = null; // WebAssembly disabled or refused: the JS loops do the same work
  }
  return instance;
}

function ensureCapacity(wasm: WasmExports, size: number): boolean {
  const needed = Math.ceil((TEXT_AT + size + 8) / PAGE);
  const have = wasm.memory.buffer.byteLength / PAGE;
  try {
    if (needed > have) wasm.memory.grow(needed - have);
    return true;
  } catch {
    return false; // too large for this process's address space: the caller falls back
  }
}

/**
 * A buffer inside WebAssembly memory to read a log into, so that loadWasmText need not copy
 * it; null without WebAssembly. Valid until the next allocate or load (one shared memory).
 */
export function allocateWasmText(size: number): Uint8Array | null {
  const wasm = wasmExports();
  if (wasm === null || !ensureCapacity(wasm, size)) return null;
  return new Uint8Array(wasm.memory.buffer, TEXT_AT, size);
}

/**
 * Puts `bytes` into WebAssembly memory for scanning (no copy when they are already there);
 * null when WebAssembly is unavailable. Valid until the next call (one shared memory).
 */
export function loadWasmText(search: MultiSearch, bytes: Uint8Array): LoadedText | null {
  const wasm = wasmExports();
  if (wasm === null) return null;
  const inPlace = bytes.buffer === wasm.memory.buffer && bytes.byteOffset === TEXT_AT;
  if (!inPlace && !ensureCapacity(wasm, bytes.length)) return null;
  const memory = new Uint8Array(wasm.memory.buffer);
  memory.set(search.shift, SHIFT_AT);
  memory.set(search.prefixes, PREFIX_AT);
  if (!inPlace) memory.set(bytes, TEXT_AT);
  const out = new Int32Array(wasm.memory.buffer, OUT_AT, OUT_CAP);
  const state = new Int32Array(wasm.memory.buffer, STATE_AT, 1);
  const m = search.window;
  return {
    scan(from, to, onHit) {
      const end = Math.min(to, bytes.length);
      const limit = end - BLOCK + 1; // windows whose last byte is before `end`
      let p = from + m - BLOCK; // first of the last three bytes of the first window
      while (p < limit) {
        const n = wasm.scan(p, Math.min(limit, p + SLICE), OUT_CAP, m - BLOCK);
        for (let i = 0; i < n; i++) {
          const start = search.verify(bytes, out[i]! + BLOCK - 1, end);
          if (start >= 0) onHit(start);
        }
        p = state[0]!;
      }
    },
    newlines(from, to) {
      const end = Math.min(to, bytes.length);
      let n = 0;
      for (let p = from; p < end; p += SLICE) n += wasm.count(p, Math.min(end, p + SLICE));
      return n;
    },
    find(byte, from) {
      for (let p = Math.max(0, from); p < bytes.length; p += SLICE) {
        const i = wasm.find(p, Math.min(bytes.length, p + SLICE), byte);
        if (i >= 0) return i;
      }
      return -1;
    },
  };
}
