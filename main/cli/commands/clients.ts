// `egpu clients`: which processes use each GPU, and how (fds, mappings, driver-wide nodes).

import { scanClients } from '../../inventory/clients/scan-clients.js';
import { readInventory } from '../../inventory/inventory.js';
import { flagBool, flagString } from '../args.js';
import {
  JSON_FLAG,
  ROOT_FLAGS,
  parseBdfArg,
  systemRootFromArgs,
  type CommandDef,
} from '../command.js';
import { formatClients } from '../format/clients-text.js';

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
    const root = systemRootFromArgs(args);
    const inventory = readInventory(root);
    const report = await scanClients(root, inventory, gpu === undefined ? {} : { gpu });
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
        : formatClients(report, inventory),
    );
    return 0;
  },
};
