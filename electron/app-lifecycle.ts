// Tray-app quit semantics. Closing the last window does not quit (the tray stays), except when
// there is no tray to come back through. Quitting — from the tray menu, a second `--quit`, or the
// session ending — first shuts the shell and the core down (stops the udev and journal children),
// bounded in time so a stuck source can never keep the app from exiting.

import type { App } from 'electron';

export type LifecycleOptions = {
  readonly app: Pick<App, 'on' | 'quit' | 'exit'>;
  /** True when no tray exists: then the last window closing quits the app. */
  readonly closeQuits: () => boolean;
  readonly shutdown: () => Promise<void>;
  readonly shutdownTimeoutMs?: number;
  readonly log?: (line: string) => void;
};

export type Lifecycle = {
  readonly quitting: () => boolean;
  quit(): void;
};

export function installLifecycle(options: LifecycleOptions): Lifecycle {
  const { app } = options;
  let quitting = false;
  let shuttingDown = false;

  // Having a listener at all stops Electron's default of quitting with the last window.
  app.on('window-all-closed', () => {
    if (options.closeQuits()) app.quit();
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    event.preventDefault();
    if (shuttingDown) return;
    shuttingDown = true;
    const limit = options.shutdownTimeoutMs ?? 3000;
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), limit).unref(),
    );
    void Promise.race([options.shutdown().then(() => 'done' as const), timeout])
      .catch((e: unknown) => {
        options.log?.(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        return 'done' as const;
      })
      .then((how) => {
        if (how === 'timeout')
          options.log?.(`shutdown took longer than ${limit} ms; exiting anyway`);
        app.exit(0);
      });
  });

  return {
    quitting: () => quitting,
    quit: () => app.quit(),
  };
}
