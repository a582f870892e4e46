// The `egpu` subcommands, in the order `egpu --help` lists them.

import type { CommandDef } from '../command.js';

export const COMMANDS: readonly CommandDef[] = [];
