// `egpu eject BDF`: plan (--dry-run) or run (--yes) a safe eject of an external GPU.

import { planEject } from '../../actions/eject/eject-planner.js';
import { createEjectService } from '../../actions/eject/eject-service.js';
import { createEjectIntents, ejectIntentDir } from '../../actions/eject-intent.js';
import { alreadyRunning, createFileGpuLocks, gpuLockDir } from '../../actions/gpu-lock.js';
import { systemClock } from '../../platform/clock.js';
import { processAlive } from '../../platform/processes.js';
import { defaultStatePath } from '../../platform/state-files.js';
import { refuseAction } from '../action-refusal.js';
import { carriedFlags, missingAddress, stepTimeoutFromArgs } from '../action-args.js';
import { UsageError, flagBool, flagString } from '../args.js';
import {
  JSON_FLAG,
  ROOT_FLAGS,
  parseBdfArg,
  systemRootFromArgs,
  type CommandDef,
} from '../command.js';
import { requireFile } from '../files.js';
import {
  createStepPrinter,
  formatFinal,
  formatPlan,
  formatRunHeader,
  nextAfterRun,
  type NextContext,
} from '../format/plan-text.js';
import { privilegedFor } from '../privileged-setup.js';

export const ejectCommand: CommandDef = {
  name: 'eject',
  summary: 'safely eject an external GPU: close its apps, release it, remove it, drop the tunnel',
  usage:
    'eject BDF (--dry-run | --yes) [--close-apps] [--force] [--json] [--step-timeout S] [--root DIR] [--proc DIR] [--udev-log FILE]',
  details:
    'Exit codes: --dry-run 0 when ready, 1 when blocked; --yes 0 only when the GPU is safe to unplug,\n' +
    '1 blocked/failed/cancelled, 3 stuck in the driver; 2 for bad input. Ctrl+C cancels between steps.\n' +
    'One eject or recovery per GPU at a time (tray app and browser mode included): a second one\n' +
    'exits 1 with "an eject of this GPU is already running (pid N)" (code already-running).',
  flags: {
    ...JSON_FLAG,
    ...ROOT_FLAGS,
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
    const bdfArg = args.positionals[0];
    if (bdfArg === undefined) throw missingAddress(systemRootFromArgs(args), carry);
    const bdf = parseBdfArg(bdfArg);
    const dry = flagBool(args, 'dry-run');
    const yes = flagBool(args, 'yes');
    if (dry === yes) throw new UsageError('choose --dry-run (show the plan) or --yes (run it)');
    const json = flagBool(args, 'json');
    const stepTimeout = stepTimeoutFromArgs(args);
    const udevLogArg = flagString(args, 'udev-log');
    const root = systemRootFromArgs(args);
    const locks = createFileGpuLocks(gpuLockDir(root, io.env));
    const service = createEjectService({
      root,
      clock: systemClock,
      privileged: privilegedFor(root, stepTimeout * 1000),
      intents: createEjectIntents(ejectIntentDir(root, io.env), () => Date.now(), processAlive),
      locks,
      ...(udevLogArg === undefined ? {} : { udevLog: requireFile('udev-log', udevLogArg) }),
      uid: process.getuid?.() ?? null,
      stepTimeoutMs: stepTimeout * 1000,
      // The same state folder `egpu recover` reads (a sysroot keeps its own).
      knownEnclosuresPath:
        root.root !== '/'
          ? root.hostPath('/var/lib/egpu-guard/known-enclosures.json')
          : defaultStatePath('known-enclosures.json', io.env),
    });
    // Told before the plan: the plan of a GPU another eject is removing says nothing useful. The
    // service takes the lock itself (two may pass this check together; one of them gets it).
    const held = yes ? locks.holder(bdf) : null;
    if (held !== null)
      return refuseAction('eject', alreadyRunning(held.owner, held.key, bdf), json, io);
    const facts = await service.facts(bdf);
    const plan = planEject(facts);
    const force = flagBool(args, 'force');
    const closeApps = force || flagBool(args, 'close-apps');
    const ctx: NextContext = {
      bdf,
      carry,
      closeApps,
      force,
      gpus: facts.inventory.gpus.map((g) => ({ bdf: g.bdf, name: g.name, external: g.external })),
    };
    if (dry) {
      io.stdout(json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan, ctx));
      return plan.result === 'ready' ? 0 : 1;
    }
    // Runs only when every blocker is an app the user agreed to close; the service decides.
    const runs = plan.blockers.every((b) => b.closable) && (plan.result === 'ready' || closeApps);
    if (!json && runs) io.stdout(formatRunHeader(plan));
    const printer = createStepPrinter(io.stdout);
    const final = await service.execute(
      facts,
      {
        closePids: closeApps
          ? plan.blockers.flatMap((b) => (b.closable && b.pid !== undefined ? [b.pid] : []))
          : [],
        force,
      },
      (p) => (json ? io.stdout(JSON.stringify(p) + '\n') : printer.onProgress(p)),
      () => io.signal.aborted,
    );
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
  },
};
