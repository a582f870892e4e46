// The service's own marshaller must write the very bytes dbus-next writes for the same message:
// every reply and signal the service sends goes through it, and a malformed message makes the bus
// drop the connection. Fixed cases for each type, then random values of random signatures.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DbusVariant } from './dbus.js';
import {
  MessageKind,
  marshalMessage,
  parseSignature,
  type OutgoingMessage,
} from './dbus-marshal.js';
import { toWire } from './dbus-wire.js';

const require = createRequire(import.meta.url);
// dbus-next's own writer (lib/marshall-compat.js): the reference the bytes are compared with.
const { marshallMessage } = require('dbus-next/lib/marshall-compat.js') as {
  marshallMessage: (m: Record<string, unknown>) => [Buffer, unknown[]];
};
const { Message } = require('dbus-next') as { Message: new (m: object) => Record<string, unknown> };

const FIELD_NAMES = {
  path: 'path',
  iface: 'interface',
  member: 'member',
  errorName: 'errorName',
  replySerial: 'replySerial',
  destination: 'destination',
} as const;

function reference(m: OutgoingMessage): Buffer {
  const fields: Record<string, unknown> = {
    type: m.kind,
    serial: m.serial,
    flags: m.flags ?? 0,
    signature: m.signature,
    body: m.body.map(toWire),
  };
  for (const [ours, theirs] of Object.entries(FIELD_NAMES)) {
    const v = m[ours as keyof typeof FIELD_NAMES];
    if (v !== undefined) fields[theirs] = v;
  }
  return marshallMessage(new Message(fields))[0];
}

const reply = (signature: string, body: unknown[]): OutgoingMessage => ({
  kind: MessageKind.methodReturn,
  serial: 7,
  replySerial: 3,
  destination: ':1.42',
  signature,
  body,
});

const v = (signature: string, value: unknown): DbusVariant => new DbusVariant(signature, value);

