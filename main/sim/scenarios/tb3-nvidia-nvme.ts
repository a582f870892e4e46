// The TB3 laptop of tb3-nvidia with a chassis that carries more than the GPU: a Sonnet Echo III
// (Alpine Ridge) holding the RTX 3070 and an NVMe drive behind the second downstream port of the
// enclosure's switch, mounted. Both ride the same Thunderbolt tunnel: dropping it takes the drive.

import { CLASS, type Scenario } from '../scenario.js';
import { GEN3, enclosure, fn, link, port } from './parts.js';
import { tb3Nvidia } from './tb3-nvidia.js';

export const tb3NvidiaNvme: Scenario = {
  ...tb3Nvidia,
  name: 'tb3-nvidia-nvme',
  description: 'NVIDIA RTX 3070 and a mounted NVMe drive in one Thunderbolt 3 chassis',
  pci: [
    ...tb3Nvidia.pci,
    ...enclosure(
      [
        port('0000:09:04.0', '0000:08:00.0', 0x8086, 0x15d3, { link: link(GEN3, 4) }),
        fn('0000:0b:00.0', '0000:09:04.0', CLASS.nvme, 0x144d, 0xa80a, {
          driver: 'nvme',
          link: link(GEN3, 4),
          storage: {
            controller: 'nvme0',
            disk: 'nvme0n1',
            model: 'Samsung SSD 980 PRO 1TB',
            major: 259,
            minor: 0,
            partitions: [{ mount: '/run/media/alice/Projects' }],
          },
        }),
      ],
      true,
    ),
  ],
  thunderbolt: {
    ...tb3Nvidia.thunderbolt,
    routers: tb3Nvidia.thunderbolt.routers.map((r) =>
      r.id === '0-1' ? { ...r, vendor: 0x8, vendorName: 'Sonnet', deviceName: 'Echo III' } : r,
    ),
  },
};
