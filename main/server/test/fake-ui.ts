// Test support: browser mode over the scripted FakeCore (main/core/test/fake-core.ts), as a child
// process the way `egpu ui --demo` is one — the same static assets, dispatcher and server that
// main/cli/commands/ui.ts composes, with the same one printed line, token and clean exit on
// SIGINT/SIGTERM. The product never loads the FakeCore; this entry is bundled with Vite into a
// temporary folder by scripts/build-fake-ui.mjs and started by startFakeUiProcess()
// (ui-process.ts) and the ui bench (docs/testing.md, "The scripted core").
//
//   node fake-ui.mjs RENDERER_DIR [STEP_MS]

import { randomBytes } from 'node:crypto';
import { createFakeCore } from '../../core/test/fake-core.js';
import { createIpcDispatcher } from '../ipc-dispatch.js';
import { loadStaticAssets } from '../static-assets.js';
import { startUiServer } from '../ui-server.js';

async function serve(rendererDir: string | undefined, stepMs: number | undefined): Promise<number> {
  if (rendererDir === undefined) {
    process.stderr.write('usage: fake-ui.mjs RENDERER_DIR [STEP_MS]\n');
    return 2;
  }
  const assets = loadStaticAssets(rendererDir);
  if (!assets.ok) {
    process.stderr.write(`fake-ui: ${assets.error.message}\n`);
    return 1;
  }
  const core = createFakeCore(stepMs === undefined ? {} : { stepMs });
  await core.start();
  const dispatcher = createIpcDispatcher({
    core,
    demo: core,
    appInfo: { mode: 'demo', version: 'test', trayHost: null, notice: null },
    onBug: (channel, e) =>
      process.stderr.write(
        `fake-ui: internal error in ${channel}: ${e instanceof Error ? e.message : String(e)}\n`,
      ),
  });
  const token = randomBytes(16).toString('hex');
  const server = await startUiServer({ dispatcher, assets: assets.value, token, port: 0 });
  if (!server.ok) {
    process.stderr.write(`fake-ui: ${server.error.message}\n`);
    dispatcher.dispose();
    await core.stop();
    return 1;
  }
  process.stdout.write(`${server.value.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.value.close();
  dispatcher.dispose();
  await core.stop();
  return 0;
}

const [rendererDir, stepArg] = process.argv.slice(2);
process.exitCode = await serve(rendererDir, stepArg === undefined ? undefined : Number(stepArg));
