// Vitest projects per layer (docs/testing.md, "Vitest projects"): the Node core, the Electron
// shell with `electron` mocked, and the Svelte renderer in jsdom.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['scripts/vitest-global-setup.ts'],
    projects: [
      {
        test: {
          name: 'main',
          environment: 'node',
          include: ['main/**/*.test.ts', 'scripts/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // No test needs the Electron binary: `electron` is a recording fake in this project.
        resolve: {
          alias: [
            {
              find: /^electron$/,
              replacement: fileURLToPath(
                new URL('electron/test/fake-electron.ts', import.meta.url),
              ),
            },
          ],
        },
        test: {
          name: 'electron',
          environment: 'node',
          include: ['electron/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Svelte's browser build in jsdom (its testing docs: browser conditions, svelteTesting()).
        plugins: [svelte({ configFile: 'renderer/svelte.config.js' }), svelteTesting()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['renderer/**/*.test.ts'],
          setupFiles: ['renderer/test/setup.ts'],
        },
      },
    ],
  },
});
