// Argument parsing for `egpu`: declared flags only, `--flag value` and `--flag=value`, `--` ends
// flags. Anything undeclared is a UsageError, which the CLI turns into one line and exit 2.

import { parseArgs as nodeParseArgs } from 'node:util';

export type FlagType = 'boolean' | 'string' | 'number' | 'strings';

export type FlagSpec = {
  readonly type: FlagType;
  readonly description: string;
  /** Placeholder shown in help, e.g. DIR. */
  readonly value?: string;
};

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValue = boolean | string | number | string[];

export type ParsedArgs = {
  readonly flags: Readonly<Record<string, FlagValue | undefined>>;
  readonly positionals: readonly string[];
};

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Edit distance (insert, delete, substitute, swap two neighbours), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known word nearest to `typed`, when it is near enough to be a typo (`dryrun` → `dry-run`,
 * `close-app` → `close-apps`, `yse` → `yes`); null otherwise.
 */
export function nearest(typed: string, known: readonly string[]): string | null {
  const plain = (w: string): string => w.toLowerCase().replace(/[-_]/g, '');
  let best: { word: string; d: number } | null = null;
  for (const word of known) {
    const d = plain(word) === plain(typed) ? 0 : distance(typed.toLowerCase(), word);
    if (best === null || d < best.d) best = { word, d };
  }
  if (best === null) return null;
  const limit = Math.max(1, Math.floor(Math.min(typed.length, best.word.length) / 3));
  if (best.d <= limit) return best.word;
  // A prefix long enough to mean one option: --close → --close-apps, --step → --step-timeout.
  const starts = known.filter((w) => typed.length >= 3 && w.startsWith(typed.toLowerCase()));
  return starts.length === 1 ? starts[0]! : null;
}

function unknownOption(name: string, specs: FlagSpecs): UsageError {
  const near = nearest(name, Object.keys(specs));
  return new UsageError(
    `unknown option '--${name}'${near === null ? '' : ` (did you mean --${near}?)`}`,
  );
}

/**
 * Node's own tokenizer (node:util parseArgs, in its non-strict mode so that every token comes back)
 * splits `--flag value`, `--flag=value` and `--`; the checks and the words are ours: declared flags
 * only, a did-you-mean for typos, typed values. A single-dash word is checked before Node sees it
 * (Node would read `-dry-run` as the short flags d, r, y …).
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const end = argv.indexOf('--');
  const flagPart = end < 0 ? argv : argv.slice(0, end);
  const flags: Record<string, FlagValue | undefined> = {};
  const args: string[] = [];
  for (let i = 0; i < flagPart.length; i++) {
    const arg = flagPart[i]!;
    // A negative number after a flag that takes a value is that value (its command checks the
    // range), not an unknown option '-5'.
    const prev = i > 0 ? flagPart[i - 1]! : '';
    const prevSpec =
      prev.startsWith('--') && !prev.includes('=') ? specs[prev.slice(2)] : undefined;
    if (arg === '-h') flags['help'] = true;
    else if (prevSpec !== undefined && prevSpec.type !== 'boolean' && /^-\d/.test(arg))
      args.push(arg);
    else if (arg.startsWith('-') && !arg.startsWith('--') && arg !== '-') {
      const near = arg.length > 2 ? nearest(arg.slice(1), Object.keys(specs)) : null;
      throw new UsageError(
        `unknown option '${arg}'${near === null ? '' : ` (did you mean --${near}?)`}`,
      );
    } else args.push(arg);
  }
  if (end >= 0) args.push(...argv.slice(end));
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      { type: spec.type === 'boolean' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  const { tokens } = nodeParseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind === 'option-terminator') continue;
    const name = t.name;
    const spec = specs[name];
    if (spec === undefined) throw unknownOption(name, specs);
    if (spec.type === 'boolean') {
      if (t.inlineValue === true) throw new UsageError(`option '--${name}' takes no value`);
      flags[name] = true;
      continue;
    }
    const value = t.value;
    if (value === undefined || (t.inlineValue !== true && value.startsWith('--'))) {
      throw new UsageError(
        `option '--${name}' needs a value${spec.value ? ` (${spec.value})` : ''}`,
      );
    }
    if (spec.type === 'number') {
      const n = Number(value);
      // A number it is; whether it is in range is the command's to say, with the range itself
      // ("--step-timeout must be more than 0 and at most 3600 seconds, not -5").
      if (value.trim() === '' || !Number.isFinite(n)) {
        throw new UsageError(`option '--${name}' needs a number, not '${value}'`);
      }
      flags[name] = n;
    } else if (spec.type === 'strings') {
      const prev = flags[name];
      flags[name] = Array.isArray(prev) ? [...prev, value] : [value];
    } else {
      if (value === '') throw new UsageError(`option '--${name}' needs a non-empty value`);
      flags[name] = value;
    }
  }
  return { flags, positionals };
}

export const flagString = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
};

export const flagNumber = (args: ParsedArgs, name: string): number | undefined => {
  const v = args.flags[name];
  return typeof v === 'number' ? v : undefined;
};

export const flagBool = (args: ParsedArgs, name: string): boolean => args.flags[name] === true;

export const flagStrings = (args: ParsedArgs, name: string): string[] => {
  const v = args.flags[name];
  return Array.isArray(v) ? v : [];
};

export function formatFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `  --${name}${spec.value ? ` ${spec.value}` : ''}`;
    return [left, spec.description] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, d]) => l.padEnd(width) + d).join('\n');
}
