// Types of scripts/build-stamp.mjs for the TypeScript tests that import it.
export type BuildPart = {
  readonly inputs: readonly string[];
  readonly filter: (file: string) => boolean;
  readonly output: string;
  /** Files every part depends on; package.json and package-lock.json when absent. */
  readonly toolchain?: readonly string[];
};
export type Fingerprint = { newest: number; names: string; count: number };
export function sources(part: BuildPart): [string, number][];
export function fingerprint(files: readonly [string, number][]): Fingerprint;
export function readStamp(file: string): Record<string, Fingerprint | undefined>;
export function staleness(
  part: BuildPart,
  now: Fingerprint,
  before: Fingerprint | undefined,
): string | null;
