// Every scenario by name: the machines tests, benchmarks and the demo run against.

import type { Scenario } from '../scenario.js';
import { desktopSingle } from './desktop-single.js';
import { dgpuNvidiaEgpu } from './dgpu-nvidia-egpu.js';
import { lab } from './lab.js';
import { oculinkAmd } from './oculink-amd.js';
import { oculinkDirect } from './oculink-direct.js';
import { oculinkTbDock } from './oculink-tb-dock.js';
import { REAL_TOPOLOGIES } from './real-topologies.js';
import { tb3Nvidia } from './tb3-nvidia.js';
import { tb3NvidiaNvme } from './tb3-nvidia-nvme.js';
import { usb4Amd } from './usb4-amd.js';
import { fellOffBus, suspendedEgpu } from './variants.js';

export const SCENARIOS: readonly Scenario[] = [
  tb3Nvidia,
  usb4Amd,
  dgpuNvidiaEgpu,
  oculinkAmd,
  desktopSingle,
  fellOffBus,
  suspendedEgpu,
  lab,
  tb3NvidiaNvme,
  oculinkTbDock,
  oculinkDirect,
];

/** A scenario of SCENARIOS, or one of the real-topology machines kept out of that list. */
export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name) ?? REAL_TOPOLOGIES.find((s) => s.name === name);
}
