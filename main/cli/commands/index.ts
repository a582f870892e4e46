// The `egpu` subcommands, in the order `egpu --help` lists them. Each command's module is loaded
// only when that command runs: `egpu status` must not pay for compiling the browser-mode server,
// zod or the D-Bus client (ESM compile time dominated a CLI start before this).

import type { CommandDef } from '../command.js';

export type CommandEntry = {
  readonly name: string;
  /** Must equal the loaded CommandDef's summary (a test checks). */
  readonly summary: string;
  readonly load: () => Promise<CommandDef>;
};

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'status',
    summary: 'list GPUs: external or internal (with evidence), link, health, Thunderbolt, modules',
    load: async () => (await import('./status.js')).statusCommand,
  },
  {
    name: 'clients',
    summary: 'list processes using each GPU (compositor, Xwayland, CUDA jobs, browsers …)',
    load: async () => (await import('./clients.js')).clientsCommand,
  },
  {
    name: 'explain',
    summary: 'explain GPU, PCIe and Thunderbolt trouble in a kernel log',
    load: async () => (await import('./explain.js')).explainCommand,
  },
  {
    name: 'watch',
    summary: 'follow udev, the kernel log and D-Bus; print every GPU state change and incident',
    load: async () => (await import('./watch.js')).watchCommand,
  },
  {
    name: 'service',
    summary: "run the session's eGPU core on the session bus (io.github.EgpuGuard1) for every face",
    load: async () => (await import('./service.js')).serviceCommand,
  },
  {
    name: 'ui',
    summary: 'open the status window in a browser (a local server on 127.0.0.1 with a token)',
    load: async () => (await import('./ui.js')).uiCommand,
  },
  {
    name: 'eject',
    summary: 'safely eject an external GPU: close its apps, release it, remove it, drop the tunnel',
    load: async () => (await import('./eject.js')).ejectCommand,
  },
  {
    name: 'recover',
    summary: 'bring an eGPU back: authorize its enclosure, remove a dead GPU, rescan, bind, verify',
    load: async () => (await import('./recover.js')).recoverCommand,
  },
  {
    name: 'restart-compositor',
    summary: 'how to make the desktop let go of the eGPU now, and keep it off next time',
    load: async () => (await import('./restart-compositor.js')).restartCompositorCommand,
  },
  {
    name: 'doctor',
    summary: 'check this machine for eGPU readiness; --report writes a Markdown bug report',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
];
