// How browser mode carries the IPC contract over HTTP (main/server/ui-server.ts serves it,
// renderer/lib/bridge/http-bridge.ts speaks it): POST API_PREFIX + channel with a JSON body and
// the token in TOKEN_HEADER; pushes as server-sent events on a GET of EVENTS_PATH, token in the
// same header, one SSE event per push, named after its push channel, with the payload as JSON
// data. The page gets the token from its address's fragment (`/#token=…`), never from a cookie
// or the query.

export const HTTP_API_PREFIX = '/api/';
export const HTTP_EVENTS_PATH = '/api/events';
export const HTTP_TOKEN_HEADER = 'x-egpu-token';
/** The name of the token in the page address's fragment (`#token=…`). */
export const HTTP_TOKEN_PARAM = 'token';
