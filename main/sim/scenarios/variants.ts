// Failure variants of the healthy scenarios: the same machines after something went wrong.

import type { PciFunctionSpec, Scenario } from '../scenario.js';
import { tb3Nvidia } from './tb3-nvidia.js';
import { usb4Amd } from './usb4-amd.js';

const patch = (
  s: Scenario,
  name: string,
  description: string,
  fnPatch: (p: PciFunctionSpec) => PciFunctionSpec,
): Scenario => ({
  ...s,
  name,
  description,
  pci: s.pci.map(fnPatch),
});

/** The RTX 3070 fell off the bus: config space reads all ones, the link is gone. */
export const fellOffBus: Scenario = patch(
  tb3Nvidia,
  'fell-off-bus',
  'NVIDIA eGPU over Thunderbolt 3 that fell off the bus (config space reads 0xff)',
  (p) =>
    p.bdf === '0000:0a:00.0' || p.bdf === '0000:0a:00.1'
      ? {
          ...p,
          config: 'dead',
          link: { speed: 'Unknown', width: 0, maxSpeed: 'Unknown', maxWidth: 0 },
        }
      : p,
);

/** The RX 6800 eGPU is idle and runtime-suspended (D3cold): reading config would wake it. */
export const suspendedEgpu: Scenario = patch(
  usb4Amd,
  'suspended',
  'AMD eGPU over USB4, runtime-suspended (D3cold)',
  (p) =>
    p.bdf === '0000:66:00.0' || p.bdf === '0000:66:00.1'
      ? { ...p, runtimeStatus: 'suspended', powerState: 'D3cold' }
      : p,
);
