// Bundles the sandboxed preload (scripts/build.mjs runs this when the file exists): one CommonJS
// file, dist/electron/preload.cjs, with every import inlined except 'electron', which the sandbox
// provides. From Electron 20 preloads are sandboxed by default, so nothing else can be required
// at run time (Electron sandbox.md).
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url);

export default defineConfig({
  root: decodeURIComponent(here.pathname),
  logLevel: 'warn',
  build: {
    outDir: decodeURIComponent(new URL('../../dist/electron/', here).pathname),
    // dist/electron also holds the main process (tsc): never wipe it.
    emptyOutDir: false,
    target: 'chrome130',
    minify: false,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: decodeURIComponent(new URL('index.ts', here).pathname),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
