// Test support: snapshots with GPUs in any lifecycle state, for the tray and notification tests.

import type { ClientInfo } from '../../main/common/clients-model.js';
import type {
  GpuEntry,
  GpuLifecycle,
  Incident,
  PendingDevice,
  Snapshot,
} from '../../main/common/snapshot.js';

export const EGPU = '0000:0a:00.0';
export const EGPU2 = '0000:3c:00.0';
export const IGPU = '0000:00:02.0';

export const client = (pid: number, comm: string): ClientInfo =>
  ({ pid, comm }) as unknown as ClientInfo;

export function gpu(bdf: string, state: GpuLifecycle, over: Partial<GpuEntry> = {}): GpuEntry {
  return {
    bdf,
    name: 'NVIDIA GeForce RTX 3070',
    vendorId: '0x10de',
    deviceId: '0x2484',
    external: true,
    enclosure: { name: 'Razer Core X', router: '0-1', uniqueId: 'dc01' },
    state,
    since: 0,
    present: ['attached', 'in-use', 'ejecting', 'fell-off-bus', 'stuck'].includes(state),
    info: null,
    clients: state === 'in-use' ? [client(2231, 'ollama'), client(4410, 'blender')] : [],
    clientsAt: 0,
    incident: null,
    departure: null,
    ...over,
  };
}

export const igpu = (state: GpuLifecycle = 'in-use'): GpuEntry =>
  gpu(IGPU, state, { name: 'Intel Iris Xe Graphics', external: false, enclosure: null });

export function snapshot(gpus: readonly GpuEntry[], over: Partial<Snapshot> = {}): Snapshot {
  return {
    gpus,
    incidents: [],
    thunderbolt: [],
    pendingDevices: [],
    sources: [],
    preparingForSleep: false,
    updatedAt: 1,
    ...over,
  };
}

export const pendingRouter = (over: Partial<PendingDevice> = {}): PendingDevice => ({
  router: '0-1',
  host: false,
  vendorId: '0x127',
  vendorName: 'Razer',
  deviceId: '0x1',
  deviceName: 'Core X',
  authorized: 0,
  uniqueId: 'dc01',
  generation: 3,
  known: true,
  ...over,
});

export const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'inc-1',
  gpu: EGPU,
  gpuName: 'NVIDIA GeForce RTX 3070',
  kind: 'wedged',
  severity: 'critical',
  title: 'NVIDIA GeForce RTX 3070 GPU wedged',
  openedAt: 1,
  updatedAt: 1,
  evidence: [],
  meaning: [],
  nextSteps: [],
  ...over,
});
