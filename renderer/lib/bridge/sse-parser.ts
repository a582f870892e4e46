// text/event-stream framing (WHATWG HTML §9.2.6 "Interpreting an event stream"), for the bridge
// that reads the stream with fetch: EventSource cannot send a header, and the token must travel
// in one (a cookie would leak to every port on 127.0.0.1; a query string sits in the address).
// Feed it decoded text in any chunking; it calls back once per complete event. Pure.

export type SseEvent = { readonly event: string; readonly data: string };

export type SseParser = {
  push(text: string): void;
  /** The reconnection time the stream asked for (`retry:`), in ms; null when it never did. */
  readonly retryMs: number | null;
};

export function createSseParser(onEvent: (e: SseEvent) => void): SseParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let retryMs: number | null = null;
  // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
  let pendingCr = false;

  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0)
        onEvent({ event: event === '' ? 'message' : event, data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return; // a comment (the server's heartbeat)
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
  };

  return {
    push(text) {
      let s = text;
      if (pendingCr) {
        pendingCr = false;
        if (s.startsWith('\n')) s = s.slice(1);
      }
      buffer += s;
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buffer);
        if (m === null) break;
        if (m[0] === '\r' && m.index === buffer.length - 1) {
          pendingCr = true;
          line(buffer.slice(0, m.index));
          buffer = '';
          break;
        }
        line(buffer.slice(0, m.index));
        buffer = buffer.slice(m.index + m[0].length);
      }
    },
    get retryMs() {
      return retryMs;
    },
  };
}
