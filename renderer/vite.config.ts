// Builds the status window into dist/renderer/ (scripts/build.mjs runs this). `base: './'` makes
// every asset URL relative, so the same build loads from file:// in Electron and from the
// browser-mode server. No inline scripts or styles are emitted: the CSP forbids them.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url);

export default defineConfig({
  root: decodeURIComponent(here.pathname),
  base: './',
  plugins: [svelte()],
  build: {
    outDir: decodeURIComponent(new URL('../dist/renderer/', here).pathname),
    emptyOutDir: true,
    target: 'es2022',
    // Inlined assets would be data: URLs in CSS; keep them files so the CSP stays simple.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
