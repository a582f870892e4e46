// Failure variants of the healthy scenarios: the same machines after something went wrong.

import type { PciFunctionSpec, Scenario } from '../scenario.js';
import { oculinkAmd } from './oculink-amd.js';
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

/**
 * The OCuLink mini PC as most firmware leaves it: no ExternalFacingPort, so no `removable`
 * anywhere — the eGPU looks internal until an administrator lists it in
 * /etc/egpu-guard/removable.conf. Not in SCENARIOS: the tests that need it name it.
 */
export const oculinkUnmarked: Scenario = patch(
  oculinkAmd,
  'oculink-unmarked',
  'AMD RX 7900 XTX over OCuLink, port not marked external by the firmware',
  (p) => {
    const { removable: _removable, ...rest } = p;
    return rest;
  },
);
