// What an `egpu` subcommand is, and the flags several commands share.

import { createSystemRoot, hostDirectoryState, type SystemRoot } from '../platform/system-root.js';
import { UsageError, flagString, type FlagSpecs, type ParsedArgs } from './args.js';

export type CliIo = {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM so long-running commands can shut down cleanly. */
  readonly signal: AbortSignal;
};

export type CommandDef = {
  readonly name: string;
  readonly summary: string;
  /** One usage line without the leading "egpu ". */
  readonly usage: string;
  /** Extra help text after the flag list. */
  readonly details?: string;
  readonly flags: FlagSpecs;
  readonly positionals: { readonly min: number; readonly max: number };
  /** Returns the process exit code. Expected failures print one clear line and return non-zero. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
};

export const ROOT_FLAGS: FlagSpecs = {
  root: {
    type: 'string',
    value: 'DIR',
    description: 'read sysfs, /dev, /etc, /run and /proc/driver under DIR (default /)',
  },
  proc: {
    type: 'string',
    value: 'DIR',
    description: 'read the process table from DIR (default /proc)',
  },
};

export const JSON_FLAG: FlagSpecs = {
  json: { type: 'boolean', description: 'print machine-readable JSON' },
};

function requireDir(flag: string, dir: string): void {
  const state = hostDirectoryState(dir);
  if (state === 'missing') throw new UsageError(`--${flag} ${dir}: no such directory`);
  if (state === 'not-a-directory') throw new UsageError(`--${flag} ${dir}: not a directory`);
}

/** The SystemRoot named by --root/--proc; a missing folder is a usage error (exit 2). */
export function systemRootFromArgs(args: ParsedArgs): SystemRoot {
  const root = flagString(args, 'root');
  const proc = flagString(args, 'proc');
  if (root !== undefined) requireDir('root', root);
  if (proc !== undefined) requireDir('proc', proc);
  return createSystemRoot({
    ...(root === undefined ? {} : { root }),
    ...(proc === undefined ? {} : { proc }),
  });
}

/**
 * The same, for a command that watches or acts on the machine: a --root folder without PCI sysfs
 * (DIR/sys/bus/pci) stands for no machine at all, so it is refused (exit 2) rather than watched
 * forever or reported as a machine where nothing uses a GPU.
 */
export function machineRootFromArgs(args: ParsedArgs): SystemRoot {
  const root = systemRootFromArgs(args);
  const dir = flagString(args, 'root');
  if (dir !== undefined && !root.exists('/sys/bus/pci'))
    throw new UsageError(
      `--root ${dir}: there is no PCI sysfs at ${root.hostPath('/sys/bus/pci')}; a sysroot holds a machine's sys, dev and run folders`,
    );
  return root;
}

/** A PCI address as the user may type it: 06:00.0, 0000:06:00.0, 0000:06:00 → dddd:bb:dd.f */
export function parseBdfArg(text: string): string {
  const m = /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-9a-f]{2})(?:\.([0-7]))?$/i.exec(text.trim());
  if (!m) throw new UsageError(`'${text}' is not a PCI address (expected e.g. 0000:06:00.0)`);
  return `${(m[1] ?? '0000').toLowerCase()}:${m[2]!.toLowerCase()}:${m[3]!.toLowerCase()}.${m[4] ?? '0'}`;
}
