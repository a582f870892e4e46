import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse-parser.js';

const parseAll = (chunks: readonly string[]) => {
  const out: SseEvent[] = [];
  const parser = createSseParser((e) => out.push(e));
  for (const c of chunks) parser.push(c);
  return { out, retryMs: parser.retryMs };
};

describe('SSE parser', () => {
  it('frames events, joins data lines, skips comments and keeps retry', () => {
    const { out, retryMs } = parseAll([
      'retry: 1000\n\n: ping\n\nevent: snapshot:changed\ndata: {"a":1}\n\n',
      'data: one\ndata:two\n\nevent: x\n\n',
    ]);
    expect(out).toEqual([
      { event: 'snapshot:changed', data: '{"a":1}' },
      { event: 'message', data: 'one\ntwo' },
    ]);
    expect(retryMs).toBe(1000);
  });

  it('gives the same events however the text is split, CRLF and CR included', () => {
    const text = 'event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: 3\n\n';
    const whole = parseAll([text]).out;
    expect(whole).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: 'message', data: '3' },
    ]);
    for (let i = 1; i < text.length; i++)
      expect(parseAll([text.slice(0, i), text.slice(i)]).out, `split at ${i}`).toEqual(whole);
    expect(parseAll([...text]).out).toEqual(whole);
  });
});
