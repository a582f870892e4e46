// Issue 5's Electronegativity check as part of `npm test`: the built main process, preload and
// renderer page have no HIGH or MEDIUM finding — and a planted insecure window is caught, so the
// script's reading of the report (Electronegativity itself always exits 0) can fail.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = 'scripts/security-electron.mjs';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-electronegativity-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function check(args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, '--offline', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('npm run security:electron (Electronegativity)', () => {
  it('finds no HIGH or MEDIUM issue in the built app', () => {
    // The vitest global setup only runs tsc; the preload bundle and renderer come from `npm run
    // build` (npm ci's prepare). Without them the script builds them itself.
    const r = check(['--report', path.join(work, 'app.csv')]);
    // Some findings were read (the LOW CSP notes), so an empty or clobbered report cannot pass.
    expect(r.out).toMatch(/: [1-9]\d* finding\(s\), 0 HIGH or MEDIUM/);
    expect(r.status, r.out).toBe(0);
    // It really scanned the main process and the preload, not an empty folder.
    const report = fs.readFileSync(path.join(work, 'app.csv'), 'utf8');
    expect(report.split('\n')[0]).toMatch(/^issue, severity, confidence, filename/);
    expect(fs.existsSync('.bench/electronegativity-input/main.js')).toBe(true);
    expect(fs.existsSync('.bench/electronegativity-input/preload.js')).toBe(true);
  }, 60_000);

  it('fails on a window without isolation or sandbox', () => {
    const bad = path.join(work, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(
      path.join(bad, 'main.js'),
      `const { BrowserWindow } = require('electron');
const win = new BrowserWindow({
  webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false, webSecurity: false },
});
win.loadURL('http://example.com/');
`,
    );
    const r = check(['--input', bad, '--report', path.join(work, 'bad.csv')]);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(/FAIL HIGH CONTEXT_ISOLATION_JS_CHECK/);
    expect(r.out).toMatch(/FAIL MEDIUM SANDBOX_JS_CHECK/);
    expect(r.out).toMatch(/FAIL MEDIUM WEB_SECURITY_JS_CHECK/);
  }, 60_000);

  it('refuses unknown arguments with exit 2', () => {
    const r = check(['--nope']);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/unknown argument "--nope"/);
  });
});