describe('marshalMessage', () => {
  it('writes what dbus-next writes, type by type', () => {
    const cases: [string, unknown[]][] = [
      ['', []],
      ['y', [255]],
      ['b', [true]],
      ['n', [-300]],
      ['q', [65535]],
      ['i', [-2147483648]],
      ['u', [4294967295]],
      // dbus-next refuses the int64 minimum itself (an off-by-one in its range check).
      ['x', [-(2n ** 63n) + 1n]],
      ['t', [2n ** 64n - 1n]],
      ['t', [5]],
      ['d', [Math.PI]],
      ['s', ['ünïcødé and "quotes" 🎮']],
      ['o', ['/io/github/EgpuGuard1']],
      ['g', ['a{sv}(ii)']],
      ['v', [v('as', ['a', 'b'])]],
      ['v', [v('v', v('t', 9n))]],
      ['ay', [Buffer.from([1, 2, 3])]],
      ['ay', [[]]],
      ['at', [[1n, 2n]]],
      ['a(yv)', [[[1, v('s', 'x')]]]],
      ['a{sv}', [{ pid: v('u', 5), nodes: v('as', ['/dev/dri/card1']), gone: v('b', false) }]],
      ['a{sv}', [{}]],
      ['aa{sv}', [[{ a: v('x', 1n) }, {}, { b: v('aa{sv}', [{ c: v('d', 0.5) }]) }]]],
      ['(sai)', [['x', [1, 2, 3]]]],
      ['sa{sv}as', ['io.github.EgpuGuard1.Manager', { Gpus: v('aa{sv}', []) }, ['Incidents']]],
      ['ss', ['0000:0a:00.0', 'attached']],
      ['a{ss}', [{ a: 'b' }]],
    ];
    for (const [signature, body] of cases) {
      expect([signature, marshalMessage(reply(signature, body))]).toEqual([
        signature,
        reference(reply(signature, body)),
      ]);
    }
  });

  it('writes signals and errors as dbus-next does', () => {
    const signal: OutgoingMessage = {
      kind: MessageKind.signal,
      serial: 12,
      path: '/io/github/EgpuGuard1',
      iface: 'io.github.EgpuGuard1.Manager',
      member: 'StateChanged',
      signature: 'sss',
      body: ['0000:0a:00.0', 'in-use', 'attached'],
    };
    const error: OutgoingMessage = {
      kind: MessageKind.error,
      serial: 13,
      replySerial: 4,
      destination: ':1.7',
      errorName: 'io.github.EgpuGuard1.Error.NotFound',
      signature: 's',
      body: ['There is no GPU 0000:0b:00.0.'],
    };
    expect(marshalMessage(signal)).toEqual(reference(signal));
    expect(marshalMessage(error)).toEqual(reference(error));
  });

  it('writes -0 as 0 and refuses NaN and infinities, as dbus-next does', () => {
    expect(marshalMessage(reply('d', [-0]))).toEqual(reference(reply('d', [-0])));
    expect(marshalMessage(reply('d', [-0]))).toEqual(marshalMessage(reply('d', [0])));
    for (const bad of [NaN, Infinity, -Infinity])
      expect(() => marshalMessage(reply('d', [bad])), String(bad)).toThrow(/finite number/);
  });

  it('writes random values of random signatures as dbus-next does', () => {
    fc.assert(
      fc.property(typedValues(), ([signature, body]) => {
        expect(marshalMessage(reply(signature, body))).toEqual(reference(reply(signature, body)));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses, with the reason, what the bus would drop the connection for', () => {
    const bad: [string, unknown[], RegExp][] = [
      ['s', ['a\0b'], /must not contain NUL/],
      ['o', ['not/a/path'], /object path/],
      ['u', [-1], /integer from 0/],
      ['y', [256], /integer from 0 to 255/],
      ['t', [-1n], /out of range/],
      ['b', ['yes'], /needs a boolean/],
      ['v', ['plain'], /needs a DbusVariant/],
      ['v', [v('ss', 'x')], /one complete type/],
      ['a{sv}', [[1]], /plain object/],
      ['as', ['x'], /needs an array/],
      ['(ss)', [['x']], /array of 2/],
      ['ss', ['x'], /has 2 values, the body 1/],
      ['a{vs}', [{}], /dict key must be basic/],
      ['a(', [[]], /incomplete|unclosed/],
      ['z', [1], /unknown type 'z'/],
    ];
    for (const [signature, body, why] of bad)
      expect(() => marshalMessage(reply(signature, body)), signature).toThrow(why);
    expect(() => marshalMessage({ ...reply('', []), destination: 'no dots' })).toThrow(/bus name/);
    expect(() =>
      marshalMessage({
        kind: MessageKind.signal,
        serial: 1,
        path: '/x',
        iface: 'io.github.X',
        member: 'Bad-Name',
        signature: '',
        body: [],
      }),
    ).toThrow(/member name/);
  });

  it('parses signatures into complete types', () => {
    expect(parseSignature('sa{sv}as').map((t) => t.code)).toEqual(['s', 'a', 'a']);
    expect(() => parseSignature('a'.repeat(70) + 's')).toThrow(/nested too deep/);
  });
});

// ── Random typed values ─────────────────────────────────────────────────────────────────────────
type Typed = [signature: string, value: unknown];

const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\0'));
const BASIC_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  y: fc.integer({ min: 0, max: 255 }),
  b: fc.boolean(),
  n: fc.integer({ min: -0x8000, max: 0x7fff }),
  q: fc.integer({ min: 0, max: 0xffff }),
  i: fc.integer(),
  u: fc.integer({ min: 0, max: 0xffffffff }),
  x: fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }),
  t: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  d: fc.double({ noNaN: true, noDefaultInfinity: true }), // dbus-next refuses infinities
  s: text,
};
const basics = Object.entries(BASIC_VALUES).map(([sig, values]) =>
  values.map((x): Typed => [sig, x]),
);

const { typed } = fc.letrec<{ typed: Typed }>((tie) => ({
  typed: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ...basics,
    tie('typed').map(([s, x]): Typed => ['v', new DbusVariant(s, x)]),
    // An array holds one type: more values of a basic one, or the one value of another.
    tie('typed').chain(([s, x]) =>
      (BASIC_VALUES[s] === undefined
        ? fc.constant([])
        : fc.array(BASIC_VALUES[s], { maxLength: 3 })
      ).map((more): Typed => [`a${s}`, [x, ...more]]),
    ),
    fc
      .dictionary(text, tie('typed'), { maxKeys: 3 })
      .map((d): Typed => [
        'a{sv}',
        Object.fromEntries(Object.entries(d).map(([k, [s, x]]) => [k, new DbusVariant(s, x)])),
      ]),
    fc
      .array(tie('typed'), { minLength: 1, maxLength: 3 })
      .map((items): Typed => [`(${items.map((i) => i[0]).join('')})`, items.map((i) => i[1])]),
  ),
}));

function typedValues(): fc.Arbitrary<[string, unknown[]]> {
  return fc
    .array(typed, { minLength: 1, maxLength: 3 })
    .map((items): [string, unknown[]] => [items.map((i) => i[0]).join(''), items.map((i) => i[1])])
    .filter(([s]) => s.length <= 255);
}
