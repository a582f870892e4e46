// Process glue for `egpu`: real stdio, signals, and a quiet exit when stdout is a closed pipe
// (`egpu status | head -1`).

import { main } from './main.js';
import type { CliIo } from './command.js';

export async function runCli(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  // The signal's name is the abort reason, for commands that exit 128 + its number.
  const onSignal = (signal: NodeJS.Signals): void => controller.abort(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdin: process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    env: process.env,
    signal: controller.signal,
  };
  const code = await main(argv, io);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return code;
}
