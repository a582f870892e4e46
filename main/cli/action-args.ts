// What `egpu eject` and `egpu recover` share before they plan: the GPU they are told (BDF or
// --gpu BDF, as `egpu clients` takes it), the step timeout's range, the flags a suggested next
// command carries over, and the GPUs named when an address is missing.

import type { Snapshot } from '../common/snapshot.js';
import { readInventory } from '../inventory/inventory.js';
import type { SystemRoot } from '../platform/system-root.js';
import { UsageError, flagNumber, flagString, type ParsedArgs, type FlagSpecs } from './args.js';
import { parseBdfArg } from './command.js';
import { egpuCommand, gpuList, type KnownGpu } from './format/plan-text.js';

export const MAX_STEP_TIMEOUT_S = 3600;

/** --gpu BDF: the same as the BDF argument, for those used to `egpu clients --gpu`. */
export const GPU_FLAG: FlagSpecs = {
  gpu: { type: 'string', value: 'BDF', description: "the GPU's PCI address, instead of BDF" },
};

/** The GPU named by the BDF argument or --gpu BDF; undefined when neither names one. */
export function gpuFromArgs(args: ParsedArgs): string | undefined {
  const positional = args.positionals[0];
  const flag = flagString(args, 'gpu');
  const named = [positional, flag].flatMap((t) => (t === undefined ? [] : [parseBdfArg(t)]));
  if (named.length === 2 && named[0] !== named[1])
    throw new UsageError(
      `two GPUs named: '${positional}' and --gpu '${flag}'; one command handles one GPU`,
    );
  return named[0];
}

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

/**
 * `egpu eject` without an address: the one external GPU on the bus — what the tray's "Safely
 * eject" means too — else a usage error that names the GPUs to pick from.
 */
export function onlyExternalGpu(root: SystemRoot, carry: readonly string[]): string {
  const gpus = knownGpus(root);
  const external = gpus.filter((g) => g.external);
  if (external.length === 1) return external[0]!.bdf;
  if (external.length === 0)
    throw new UsageError(`there is no external GPU here to eject (${gpuList(gpus)})`);
  throw new UsageError(
    `${external.length} external GPUs are here: name the one to eject (${gpuList(gpus)}); e.g. ${egpuCommand('eject', external[0]!.bdf, ['--dry-run'], carry)}`,
  );
}
