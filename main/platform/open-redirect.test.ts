// The private page `egpu ui --open` hands the browser: where it goes, who can read it, and that
// the address cannot break out of the HTML (ui.test.ts follows a real one in Chromium).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { redirectPage, writeRedirectFile } from './open-redirect.js';

const made: { remove(): void }[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const m of made.splice(0)) m.remove();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const tmp = (mode: number): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-runtime-'));
  fs.chmodSync(d, mode);
  dirs.push(d);
  return d;
};

describe('open redirect page', () => {
  it('escapes the address so it cannot leave the attribute', () => {
    const page = redirectPage('http://127.0.0.1:1/?token=a"><script>alert(1)</script>&x=\'');
    expect(page).not.toContain('<script>');
    expect(page).toContain(
      'content="0;url=http://127.0.0.1:1/?token=a&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#38;x=&#39;"',
    );
  });

  it('lives in $XDG_RUNTIME_DIR/egpu-guard when that is private, readable by its owner only', () => {
    const runtime = tmp(0o700);
    const r = writeRedirectFile('http://127.0.0.1:9/?token=abc', { XDG_RUNTIME_DIR: runtime });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    made.push(r.value);
    const file = fileURLToPath(r.value.url);
    expect(file).toBe(r.value.path);
    expect(path.dirname(file)).toBe(path.join(runtime, 'egpu-guard'));
    expect(r.value.url).not.toContain('abc');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    r.value.remove();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.join(runtime, 'egpu-guard'))).toBe(true); // the shared folder stays
  });

  it('falls back to a fresh private folder when $XDG_RUNTIME_DIR is unset, relative or open to others', () => {
    for (const env of [
      {},
      { XDG_RUNTIME_DIR: 'relative/dir' },
      { XDG_RUNTIME_DIR: tmp(0o755) },
      { XDG_RUNTIME_DIR: '/nonexistent/run' },
    ]) {
      const r = writeRedirectFile('http://127.0.0.1:9/?token=abc', env);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      const folder = path.dirname(r.value.path);
      expect(path.basename(folder)).toMatch(/^egpu-ui-/);
      expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
      r.value.remove();
      expect(fs.existsSync(folder)).toBe(false); // made for it, removed with it
    }
  });
});
