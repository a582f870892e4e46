// The Electron transport's handlers are the one router's (main/core/router.ts): the same table the
// browser mode serves, so the two cannot drift. validated-ipc.ts checks the sender and the input.

export {
  createRouter as createIpcHandlers,
  type Handler,
  type HandlerMap,
  type RouterDeps as HandlerDeps,
} from '../../main/core/router.js';
