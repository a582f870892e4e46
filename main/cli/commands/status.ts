// `egpu status`: the GPU inventory of this machine (or of a sysroot given with --root).

import { createEjectIntents, ejectIntentDir } from '../../actions/eject-intent.js';
import { loadKnownGpus } from '../../actions/known-gpus.js';
import { readInventory } from '../../inventory/inventory.js';
import { machineStatePath } from '../../platform/state-files.js';
import { flagBool, flagString } from '../args.js';
import { JSON_FLAG, ROOT_FLAGS, systemRootFromArgs, type CommandDef } from '../command.js';
import { formatStatus, troubledGpus } from '../format/status-text.js';

/** Exit status when some GPU is unreachable or stuck (the same code `egpu eject` uses for stuck). */
export const STATUS_EXIT_GPU_TROUBLE = 3;

export const statusCommand: CommandDef = {
  name: 'status',
  summary: 'list GPUs: external or internal (with evidence), link, health, Thunderbolt, modules',
  usage: 'status [--json] [--root DIR]',
  details: [
    'Link: the narrowest link between the root port and the GPU comes first (a Thunderbolt',
    'tunnel’s x4, an OCuLink x4), then the speed it runs at now: GPUs lower their link speed',
    'when idle, which is not a fault. DEGRADED means a link trained narrower than both its ends',
    'support, or a part of the path can do less than both the GPU and the root port. A',
    'runtime-suspended GPU is never woken to read it.',
    '',
    'Exit status: 0 when every GPU answers or sleeps; 1 when there is no PCI sysfs to read;',
    `2 for usage errors; ${STATUS_EXIT_GPU_TROUBLE} when a GPU is unreachable (fell off the bus: config space reads`,
    '0xffff) or stuck (runtime power management in error, or powered off although marked',
    'active). --json prints the same inventory and exits the same way.',
  ].join('\n'),
  flags: { ...JSON_FLAG, root: ROOT_FLAGS['root']! },
  positionals: { min: 0, max: 0 },
  run(args, io) {
    const root = systemRootFromArgs(args);
    if (!root.exists('/sys/bus/pci')) {
      io.stderr(
        `egpu status: no PCI sysfs at ${root.hostPath('/sys/bus/pci')} (is sysfs mounted?)\n`,
      );
      return Promise.resolve(1);
    }
    const inventory = readInventory(root);
    const rootFlag = flagString(args, 'root');
    // External GPUs seen here before (the core's known-GPUs file; a sysroot's own inside it).
    const remembered = loadKnownGpus(machineStatePath(root, 'known-gpus.json', io.env));
    // Safe ejects not undone since: their GPUs are away on purpose (read only; nothing is alive
    // to ask about, so every intent reads as finished).
    const ejected = createEjectIntents(ejectIntentDir(root, io.env), Date.now, () => false)
      .ejected()
      .map((e) => e.bdf);
    io.stdout(
      flagBool(args, 'json')
        ? JSON.stringify(inventory, null, 2) + '\n'
        : formatStatus(
            inventory,
            remembered,
            rootFlag === undefined ? [] : ['--root', rootFlag],
            ejected,
          ),
    );
    return Promise.resolve(troubledGpus(inventory).length > 0 ? STATUS_EXIT_GPU_TROUBLE : 0);
  },
};
