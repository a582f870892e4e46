import { describe, expect, it } from 'vitest';
import type { ActionProgressMessage } from '../../../main/common/ipc/contract.js';
import type { Snapshot } from '../../../main/common/state-model.js';
import { snapshot } from '../../test/fixtures.js';
import { createHttpBridge } from './http-bridge.js';
import { selectBridge } from './select-bridge.js';

type Call = { url: string; init: RequestInit | undefined };

/** A stand-in for the browser's EventSource that the test drives. */
class FakeEventSource {
  static last: FakeEventSource | null = null;
  listeners = new Map<string, ((e: { data: unknown }) => void)[]>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, listener: (e: { data: unknown }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
  close() {
    this.closed = true;
  }
}

function setup(respond: (call: Call) => Promise<Response>) {
  const calls: Call[] = [];
  const bridge = createHttpBridge({
    origin: 'http://127.0.0.1:4000',
    token: 'abc123',
    fetch: (url, init) => {
      const call = { url: url instanceof URL ? url.href : (url as string), init };
      calls.push(call);
      return respond(call);
    },
    EventSource: FakeEventSource as unknown as typeof EventSource,
  });
  return { bridge, calls };
}

const json = (status: number, body: unknown) =>
  Promise.resolve(new Response(JSON.stringify(body), { status }));

describe('HTTP bridge', () => {
  it('POSTs each call to /api/<channel> with the token header and a JSON body', async () => {
    const { bridge, calls } = setup(() => json(200, { ok: true, value: { runId: 'run-1' } }));
    const r = await bridge.runEject({ bdf: '0000:0a:00.0', closePids: [4242], force: false });
    expect(r).toEqual({ ok: true, value: { runId: 'run-1' } });
    expect(calls[0]!.url).toBe('http://127.0.0.1:4000/api/eject:run');
    expect(calls[0]!.init?.method).toBe('POST');
    expect(new Headers(calls[0]!.init?.headers).get('x-egpu-token')).toBe('abc123');
    expect(JSON.parse(calls[0]!.init?.body as string)).toEqual({
      bdf: '0000:0a:00.0',
      closePids: [4242],
      force: false,
    });
    await bridge.getSnapshot(null);
    expect(calls[1]!.url).toBe('http://127.0.0.1:4000/api/snapshot:get');
    expect(calls[1]!.init?.body).toBe('null');
  });

  it('passes error results through and turns transport failures into io errors', async () => {
    const error = { ok: false, error: { code: 'invalid-input', message: 'bdf: bad' } };
    expect(await setup(() => json(400, error)).bridge.planEject({ bdf: 'x' })).toEqual(error);
    const html = setup(() => Promise.resolve(new Response('<h1>403</h1>', { status: 403 })));
    const r = await html.bridge.appInfo(null);
    expect(r).toEqual({
      ok: false,
      error: { code: 'io', message: 'eGPU Guard answered with HTTP 403.' },
    });
    const down = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    const d = await down.bridge.appInfo(null);
    expect(d.ok ? null : d.error.code).toBe('io');
  });

  it('shares one EventSource for the pushes and closes it with the last listener', () => {
    const { bridge } = setup(() => json(200, {}));
    const snaps: Snapshot[] = [];
    const progress: ActionProgressMessage[] = [];
    const offA = bridge.onSnapshot((s) => snaps.push(s));
    const offB = bridge.onActionProgress((m) => progress.push(m));
    const source = FakeEventSource.last!;
    expect(source.url).toBe('http://127.0.0.1:4000/api/events?token=abc123');
    const s = snapshot();
    source.emit('snapshot:changed', JSON.stringify(s));
    source.emit('snapshot:changed', '{not json');
    source.emit(
      'action:progress',
      JSON.stringify({ runId: 'run-1', final: { result: 'cancelled', detail: '' } }),
    );
    expect(snaps).toEqual([s]);
    expect(progress).toEqual([{ runId: 'run-1', final: { result: 'cancelled', detail: '' } }]);
    offA();
    expect(source.closed).toBe(false);
    offB();
    expect(source.closed).toBe(true);
  });
});

describe('selectBridge', () => {
  const base = {
    fetch: () => Promise.reject(new Error('unused')),
    EventSource: FakeEventSource as unknown as typeof EventSource,
  };

  it('prefers the Electron preload bridge', () => {
    const egpu = setup(() => json(200, {})).bridge;
    const choice = selectBridge({
      ...base,
      egpu,
      location: { protocol: 'file:', origin: 'null', search: '' },
    });
    expect(choice).toEqual({ kind: 'electron', bridge: egpu });
  });

  it('uses HTTP when the page came from the server with a token', () => {
    const choice = selectBridge({
      ...base,
      location: { protocol: 'http:', origin: 'http://127.0.0.1:4000', search: '?token=abc' },
    });
    expect(choice.kind).toBe('http');
  });

  it('explains when there is no way to reach eGPU Guard', () => {
    const choice = selectBridge({
      ...base,
      location: { protocol: 'http:', origin: 'http://127.0.0.1:4000', search: '' },
    });
    expect(choice.kind === 'none' && choice.reason).toMatch(/egpu ui/);
  });
});
