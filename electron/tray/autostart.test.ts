import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  autostartEntry,
  autostartExec,
  autostartPath,
  createAutostart,
  isAutostartEnabled,
  quoteExecArg,
} from './autostart.js';
import { createNodeAutostartFs } from './autostart-fs.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-autostart-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) {
    fs.chmodSync(d, 0o755);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

describe('autostart entry', () => {
  it('lives in XDG_CONFIG_HOME/autostart, or ~/.config/autostart', () => {
    expect(autostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/ada')).toBe(
      '/cfg/autostart/egpu-guard.desktop',
    );
    expect(autostartPath({}, '/home/ada')).toBe('/home/ada/.config/autostart/egpu-guard.desktop');
    // A relative XDG_CONFIG_HOME is invalid by the spec and ignored.
    expect(autostartPath({ XDG_CONFIG_HOME: 'cfg' }, '/home/ada')).toBe(
      '/home/ada/.config/autostart/egpu-guard.desktop',
    );
  });

  it('quotes Exec arguments the way the Desktop Entry spec asks', () => {
    expect(quoteExecArg('/usr/bin/egpu-guard')).toBe('/usr/bin/egpu-guard');
    expect(quoteExecArg('/opt/eGPU Guard/egpu-guard')).toBe('"/opt/eGPU Guard/egpu-guard"');
    expect(quoteExecArg('a"b$c`d')).toBe('"a\\\\"b\\\\$c\\\\`d"');
    expect(quoteExecArg('back\\slash')).toBe('"back\\\\\\\\slash"');
    expect(quoteExecArg('100%')).toBe('100%%');
    expect(quoteExecArg('')).toBe('""');
  });

  it('starts this installation hidden in the tray', () => {
    const base = { execPath: '/opt/eGPU Guard/egpu-guard', isPackaged: true, appPath: '/x' };
    expect(autostartExec({ ...base, appImage: '/home/ada/Apps/eGPU-Guard.AppImage' })).toEqual([
      '/home/ada/Apps/eGPU-Guard.AppImage',
      '--hidden',
    ]);
    expect(autostartExec({ ...base, appImage: undefined })).toEqual([
      '/opt/eGPU Guard/egpu-guard',
      '--hidden',
    ]);
    expect(
      autostartExec({
        appImage: undefined,
        execPath: '/repo/node_modules/electron/dist/electron',
        isPackaged: false,
        appPath: '/repo',
      }),
    ).toEqual(['/repo/node_modules/electron/dist/electron', '/repo', '--hidden']);
    expect(autostartEntry(['/opt/eGPU Guard/egpu-guard', '--hidden'])).toContain(
      'Exec="/opt/eGPU Guard/egpu-guard" --hidden\n',
    );
  });

  it('reads an entry as on unless hidden or switched off', () => {
    expect(isAutostartEnabled(null)).toBe(false);
    expect(isAutostartEnabled(autostartEntry(['x']))).toBe(true);
    expect(isAutostartEnabled(autostartEntry(['x']) + 'Hidden=true\n')).toBe(false);
    expect(isAutostartEnabled(autostartEntry(['x']).replace('enabled=true', 'enabled=false'))).toBe(
      false,
    );
    // Keys of other groups do not count.
    expect(isAutostartEnabled(autostartEntry(['x']) + '[Desktop Action x]\nHidden=true\n')).toBe(
      true,
    );
    expect(isAutostartEnabled('garbage\u0000\n')).toBe(false);
  });

  it('writes and removes the real file through the fs port', () => {
    const home = tmp();
    const file = autostartPath({}, home);
    const a = createAutostart({
      fs: createNodeAutostartFs(),
      path: file,
      exec: ['/usr/bin/egpu-guard', '--hidden'],
    });
    expect(a.enabled()).toBe(false);
    expect(a.set(true)).toEqual({ ok: true, value: undefined });
    expect(a.enabled()).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['egpu-guard.desktop']);
    expect(a.set(false).ok).toBe(true);
    expect(a.enabled()).toBe(false);
    expect(a.set(false).ok).toBe(true);
  });

  it('reports an unreadable entry as unknown and a failed write as an error', () => {
    const home = tmp();
    const file = autostartPath({}, home);
    fs.mkdirSync(file, { recursive: true }); // a folder where the entry should be
    const a = createAutostart({ fs: createNodeAutostartFs(), path: file, exec: ['x'] });
    expect(a.enabled()).toBeNull();
    expect(a.set(true)).toMatchObject({ ok: false, error: { code: 'io' } });
  });
});
