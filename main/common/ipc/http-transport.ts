// How browser mode carries the IPC contract over HTTP (main/server/ui-server.ts serves it,
// renderer/lib/bridge/http-bridge.ts speaks it): POST API_PREFIX + channel with a JSON body and
// the token in TOKEN_HEADER; pushes as server-sent events on EVENTS_PATH?token=…, one SSE event
// per push, named after its push channel, with the payload as JSON data.

export const HTTP_API_PREFIX = '/api/';
export const HTTP_EVENTS_PATH = '/api/events';
export const HTTP_TOKEN_HEADER = 'x-egpu-token';
/** The query parameter that carries the token in the page address and the events URL. */
export const HTTP_TOKEN_PARAM = 'token';
