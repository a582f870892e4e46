// ESLint flat config. Layer rules (VS Code style): main/ never imports electron; only
// main/platform/ (plus the simulated kernel, the helper's own I/O door and tests) may touch
// node:fs or node:child_process; main/common/ imports no Node module at all.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import layers from './scripts/eslint/layers.js';

const fsBan = {
  paths: [
    { name: 'electron', message: 'main/ is plain Node: the core never imports electron.' },
    { name: 'node:fs', message: 'Go through main/platform (SystemRoot, CommandRunner).' },
    { name: 'fs', message: 'Go through main/platform (SystemRoot, CommandRunner).' },
    { name: 'node:fs/promises', message: 'Go through main/platform.' },
    { name: 'node:child_process', message: 'Go through main/platform/command-runner.ts.' },
    { name: 'child_process', message: 'Go through main/platform/command-runner.ts.' },
  ],
};

// The shell's banned-API list (docs/architecture.md, "Electron shell"): ipcMain only in the
// validated wrapper, BrowserWindow made only where its security flags are written out, and a
// sandboxed preload that can require nothing but 'electron' and the channel names. Type imports
// stay free.
const ipcMainBan = {
  name: 'electron',
  importNames: ['ipcMain'],
  allowTypeImports: true,
  message:
    'Only electron/ipc/validated-ipc.ts touches ipcMain (sender check, zod, errors as data).',
};
const browserWindowBan = {
  name: 'electron',
  importNames: ['BrowserWindow'],
  allowTypeImports: true,
  message: 'Windows are made by electron/windows/web-preferences.ts, with every security flag.',
};
const shellBan = (...paths) => ['error', { paths }];
const shellTests = ['electron/**/*.test.ts', 'electron/test/**'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'dist-packages/**',
      'out/**',
      '.bench/**',
      'renderer/dist/**',
      '**/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: [
      'main/platform/**',
      'main/sim/**',
      'main/helper/io/**',
      'main/**/*.test.ts',
      'main/**/test/**',
    ],
    rules: { 'no-restricted-imports': ['error', fsBan] },
  },
  {
    files: ['main/common/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', '../*'],
              message: 'main/common imports nothing but itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/common/*/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', '../../*'],
              message: 'main/common imports nothing but itself.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: [
      ...shellTests,
      'electron/ipc/validated-ipc.ts',
      'electron/windows/web-preferences.ts',
    ],
    rules: { '@typescript-eslint/no-restricted-imports': shellBan(ipcMainBan, browserWindowBan) },
  },
  {
    files: ['electron/ipc/validated-ipc.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': shellBan(browserWindowBan) },
  },
  {
    files: ['electron/windows/web-preferences.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': shellBan(ipcMainBan) },
  },
  {
    files: ['electron/preload/**/*.ts'],
    ignores: [...shellTests, 'electron/preload/vite.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [ipcMainBan, browserWindowBan],
          patterns: [
            {
              group: [
                'node:*',
                'zod',
                'dbus-next',
                '../../main/**/*.js',
                '!../../main/common/ipc/channels.js',
              ],
              allowTypeImports: true,
              message:
                'A sandboxed preload can require only electron: import the channel names, and types.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests use matchers (expect.any, expect.stringMatching) that are typed `any` on purpose.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // CommonJS on purpose (a `node --require` preload): require() is how it imports.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...svelte.configs['flat/recommended'],
  {
    // Who may import whom (docs/architecture.md's table, in scripts/eslint/layers.js): every layer
    // of main/, the Electron shell and the renderer, Svelte components included.
    files: ['main/**/*.ts', 'electron/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.svelte'],
    plugins: { local: layers },
    rules: { 'local/layers': 'error' },
  },
  {
    files: ['renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.svelte'],
        projectService: true,
      },
    },
  },
);
