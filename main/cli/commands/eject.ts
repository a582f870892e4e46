// `egpu eject BDF`: plan (--dry-run) or run (--yes) a safe eject of an external GPU.

import { alreadyRunning, createFileGpuLocks, gpuLockDir } from '../../actions/gpu-lock.js';
import { openActionCore, type ActionCore } from '../action-core.js';
import { refuseAction } from '../action-refusal.js';
import {
  GPU_FLAG,
  carriedFlags,
  gpuFromArgs,
  onlyExternalGpu,
  presentGpus,
} from '../action-args.js';
import { UsageError, flagBool, type ParsedArgs } from '../args.js';
import {
  JSON_FLAG,
  ROOT_FLAGS,
  machineRootFromArgs,
  type CliIo,
  type CommandDef,
} from '../command.js';
import {
  createStepPrinter,
  formatFinal,
  formatPlan,
  formatRunHeader,
  nextAfterRun,
  type NextContext,
} from '../format/plan-text.js';

export const ejectCommand: CommandDef = {
  name: 'eject',
  summary: 'safely eject an external GPU: close its apps, release it, remove it, drop the tunnel',
  usage:
    'eject [BDF | --gpu BDF] (--dry-run | --yes) [--close-apps] [--force] [--json] [--step-timeout S] [--root DIR] [--proc DIR] [--udev-log FILE]',
  details:
    'Without BDF it ejects the one external GPU there is (with several, name one).\n' +
    'Exit codes: --dry-run 0 when ready (with --close-apps: when only apps to close stand in the way),\n' +
    '1 when blocked; --yes 0 only when the GPU is safe to unplug,\n' +
    '1 blocked/failed/cancelled, 3 stuck in the driver; 2 for bad input. Ctrl+C cancels between steps.\n' +
    'One eject or recovery per GPU at a time (tray app and browser mode included): a second one\n' +
    'exits 1 with "an eject of this GPU is already running (pid N)" (code already-running).',
  flags: {
    ...JSON_FLAG,
    ...ROOT_FLAGS,
    ...GPU_FLAG,
    'dry-run': { type: 'boolean', description: 'show the plan and its blockers; change nothing' },
    yes: {
      type: 'boolean',
      description: 'run the plan (kernel writes through the privileged helper)',
    },
    'close-apps': {
      type: 'boolean',
      description: 'ask the apps that hold the GPU to quit (SIGTERM)',
    },
    force: {
      type: 'boolean',
      description: 'kill (SIGKILL) apps that did not quit; implies --close-apps',
    },
    'step-timeout': {
      type: 'number',
      value: 'SECONDS',
      description: 'how long one kernel write may take before it counts as stuck (default 20)',
    },
    'udev-log': {
      type: 'string',
      value: 'FILE',
      description: 'confirm the removal from this udevadm transcript too',
    },
  },
  positionals: { min: 0, max: 1 },
  async run(args, io) {
    const carry = carriedFlags(args);
    const dry = flagBool(args, 'dry-run');
    const yes = flagBool(args, 'yes');
    if (dry === yes)
      throw new UsageError(
        dry
          ? '--dry-run and --yes together: choose one (--dry-run shows the plan, --yes runs it)'
          : 'choose --dry-run (show the plan) or --yes (run it)',
      );
    const root = machineRootFromArgs(args);
    const bdf = gpuFromArgs(args) ?? onlyExternalGpu(root, carry);
    const core = await openActionCore(args, io, 'eject');
    try {
      return await eject(core, bdf, dry, args, io);
    } finally {
      await core.close();
    }
  },
};

async function eject(
  core: ActionCore,
  bdf: string,
  dry: boolean,
  args: ParsedArgs,
  io: CliIo,
): Promise<number> {
  const json = flagBool(args, 'json');
  const carry = carriedFlags(args);
  // Told before the plan: the plan of a GPU another eject is removing says nothing useful. The
  // eject takes the lock itself (two may pass this check together; one of them gets it).
  const held = dry
    ? null
    : createFileGpuLocks(gpuLockDir(machineRootFromArgs(args), io.env)).holder(bdf);
  if (held !== null)
    return refuseAction('eject', alreadyRunning(held.owner, held.key, bdf), json, io);
  const planned = await core.planEject(bdf);
  if (!planned.ok) return refuseAction('eject', planned.error, json, io);
  const plan = planned.value;
  const force = flagBool(args, 'force');
  const closeApps = force || flagBool(args, 'close-apps');
  const ctx: NextContext = {
    bdf,
    carry,
    closeApps,
    force,
    ...(plan.result === 'blocked' ? { gpus: presentGpus(core.snapshot()) } : {}),
  };
  // Runs only when every blocker is an app the user agreed to close; the eject decides.
  const runs = plan.blockers.every((b) => b.closable) && (plan.result === 'ready' || closeApps);
  if (dry) {
    io.stdout(json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan, ctx));
    // What --yes with the same flags would do: a script's `--dry-run … && --yes …` goes on.
    return runs ? 0 : 1;
  }
  if (!json && runs) io.stdout(formatRunHeader(plan));
  const printer = createStepPrinter(io.stdout);
  // Run right after the plan, the core runs exactly the plan printed above (main/core/
  // core-actions.ts); a core that gathers its facts again (a later run, another core) catches
  // what changed in between: only the apps of the printed plan are closed (closePids), an app that
  // started using the GPU since blocks the run, and the executor re-checks who holds the GPU right
  // before its first kernel write.
  const run = core.runEject(
    bdf,
    {
      closePids: closeApps
        ? plan.blockers.flatMap((b) => (b.closable && b.pid !== undefined ? [b.pid] : []))
        : [],
      force,
    },
    (p) => (json ? io.stdout(JSON.stringify(p) + '\n') : printer.onProgress(p)),
  );
  // Ctrl+C cancels between steps.
  const cancel = (): void => run.cancel();
  io.signal.addEventListener('abort', cancel, { once: true });
  if (io.signal.aborted) run.cancel();
  const final = await run.done;
  io.signal.removeEventListener('abort', cancel);
  printer.finish();
  if (final.code !== undefined)
    return refuseAction('eject', { code: final.code, message: final.detail }, json, io);
  if (json) io.stdout(JSON.stringify(final) + '\n');
  else {
    // Nothing printed yet when it never started: no blank line before the result then.
    io.stdout(runs ? formatFinal(final) : formatFinal(final).replace(/^\n/, ''));
    if (final.result === 'blocked') io.stdout(nextAfterRun(plan, ctx, printer.failed()) + '\n');
  }
  return final.result === 'safe-to-unplug' ? 0 : final.result === 'stuck' ? 3 : 1;
}
