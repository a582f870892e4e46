// Test and bench support: bundles main/server/test/fake-ui.ts (browser mode over the scripted
// FakeCore) into one ES module, OUT_DIR/fake-ui.mjs, every import inlined, so a test or the ui
// bench can start it with plain `node` like `egpu ui`. The FakeCore is test support and never
// reaches dist/ (docs/testing.md, "The scripted core"); this writes only where it is told, a
// temporary folder in practice.
//
//   node scripts/build-fake-ui.mjs OUT_DIR      prints the bundle's path
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {Promise<string>} the bundle's path */
export async function buildFakeUi(outDir) {
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    build: {
      ssr: path.join(ROOT, 'main/server/test/fake-ui.ts'),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      sourcemap: false,
      rollupOptions: { output: { format: 'es', entryFileNames: 'fake-ui.mjs' } },
    },
    ssr: { noExternal: true, target: 'node' },
  });
  return path.join(outDir, 'fake-ui.mjs');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (out === undefined) {
    console.error('usage: node scripts/build-fake-ui.mjs OUT_DIR');
    process.exit(2);
  }
  try {
    console.log(await buildFakeUi(path.resolve(out)));
  } catch (e) {
    console.error(`build-fake-ui: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
