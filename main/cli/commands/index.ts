// The `egpu` subcommands, in the order `egpu --help` lists them.

import type { CommandDef } from '../command.js';
import { clientsCommand } from './clients.js';
import { doctorCommand } from './doctor.js';
import { ejectCommand } from './eject.js';
import { explainCommand } from './explain.js';
import { recoverCommand } from './recover.js';
import { restartCompositorCommand } from './restart-compositor.js';
import { statusCommand } from './status.js';
import { uiCommand } from './ui.js';
import { watchCommand } from './watch.js';

export const COMMANDS: readonly CommandDef[] = [
  statusCommand,
  clientsCommand,
  explainCommand,
  watchCommand,
  uiCommand,
  ejectCommand,
  recoverCommand,
  restartCompositorCommand,
  doctorCommand,
];
