// `egpu status`: the GPU inventory of this machine (or of a sysroot given with --root).

import { readInventory } from '../../inventory/inventory.js';
import { flagBool } from '../args.js';
import { JSON_FLAG, ROOT_FLAGS, systemRootFromArgs, type CommandDef } from '../command.js';
import { formatStatus } from '../format/status-text.js';

export const statusCommand: CommandDef = {
  name: 'status',
  summary: 'list GPUs: external or internal (with evidence), link, health, Thunderbolt, modules',
  usage: 'status [--json] [--root DIR]',
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
    io.stdout(
      flagBool(args, 'json') ? JSON.stringify(inventory, null, 2) + '\n' : formatStatus(inventory),
    );
    return Promise.resolve(0);
  },
};
