import { describe, expect, it } from 'vitest';
import type { ActionProgressMessage } from '../../../main/common/ipc/contract.js';
import type { Snapshot } from '../../../main/common/snapshot.js';
import { snapshot } from '../../test/fixtures.js';
import { createHttpBridge } from './http-bridge.js';
import { selectBridge } from './select-bridge.js';

type Call = { url: string; init: RequestInit | undefined };

/** An event stream the test writes to, as the server's /api/events would send it. */
function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200 }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
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
    retryMs: 10,
  });
  return { bridge, calls };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

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

  it('reads the pushes from one shared stream, token in a header, and stops it with the last listener', async () => {
    const streams: ReturnType<typeof eventStream>[] = [];
    const { bridge, calls } = setup(() => {
      const stream = eventStream();
      streams.push(stream);
      return Promise.resolve(stream.response);
    });
    const snaps: Snapshot[] = [];
    const progress: ActionProgressMessage[] = [];
    const offA = bridge.onSnapshot((s) => snaps.push(s));
    const offB = bridge.onActionProgress((m) => progress.push(m));
    await until(() => streams.length === 1);
    const call = calls[0]!;
    expect(call.url).toBe('http://127.0.0.1:4000/api/events'); // no token in the address
    expect(new Headers(call.init?.headers).get('x-egpu-token')).toBe('abc123');
    const s = snapshot();
    const text = `retry: 10\n\nevent: snapshot:changed\ndata: ${JSON.stringify(s)}\n\n`;
    // Split anywhere, even inside a CRLF-free frame: events come out whole.
    streams[0]!.write(text.slice(0, 25));
    streams[0]!.write(text.slice(25) + ': ping\n\nevent: snapshot:changed\ndata: {not json\n\n');
    streams[0]!.write(
      `event: action:progress\ndata: ${JSON.stringify({ runId: 'run-1', final: { result: 'cancelled', detail: '' } })}\n\n`,
    );
    await until(() => progress.length === 1);
    expect(snaps).toEqual([s]);
    expect(progress).toEqual([{ runId: 'run-1', final: { result: 'cancelled', detail: '' } }]);
    // The stream drops (the server restarted its side): the bridge opens it again.
    streams[0]!.end();
    await until(() => streams.length === 2);
    offA();
    expect(call.init?.signal?.aborted).toBe(false);
    offB();
    expect(calls[1]!.init?.signal?.aborted).toBe(true);
  });

  it('gives up on a refused stream (wrong token), like EventSource', async () => {
    let n = 0;
    const { bridge } = setup(() => {
      n++;
      return json(403, { ok: false });
    });
    const off = bridge.onSnapshot(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(n).toBe(1);
    off();
  });
});

describe('selectBridge', () => {
  const base = { fetch: () => Promise.reject(new Error('unused')) };

  it('prefers the Electron preload bridge', () => {
    const egpu = setup(() => json(200, {})).bridge;
    const choice = selectBridge({
      ...base,
      egpu,
      location: { protocol: 'file:', origin: 'null', hash: '' },
    });
    expect(choice).toEqual({ kind: 'electron', bridge: egpu });
  });

  it('uses HTTP when the page came from the server with a token in the fragment', () => {
    const choice = selectBridge({
      ...base,
      location: { protocol: 'http:', origin: 'http://127.0.0.1:4000', hash: '#token=abc' },
    });
    expect(choice.kind).toBe('http');
  });

  it('explains when there is no way to reach eGPU Guard', () => {
    const choice = selectBridge({
      ...base,
      location: { protocol: 'http:', origin: 'http://127.0.0.1:4000', hash: '' },
    });
    expect(choice.kind === 'none' && choice.reason).toMatch(/egpu ui/);
  });
});
