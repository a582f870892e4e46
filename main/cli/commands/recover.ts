// `egpu recover [BDF]`: bring an eGPU back after a re-plug or a cancelled eject.

import { createFileGpuLocks, gpuLockDir } from '../../actions/gpu-lock.js';
import { recoverBusy } from '../../core/locked-recover.js';
import { readUserFile } from '../../platform/user-files.js';
import { openActionCore } from '../action-core.js';
import { refuseAction } from '../action-refusal.js';
import {
  GPU_FLAG,
  carriedFlags,
  gpuFromArgs,
  presentGpus,
  stepTimeoutFromArgs,
} from '../action-args.js';
import { UsageError, flagBool, flagString } from '../args.js';
import { JSON_FLAG, ROOT_FLAGS, machineRootFromArgs, type CommandDef } from '../command.js';
import { requireFile } from '../files.js';
import {
  createStepPrinter,
  formatFinal,
  formatPlan,
  formatRunHeader,
  nextAfterRun,
  type NextContext,
} from '../format/plan-text.js';

export const recoverCommand: CommandDef = {
  name: 'recover',
  summary: 'bring an eGPU back: authorize its enclosure, remove a dead GPU, rescan, bind, verify',
  usage:
    'recover [BDF | --gpu BDF] (--dry-run | --yes) [--json] [--step-timeout S] [--root DIR] [--proc DIR] [--no-dbus] [--udev-log FILE]',
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
    // --proc: the apps that hold a GPU that does not respond are read from there (each one blocks
    // its removal, which would hang the NVIDIA driver).
    ...ROOT_FLAGS,
    ...GPU_FLAG,
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
    'udev-log': {
      type: 'string',
      value: 'FILE',
      description: 'confirm the GPU is back from this udevadm transcript too',
    },
  },
  positionals: { min: 0, max: 1 },
  async run(args, io) {
    const carry = carriedFlags(args);
    const bdf = gpuFromArgs(args) ?? null;
    const dry = flagBool(args, 'dry-run');
    const yes = flagBool(args, 'yes');
    if (dry === yes)
      throw new UsageError(
        dry
          ? '--dry-run and --yes together: choose one (--dry-run shows the plan, --yes runs it)'
          : 'choose --dry-run (show the plan) or --yes (run it)',
      );
    const stepTimeout = stepTimeoutFromArgs(args);
    const json = flagBool(args, 'json');
    const udevLogArg = flagString(args, 'udev-log');
    const udevLog = udevLogArg === undefined ? null : requireFile('udev-log', udevLogArg);
    // The lock eject takes too: no rescan or module reload in the middle of an eject. Told before
    // the plan; the recovery takes the lock itself.
    const locks = createFileGpuLocks(gpuLockDir(machineRootFromArgs(args), io.env));
    const busy = yes ? recoverBusy(locks, bdf) : null;
    if (busy !== null) return refuseAction('recover', busy, json, io);
    const core = await openActionCore(args, io, 'recover');
    try {
      const planned = await core.planRecover(bdf);
      if (!planned.ok) return refuseAction('recover', planned.error, json, io);
      const plan = planned.value;
      const ctx: NextContext = {
        bdf,
        carry,
        ...(plan.result === 'blocked' ? { gpus: presentGpus(core.snapshot()) } : {}),
      };
      if (dry) {
        io.stdout(json ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan, ctx));
        return plan.result === 'ready' ? 0 : 1;
      }
      const runs = plan.result === 'ready';
      if (!json && runs) io.stdout(formatRunHeader(plan));
      const printer = createStepPrinter(io.stdout);
      const run = core.runRecover(bdf, (p) =>
        json ? io.stdout(JSON.stringify(p) + '\n') : printer.onProgress(p),
      );
      // Ctrl+C cancels between steps.
      const cancel = (): void => run.cancel();
      io.signal.addEventListener('abort', cancel, { once: true });
      if (io.signal.aborted) run.cancel();
      let final = await run.done;
      io.signal.removeEventListener('abort', cancel);
      printer.finish();
      if (final.code !== undefined)
        return refuseAction('recover', { code: final.code, message: final.detail }, json, io);
      // The transcript the caller follows must show the GPU's return too (as eject's --udev-log
      // waits for its removal): otherwise udev consumers have not seen it yet.
      // A GPU that never left (the plan only verifies) has no return to report.
      const back = bdf ?? plan.gpu;
      const changes = plan.steps.some((s) => s.step !== 'verify');
      if (final.result === 'recovered' && udevLog !== null && back !== null && changes) {
        const seen = await waitForUdevAdd(udevLog, back, stepTimeout * 1000);
        if (!seen) {
          final = {
            result: 'failed',
            detail: `${back} answers on the bus, but udev did not report it within ${stepTimeout} s (${udevLogArg ?? udevLog}).`,
          };
        }
      }
      if (json) io.stdout(JSON.stringify(final) + '\n');
      else {
        io.stdout(runs ? formatFinal(final) : formatFinal(final).replace(/^\n/, ''));
        if (final.result === 'blocked') io.stdout(nextAfterRun(plan, ctx, printer.failed()) + '\n');
      }
      return final.result === 'recovered' ? 0 : final.result === 'stuck' ? 3 : 1;
    } finally {
      await core.close();
    }
  },
};

/** Polls a udevadm transcript for the `add` of the GPU's PCI device (UDEV or KERNEL header). */
async function waitForUdevAdd(file: string, bdf: string, timeoutMs: number): Promise<boolean> {
  const line = new RegExp(
    `^(?:UDEV|KERNEL)\\s*\\[[\\d.]+\\]\\s+(?:add|bind)\\s+\\S*/${bdf.replace(/\./g, '\\.')} \\(pci\\)$`,
    'm',
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = readUserFile(file);
    if (text.ok && line.test(Buffer.from(text.value).toString('utf8'))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
