// `egpu clients`: which processes use each GPU, and how (fds, mappings, driver-wide nodes).
// Reading /proc is most of its time, so the scan starts first, before the rest of the command is
// even loaded (README, "Figures": clients vs fuser): in the C scanner where it was built, else
// shared with a worker thread.

import { nativeScan, nativeScanner } from '../../platform/native-scan.js';
import {
  procScanRequest,
  procScanTarget,
  sharedScan,
  type ProcScanJob,
} from '../../platform/proc-scan.js';
import { flagBool, flagString } from '../args.js';
import {
  JSON_FLAG,
  ROOT_FLAGS,
  parseBdfArg,
  machineRootFromArgs,
  type CommandDef,
} from '../command.js';

export const clientsCommand: CommandDef = {
  name: 'clients',
  summary: 'list processes using each GPU (compositor, Xwayland, CUDA jobs, browsers …)',
  usage: 'clients [--gpu BDF] [--json] [--root DIR] [--proc DIR]',
  details:
    'Without root only your own processes can be inspected; the count of the others is shown.',
  flags: {
    ...JSON_FLAG,
    ...ROOT_FLAGS,
    gpu: {
      type: 'string',
      value: 'BDF',
      description: 'only processes using this GPU (e.g. 0000:06:00.0)',
    },
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const gpuArg = flagString(args, 'gpu');
    const gpu = gpuArg === undefined ? undefined : parseBdfArg(gpuArg);
    const root = machineRootFromArgs(args);
    let noOpt: (() => void) | undefined; // node:v8 loads below, with the rest (~2 ms)
    // A worker thread starts on the scan now and boots while this thread loads the inventory
    // code and reads sysfs; then both take chunks of pids until none is left.
    const target = procScanTarget(root);
    const shared = (): ProcScanJob =>
      sharedScan(procScanRequest(target), {
        // Once both threads scan, V8's optimizing compiler only gets in the way: on two cores
        // its background compiles took ~170 ms of CPU from the scan (perf, 2,000 processes), and
        // this command ends before optimized code pays that back. Switched off only once the
        // worker has booted: V8 uses cached code only under the flags it was made with, so
        // Node's own modules loaded after the switch compile from source.
        whenWorkerScans: () => noOpt?.(),
      });
    // The C scanner where it was built (native-scan.ts), else two threads of TypeScript.
    const program = nativeScanner();
    const processes = program === null ? shared() : nativeScan(target, program, shared);
    const [{ readInventory }, { scanClients }] = await Promise.all([
      import('../../inventory/inventory.js'),
      import('../../inventory/clients/scan-clients.js'),
      import('node:v8').then((v8) => (noOpt = () => v8.setFlagsFromString('--no-opt'))),
    ]);
    const inventory = readInventory(root);
    const report = await scanClients(
      root,
      inventory,
      gpu === undefined ? { processes } : { gpu, processes },
    );
    if (
      gpu !== undefined &&
      !inventory.gpus.some((g) => g.bdf === gpu) &&
      report.clients.length === 0
    ) {
      const known = inventory.gpus.map((g) => g.bdf).join(', ') || 'none';
      io.stderr(`egpu clients: no GPU at ${gpu} (GPUs here: ${known})\n`);
      return 1;
    }
    io.stdout(
      flagBool(args, 'json')
        ? JSON.stringify(
            { clients: report.clients, uninspectable: report.uninspectable },
            null,
            2,
          ) + '\n'
        : (await import('../format/clients-text.js')).formatClients(report, inventory, gpu),
    );
    return 0;
  },
};
