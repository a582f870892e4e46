// Vitest projects per layer (docs/testing.md, "Vitest projects"): the Node core, the Electron
// shell with `electron` mocked, and the Svelte renderer in jsdom — and, apart, the system tests
// that start real parts (scripts/test-tiers.mjs). `npm run test:unit` runs all but those.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';
import { SYSTEM_TESTS } from './scripts/test-tiers.mjs';

const electronAlias = {
  alias: [
    {
      find: /^electron$/,
      replacement: fileURLToPath(new URL('electron/test/fake-electron.ts', import.meta.url)),
    },
  ],
};

export default defineConfig({
  test: {
    globalSetup: ['scripts/vitest-global-setup.ts'],
    projects: [
      {
        test: {
          name: 'main',
          environment: 'node',
          include: ['main/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: SYSTEM_TESTS,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // No test needs the Electron binary: `electron` is a recording fake in this project.
        resolve: electronAlias,
        test: {
          name: 'electron',
          environment: 'node',
          include: ['electron/**/*.test.ts'],
          exclude: SYSTEM_TESTS,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Real parts: child processes, the simulated kernel with the helper, D-Bus, journald
        // tools, polkitd, dunst, Chromium (docs/testing.md).
        resolve: electronAlias,
        test: {
          name: 'system',
          environment: 'node',
          include: SYSTEM_TESTS,
          testTimeout: 60_000,
          hookTimeout: 60_000,
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
