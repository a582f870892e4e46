// `egpu recover [BDF]`: bring an eGPU back after a re-plug or a cancelled eject.

import { createRecoverService } from '../../actions/recover/recover-service.js';
import { systemClock } from '../../platform/clock.js';
import { createDbusPort } from '../../platform/dbus.js';
import { defaultStatePath } from '../../platform/state-files.js';
import { UsageError, flagBool, flagNumber } from '../args.js';
import {
  JSON_FLAG,
  ROOT_FLAGS,
  parseBdfArg,
  systemRootFromArgs,
  type CommandDef,
} from '../command.js';
import { formatFinal, formatPlan, formatProgress } from '../format/plan-text.js';
import { privilegedFor } from '../privileged-setup.js';

export const recoverCommand: CommandDef = {
  name: 'recover',
  summary: 'bring an eGPU back: authorize, rescan PCI, bind, reload nvidia_drm, verify',
  usage: 'recover [BDF] (--dry-run | --yes) [--json] [--step-timeout S] [--root DIR] [--no-dbus]',
  details:
    'Exit codes: --dry-run 0 ready, 1 blocked; --yes 0 recovered, 1 not, 3 stuck; 2 bad input.',
  flags: {
    ...JSON_FLAG,
    root: ROOT_FLAGS['root']!,
    'dry-run': { type: 'boolean', description: 'show what would be done; change nothing' },
    yes: { type: 'boolean', description: 'do it (authorizing the Thunderbolt device included)' },
    'step-timeout': {
      type: 'number',
      value: 'SECONDS',
      description: 'how long each stage may take (default 20)',
    },
    'no-dbus': { type: 'boolean', description: 'do not use bolt; authorize through the helper' },
  },
  positionals: { min: 0, max: 1 },
  async run(args, io) {
    const bdfArg = args.positionals[0];
    const bdf = bdfArg === undefined ? null : parseBdfArg(bdfArg);
    const dry = flagBool(args, 'dry-run');
    const yes = flagBool(args, 'yes');
    if (dry === yes) throw new UsageError('choose --dry-run (show the plan) or --yes (run it)');
    const stepTimeout = flagNumber(args, 'step-timeout') ?? 20;
    if (stepTimeout <= 0 || stepTimeout > 3600)
      throw new UsageError('--step-timeout must be between 0 and 3600 seconds');
    const json = flagBool(args, 'json');
    const root = systemRootFromArgs(args);
    const sysroot = root.root !== '/';
    const service = createRecoverService({
      root,
      clock: systemClock,
      privileged: privilegedFor(root, stepTimeout * 1000),
      dbus: flagBool(args, 'no-dbus') || sysroot ? null : createDbusPort({ env: io.env }),
      knownGpusPath: sysroot
        ? root.hostPath('/var/lib/egpu-guard/known-gpus.json')
        : defaultStatePath('known-gpus.json', io.env),
      stepTimeoutMs: stepTimeout * 1000,
    });
    const plan = await service.plan(bdf);
    if (dry) {
      io.stdout(json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan));
      return plan.result === 'ready' ? 0 : 1;
    }
    if (!json) io.stdout(formatPlan(plan) + '\n');
    const final = await service.run(
      bdf,
      (p) => io.stdout((json ? JSON.stringify(p) : formatProgress(p)) + '\n'),
      () => io.signal.aborted,
    );
    io.stdout(json ? JSON.stringify(final) + '\n' : formatFinal(final));
    return final.result === 'recovered' ? 0 : final.result === 'stuck' ? 3 : 1;
  },
};
