// What `egpu eject` and `egpu recover` share before they plan: the step timeout's range, the
// flags a suggested next command carries over, and the GPUs named when an address is missing.

import type { Snapshot } from '../common/snapshot.js';
import { readInventory } from '../inventory/inventory.js';
import type { SystemRoot } from '../platform/system-root.js';
import { UsageError, flagNumber, type ParsedArgs } from './args.js';
import { egpuCommand, gpuList, type KnownGpu } from './format/plan-text.js';

export const MAX_STEP_TIMEOUT_S = 3600;

/** --step-timeout in seconds: more than 0, at most an hour; 20 when not given. */
export function stepTimeoutFromArgs(args: ParsedArgs): number {
  const s = flagNumber(args, 'step-timeout') ?? 20;
  if (s <= 0 || s > MAX_STEP_TIMEOUT_S) {
    throw new UsageError(
      `--step-timeout must be more than 0 and at most ${MAX_STEP_TIMEOUT_S} seconds, not ${s} (the default is 20)`,
    );
  }
  return s;
}

/** Flags that say where and how, repeated in the next command (not what to do: --yes, --json …). */
const CARRIED = ['root', 'proc', 'step-timeout', 'udev-log', 'no-dbus'];

export function carriedFlags(args: ParsedArgs): string[] {
  const out: string[] = [];
  for (const name of CARRIED) {
    const v = args.flags[name];
    if (v === undefined || v === false) continue;
    out.push(`--${name}`, ...(v === true ? [] : [String(v)]));
  }
  return out;
}

export function knownGpus(root: SystemRoot): KnownGpu[] {
  return readInventory(root).gpus.map((g) => ({ bdf: g.bdf, name: g.name, external: g.external }));
}

/** The GPUs on the bus in the core's snapshot, as a plan's next line names them. */
export function presentGpus(snapshot: Snapshot): KnownGpu[] {
  return snapshot.gpus
    .filter((g) => g.present)
    .map((g) => ({ bdf: g.bdf, name: g.name, external: g.external }));
}

/** `egpu eject` without an address: a usage error that names the GPUs to pick from. */
export function missingAddress(root: SystemRoot, carry: readonly string[]): UsageError {
  const gpus = knownGpus(root);
  const external = gpus.find((g) => g.external);
  const example = external?.bdf ?? '0000:06:00.0';
  return new UsageError(
    `the GPU's PCI address is missing (${gpuList(gpus)}); e.g. ${egpuCommand('eject', example, ['--dry-run'], carry)}`,
  );
}
