// The layer rule fails on the crossings a reviewer found passing lint before it existed, names
// the rule in its message, leaves allowed imports alone, and is wired into the project's config.
import { ESLint } from 'eslint';
import * as fs from 'node:fs';
import * as path from 'node:path';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import layers, { KNOWN_CROSSINGS } from './layers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function linter(): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { local: layers },
        rules: { 'local/layers': 'error' },
      },
    ],
  });
}

async function lint(file: string, code: string): Promise<string[]> {
  const [r] = await linter().lintText(code, { filePath: path.join(ROOT, file) });
  return (r?.messages ?? []).map((m) => `${m.ruleId ?? ''}: ${m.message}`);
}

describe('layer rule', () => {
  it.each([
    [
      'renderer/planted.ts',
      "import { readInventory } from '../main/inventory/inventory.js';",
      'renderer may not import main/inventory',
    ],
    [
      'electron/planted.ts',
      "import { StateModel } from '../main/state/state-model.js';",
      'electron may not import main/state',
    ],
    [
      'electron/planted.ts',
      "import { UdevMonitor } from '../main/sources/udev-monitor.js';",
      'electron may not import main/sources',
    ],
    [
      'main/state/planted.ts',
      "import { createUiCore } from '../server/core-factory.js';",
      'main/state may not import main/server',
    ],
    [
      'main/actions/planted.ts',
      "import type { Core } from '../core/api.js';",
      'main/actions may not import main/core',
    ],
    [
      'main/common/planted.ts',
      "import { readInventory } from '../inventory/inventory.js';",
      'main/common may not import main/inventory',
    ],
    [
      'main/core/planted.ts',
      "const { createFakeCore } = await import('./test/fake-core.js');",
      'may not import test code (main/core/test/fake-core.js)',
    ],
    [
      'electron/planted.ts',
      "import type { FakeCore } from '../main/core/test/fake-core.js';",
      'may not import test code',
    ],
    [
      'main/server/planted.ts',
      "import { lint } from './layers.test.js';",
      'may not import test code (main/server/layers.test.js)',
    ],
  ])('%s: %s fails', async (file, code, says) => {
    const messages = await lint(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('local/layers: layers: ');
    expect(messages[0]).toContain(says);
  });

  it('allows what the table allows, tests, test support, and a lazy import of the simulator', async () => {
    expect(
      await lint('renderer/ok.ts', "import type { Snapshot } from '../main/common/snapshot.js';"),
    ).toEqual([]);
    expect(
      await lint(
        'main/core/ok.ts',
        "import { planEject } from '../actions/eject/eject-planner.js';",
      ),
    ).toEqual([]);
    expect(
      await lint(
        'main/state/x.test.ts',
        "import { createUiCore } from '../server/core-factory.js';",
      ),
    ).toEqual([]);
    expect(
      await lint(
        'main/server/test/ok.ts',
        "import { FakeCore } from '../../core/test/fake-core.js';",
      ),
    ).toEqual([]);
    expect(
      await lint('main/server/ok.ts', "const sim = await import('../sim/demo/demo-machine.js');"),
    ).toEqual([]);
    expect(
      await lint(
        'main/server/planted.ts',
        "import { DemoMachine } from '../sim/demo/demo-machine.js';",
      ),
    ).toHaveLength(1);
  });

  it('is on in the project config for every layer, Svelte components included', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    for (const file of ['main/state/state-model.ts', 'electron/main.ts', 'renderer/App.svelte']) {
      const config = (await eslint.calculateConfigForFile(path.join(ROOT, file))) as {
        rules?: Record<string, unknown>;
      };
      expect(config.rules?.['local/layers'], file).toEqual([2]);
    }
  });

  it('lists only crossings that still exist, so the list can only shrink', () => {
    for (const crossing of KNOWN_CROSSINGS) {
      const [from, to] = crossing.split(' → ') as [string, string];
      const text = fs.readFileSync(path.join(ROOT, from), 'utf8');
      const spec = path.relative(path.dirname(from), to);
      expect(text.includes(`'${spec.startsWith('.') ? spec : `./${spec}`}'`), crossing).toBe(true);
    }
  });
});
