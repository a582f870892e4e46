// The Content Security Policy of the status window. The renderer's index.html carries the same
// policy in a <meta> tag, which is what applies to file:// pages (Electron security checklist #7:
// a header cannot be set for file://); harden-session.ts adds it as a response header too, so
// anything ever served over http(s) gets it as well.

// One string literal, so that Electronegativity's CSP check can read and evaluate it.
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
