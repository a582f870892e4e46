// The `egpu` subcommands, in the order `egpu --help` lists them.

import type { CommandDef } from '../command.js';
import { clientsCommand } from './clients.js';
import { statusCommand } from './status.js';

export const COMMANDS: readonly CommandDef[] = [statusCommand, clientsCommand];
