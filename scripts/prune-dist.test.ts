// Test code never ships. tsc only adds to dist/, so scripts/prune-dist.mjs takes away what no
// shipping source compiles to any more; and the dist/ that the Vitest global setup built (tsc,
// then the prune) holds no test code: no scripted FakeCore (main/core/test/), no test folder, no
// switch that would load one (docs/testing.md, "The scripted core").
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneDist, staleOutputs } from './prune-dist.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

function write(root: string, rel: string, text = ''): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

function files(dir: string, rel = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) return files(path.join(dir, e.name), r);
    return e.isFile() ? [r] : [];
  });
}

describe('pruneDist', () => {
  it('removes outputs whose source is gone or is test code, and the folders they leave empty', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-prune-dist-'));
    try {
      write(root, 'main/core/face-core.ts');
      write(root, 'main/core/test/fake-core.ts');
      write(root, 'electron/main.ts');
      write(root, 'electron/preload/preload.ts');
      for (const rel of [
        'main/core/face-core.js',
        // moved to main/core/test/: its old output stays behind after tsc
        'main/core/fake-core.js',
        // a test folder compiled by an older configuration
        'main/core/test/fake-core.js',
        'main/gone/only.js',
        'electron/main.js',
        'electron/preload/preload.js',
      ])
        write(root, `dist/${rel}`);
      write(root, 'dist/electron/preload.cjs');
      write(root, 'dist/renderer/assets/index.js');
      write(root, 'dist/helper/egpu-guard-helper.cjs');

      expect(staleOutputs(root)).toEqual([
        'dist/main/core/fake-core.js',
        'dist/main/core/test/fake-core.js',
        'dist/main/gone/only.js',
        'dist/electron/preload/preload.js',
      ]);
      expect(pruneDist(root)).toHaveLength(4);
      expect(files(path.join(root, 'dist')).sort()).toEqual([
        'electron/main.js',
        'electron/preload.cjs',
        'helper/egpu-guard-helper.cjs',
        'main/core/face-core.js',
        'renderer/assets/index.js',
      ]);
      expect(fs.existsSync(path.join(root, 'dist/main/gone'))).toBe(false);
      expect(pruneDist(root)).toEqual([]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(process.env['EGPU_SKIP_DIST_BUILD'] === '1')('dist/ as built for shipping', () => {
  it('holds no test code: no FakeCore, no test folder, nothing that imports one', () => {
    const built = ['main', 'electron', 'helper'].flatMap((top) =>
      files(path.join(ROOT, 'dist', top), top),
    );
    expect(built).toContain('main/core/face-core.js');
    expect(built.filter((f) => /fake-core|fake-machine|\.test\.|(^|\/)test\//.test(f))).toEqual([]);
    const offending = built
      .filter((f) => /\.[cm]?js$/.test(f))
      .filter((f) =>
        /EGPU_UI_CORE|createFakeCore|from\s*['"][^'"]*\/test\/|import\(\s*['"][^'"]*\/test\//.test(
          fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8'),
        ),
      );
    expect(offending).toEqual([]);
  });
});
