import { describe, expect, it } from 'vitest';
import { UsageError, nearest, parseArgs } from './args.js';

describe('nearest: "did you mean"', () => {
  const flags = ['json', 'root', 'proc', 'dry-run', 'yes', 'close-apps', 'force', 'step-timeout'];

  it('finds typos, missing hyphens, swapped letters and unique prefixes', () => {
    expect(nearest('dryrun', flags)).toBe('dry-run');
    expect(nearest('dry_run', flags)).toBe('dry-run');
    expect(nearest('close-app', flags)).toBe('close-apps');
    expect(nearest('jsno', flags)).toBe('json');
    expect(nearest('yse', flags)).toBe('yes');
    expect(nearest('step', flags)).toBe('step-timeout');
    expect(nearest('Force', flags)).toBe('force');
  });

  it('says nothing when no option is near', () => {
    expect(nearest('no-such-flag', flags)).toBeNull();
    expect(nearest('verbose', flags)).toBeNull();
    expect(nearest('x', flags)).toBeNull();
    expect(nearest('dry', [])).toBeNull();
  });

  it('parseArgs puts the suggestion into the usage error', () => {
    const specs = { 'dry-run': { type: 'boolean' as const, description: '' } };
    expect(() => parseArgs(['--dryrun'], specs)).toThrow(
      new UsageError("unknown option '--dryrun' (did you mean --dry-run?)"),
    );
    expect(() => parseArgs(['--dryrun=1'], specs)).toThrow(/did you mean --dry-run\?/);
    expect(() => parseArgs(['--verbose'], specs)).toThrow(
      new UsageError("unknown option '--verbose'"),
    );
  });
});

describe('a negative number after a flag that takes a value', () => {
  const specs = {
    'step-timeout': { type: 'number' as const, description: '' },
    yes: { type: 'boolean' as const, description: '' },
    name: { type: 'string' as const, description: '' },
  };
  it('is that flag’s value (its command checks the range), not an unknown option', () => {
    expect(parseArgs(['--step-timeout', '-5'], specs).flags['step-timeout']).toBe(-5);
    expect(() => parseArgs(['--step-timeout', 'abc'], specs)).toThrow(
      new UsageError("option '--step-timeout' needs a number, not 'abc'"),
    );
    expect(parseArgs(['--name', '-5'], specs).flags['name']).toBe('-5');
    // After a switch, or on its own, it is still an unknown option.
    expect(() => parseArgs(['--yes', '-5'], specs)).toThrow(new UsageError("unknown option '-5'"));
    expect(() => parseArgs(['-5'], specs)).toThrow(new UsageError("unknown option '-5'"));
  });
});
