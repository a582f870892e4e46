// The real preload bundle (electron/preload/vite.config.ts) under the constraints of a sandboxed
// preload: CommonJS, and `require` that knows 'electron' and nothing else (Electron sandbox.md).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../main/common/ipc/channels.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-preload-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe('preload bundle', () => {
  it('loads with only electron to require and exposes the bridge', async () => {
    const r = spawnSync(
      process.execPath,
      [
        'node_modules/vite/bin/vite.js',
        'build',
        '--config',
        'electron/preload/vite.config.ts',
        '--outDir',
        out,
        '--logLevel',
        'warn',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const code = fs.readFileSync(path.join(out, 'preload.cjs'), 'utf8');

    const required: string[] = [];
    const exposed = new Map<string, Record<string, (input?: unknown) => Promise<unknown>>>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: never) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: (...args: unknown[]) => {
          invoked.push(args);
          return Promise.resolve({ ok: true, value: null });
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const sandboxRequire = (name: string): unknown => {
      required.push(name);
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return electron;
    };
    const module = { exports: {} };
    vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports });

    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['egpu']);
    const api = exposed.get('egpu')!;
    expect(Object.keys(api).sort()).toEqual(
      [...Object.keys(INVOKE_CHANNELS), 'onActionProgress', 'onFocus', 'onSnapshot'].sort(),
    );
    await api['planRecover']!({ bdf: null });
    expect(invoked).toEqual([['recover:plan', { bdf: null }]]);
  }, 60_000);
});
