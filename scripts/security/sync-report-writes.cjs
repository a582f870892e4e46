// Preloaded into Electronegativity by `security:electron`, always. Its CSV report is written by two
// racing asynchronous fs.writeFile calls (util/file.js: writeCsvHeader truncates and writes the
// header while writeIssues appends the findings), so the header can land after the findings and
// clobber them — seen in CI as a report of one garbled row and "0 HIGH or MEDIUM" for a window
// with contextIsolation off. Making writeFile synchronous (callback still asynchronous) keeps the
// calls in program order: header, then findings.
'use strict';
const fs = require('node:fs');
fs.writeFile = (file, data, options, callback) => {
  const done = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? undefined : options;
  let error = null;
  try {
    fs.writeFileSync(file, data, opts);
  } catch (e) {
    error = e;
  }
  if (typeof done === 'function') process.nextTick(done, error);
};
