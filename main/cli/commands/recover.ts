// `egpu recover [BDF]`: bring an eGPU back after a re-plug or a cancelled eject.

import { createRecoverService } from '../../actions/recover/recover-service.js';
import { createFileGpuLocks, gpuLockDir } from '../../core/gpu-lock.js';
import { recoverBusy, withRecoverLock } from '../../core/locked-recover.js';
import { systemClock } from '../../platform/clock.js';
import { createDbusPort } from '../../platform/dbus.js';
import { defaultStatePath } from '../../platform/state-files.js';
import { refuseAction } from '../action-refusal.js';
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
  summary: 'bring an eGPU back: authorize its enclosure, remove a dead GPU, rescan, bind, verify',
  usage: 'recover [BDF] (--dry-run | --yes) [--json] [--step-timeout S] [--root DIR] [--no-dbus]',
  details:
    'Recovered means the GPU answers on the bus again (its config space reads back), is bound and ' +
    'has its /dev/dri nodes. Only Thunderbolt enclosures this machine has seen carry a GPU (or that ' +
    'bolt has stored) are authorized; a new device is listed with its unique_id, to approve in the ' +
    'eGPU Guard window. With a BDF of a GPU that is present, nothing is authorized. ' +
    'Exit codes: --dry-run 0 ready, 1 blocked; --yes 0 recovered, 1 not recovered (blocked, or ' +
    'the GPU is still not responding — reconnect the enclosure; if that fails, a reboot is needed), ' +
    '3 stuck; 2 bad input.',
  flags: {
    ...JSON_FLAG,
    root: ROOT_FLAGS['root']!,
    'dry-run': { type: 'boolean', description: 'show what would be done; change nothing' },
    yes: {
      type: 'boolean',
      description: 'do it (authorizing only an enclosure seen carrying the GPU before)',
    },
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
    // The lock eject takes too: no rescan or module reload in the middle of an eject.
    const locks = createFileGpuLocks(gpuLockDir(root, io.env));
    const busy = yes ? recoverBusy(locks, bdf) : null;
    if (busy !== null) return refuseAction('recover', busy, json, io);
    const unlocked = createRecoverService({
      root,
      clock: systemClock,
      privileged: privilegedFor(root, stepTimeout * 1000),
      dbus: flagBool(args, 'no-dbus') || sysroot ? null : createDbusPort({ env: io.env }),
      knownGpusPath: sysroot
        ? root.hostPath('/var/lib/egpu-guard/known-gpus.json')
        : defaultStatePath('known-gpus.json', io.env),
      stepTimeoutMs: stepTimeout * 1000,
    });
    const service = withRecoverLock(unlocked, locks);
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
    if (final.code !== undefined)
      return refuseAction('recover', { code: final.code, message: final.detail }, json, io);
    io.stdout(json ? JSON.stringify(final) + '\n' : formatFinal(final));
    return final.result === 'recovered' ? 0 : final.result === 'stuck' ? 3 : 1;
  },
};
