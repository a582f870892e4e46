// Entry of the tray app (package.json "main" → dist/electron/main.js). Only what must happen
// before Electron is ready lives here; bootstrap.ts builds everything else once it is.

import { app } from 'electron';
import { bootstrap } from './bootstrap.js';

// eGPU Guard must never open the eGPU itself: a GPU process with hardware acceleration would hold
// /dev/dri and /dev/nvidia* nodes, and the app would become one of the processes that block the
// very eject it offers (NVIDIA waits for its usage count to drop; docs/architecture.md, "Rules").
// Must be called before `ready`.
app.disableHardwareAcceleration();
// Every renderer sandboxed, whatever a window's webPreferences say (Electron sandbox.md).
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  // Another eGPU Guard runs: it receives 'second-instance' and shows its window.
  app.quit();
} else {
  const shell = app
    .whenReady()
    .then(() => bootstrap({ app, argv: process.argv, env: process.env }));
  app.on('second-instance', () => {
    void shell.then((s) => s.showWindow());
  });
  shell.catch((e: unknown) => {
    process.stderr.write(
      `egpu-guard: could not start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    app.exit(1);
  });
}
