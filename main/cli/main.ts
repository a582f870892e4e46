// Entry point of the `egpu` command: dispatch, help, and the promise that no command ever ends
// in a stack trace. Usage errors exit 2; a command's own failures exit as the command decides.

import { BugError } from '../common/errors.js';
import { readAppVersion } from '../platform/app-version.js';
import { UsageError, formatFlags, nearest, parseArgs } from './args.js';
import type { CliIo, CommandDef } from './command.js';
import { COMMANDS } from './commands/index.js';

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'egpu — eGPU Guard: watch, explain and safely eject external GPUs',
    '',
    'Usage: egpu <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `egpu <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export function commandHelp(cmd: CommandDef): string {
  const flags = { ...cmd.flags, help: { type: 'boolean' as const, description: 'show this help' } };
  return [
    `Usage: egpu ${cmd.usage}`,
    '',
    cmd.summary,
    '',
    'Options:',
    formatFlags(flags),
    ...(cmd.details ? ['', cmd.details] : []),
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(globalHelp());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    const entry = COMMANDS.find((c) => c.name === topic);
    io.stdout(entry ? commandHelp(await entry.load()) : globalHelp());
    return topic !== undefined && entry === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.stdout(`egpu ${readAppVersion() ?? 'unknown version'}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    const near = name.startsWith('-')
      ? null
      : nearest(
          name,
          COMMANDS.map((c) => c.name),
        );
    io.stderr(
      name.startsWith('-')
        ? `egpu: unknown option '${name}' (try 'egpu --help')\n`
        : `egpu: unknown command '${name}' (${near === null ? "try 'egpu --help'" : `did you mean 'egpu ${near}'?`})\n`,
    );
    return 2;
  }
  const cmd = await entry.load();
  try {
    const args = parseArgs(rest, { ...cmd.flags, help: { type: 'boolean', description: '' } });
    if (args.flags['help'] === true) {
      io.stdout(commandHelp(cmd));
      return 0;
    }
    const n = args.positionals.length;
    if (n < cmd.positionals.min)
      throw new UsageError(`missing argument (usage: egpu ${cmd.usage})`);
    if (n > cmd.positionals.max) {
      throw new UsageError(`unexpected argument '${args.positionals[cmd.positionals.max] ?? ''}'`);
    }
    return await cmd.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`egpu ${cmd.name}: ${e.message}\n`);
      return 2;
    }
    // A bug: say so in one line. EGPU_DEBUG=1 shows the stack for developers.
    const what = e instanceof BugError || e instanceof Error ? e.message : String(e);
    io.stderr(`egpu ${cmd.name}: internal error: ${what}\n`);
    if (io.env['EGPU_DEBUG'] === '1' && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
    return 70;
  }
}
