// Preloaded into Electronegativity by `security:electron --offline` (the tests use it): every
// HTTP(S) request fails at once. Electronegativity fetches translations and Electron's release
// list with got, which retries network errors with back-off — about 10 s per run on a machine
// without internet — and the release check's verdict would change with the day's releases. An
// error code outside got's retry list ends each request immediately.
'use strict';
for (const name of ['node:http', 'node:https']) {
  const mod = require(name);
  const refuse = () => {
    throw Object.assign(new Error('network disabled by security:electron --offline'), {
      code: 'EGPU_OFFLINE',
    });
  };
  mod.request = refuse;
  mod.get = refuse;
}
