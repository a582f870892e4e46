// Snapshots, plans and advice for renderer tests. The GPU inventories are FakeCore's (the same
// tb3-nvidia machine browser mode shows), imported as plain data.

import type { ActionPlan, CompositorAdvice } from '../../main/common/actions-model.js';
import type { ClientInfo } from '../../main/common/clients-model.js';
import type { AppInfo } from '../../main/common/ipc/contract.js';
import type { GpuEntry, GpuLifecycle, Incident, Snapshot } from '../../main/common/snapshot.js';
import {
  COMPOSITOR_ADVICE,
  DESKTOP_CLIENTS,
  EGPU_INFO,
  IGPU_INFO,
  OLLAMA,
} from '../../main/core/test/fake-core-data.js';

export { COMPOSITOR_ADVICE, OLLAMA };
export const EGPU = EGPU_INFO.bdf;
export const T0 = 1_750_000_000_000;

export function egpuEntry(state: GpuLifecycle = 'in-use', patch: Partial<GpuEntry> = {}): GpuEntry {
  return {
    bdf: EGPU_INFO.bdf,
    name: EGPU_INFO.name,
    vendorId: EGPU_INFO.vendorId,
    deviceId: EGPU_INFO.deviceId,
    external: true,
    enclosure: EGPU_INFO.enclosure,
    state,
    since: T0,
    present: true,
    info: EGPU_INFO,
    clients: state === 'in-use' ? [OLLAMA] : [],
    clientsAt: T0,
    incident: null,
    departure: null,
    ...patch,
  };
}

export const igpuEntry = (): GpuEntry => ({
  bdf: IGPU_INFO.bdf,
  name: IGPU_INFO.name,
  vendorId: IGPU_INFO.vendorId,
  deviceId: IGPU_INFO.deviceId,
  external: false,
  enclosure: null,
  state: 'in-use',
  since: T0,
  present: true,
  info: IGPU_INFO,
  clients: DESKTOP_CLIENTS,
  clientsAt: T0,
  incident: null,
  departure: null,
});

export const incident = (id: string, at: number, title: string): Incident => ({
  id,
  gpu: EGPU,
  gpuName: EGPU_INFO.name,
  kind: 'surprise-removal',
  severity: 'critical',
  title,
  openedAt: at,
  updatedAt: at,
  evidence: [
    { at, source: 'kernel', text: 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down' },
    { at: at + 2, source: 'udev', text: 'remove /devices/…/0000:0a:00.0 (pci)' },
  ],
  meaning: ['The eGPU disappeared without being ejected first.'],
  nextSteps: ['Reconnect the enclosure, then use Recover.', 'Check the cable.'],
});

export function snapshot(patch: Partial<Snapshot> = {}): Snapshot {
  return {
    gpus: [igpuEntry(), egpuEntry()],
    incidents: [],
    thunderbolt: [],
    pendingDevices: [],
    sources: [
      { name: 'kernel-log', state: 'running', detail: '', via: 'journal' },
      { name: 'udev', state: 'running', detail: '', via: 'replay' },
    ],
    preparingForSleep: false,
    updatedAt: T0,
    ...patch,
  };
}

export const appInfo = (mode: AppInfo['mode'] = 'browser'): AppInfo => ({
  mode,
  version: '0.1.0',
  trayHost: null,
  notice: null,
});

export const client = (pid: number, comm: string, role: ClientInfo['role']): ClientInfo => ({
  ...OLLAMA,
  pid,
  comm,
  role,
});

export const ejectPlan = (blockers: ActionPlan['blockers'] = [ollamaBlocker]): ActionPlan => ({
  action: 'eject',
  gpu: EGPU,
  name: EGPU_INFO.name,
  result: blockers.length === 0 ? 'ready' : 'blocked',
  blockers,
  steps: [
    {
      step: 'close-app',
      detail: 'Ask ollama (pid 4242) to quit (SIGTERM)',
      privileged: false,
      pid: 4242,
      comm: 'ollama',
    },
    {
      step: 'unbind',
      detail: 'Detach the nvidia driver from 0000:0a:00.0',
      privileged: true,
      helper: ['unbind', EGPU],
    },
    {
      step: 'remove',
      detail: 'Remove the PCI devices',
      privileged: true,
      helper: ['remove', EGPU],
    },
    { step: 'safe-to-unplug', detail: 'Tell you it is safe to unplug', privileged: false },
  ],
  warnings: [],
});

export const ollamaBlocker = {
  kind: 'client',
  reason: 'ollama (pid 4242) uses it for compute (CUDA).',
  pid: 4242,
  comm: 'ollama',
  closable: true,
} as const;

export const recoverPlan = (): ActionPlan => ({
  action: 'recover',
  gpu: EGPU,
  name: EGPU_INFO.name,
  result: 'ready',
  blockers: [],
  steps: [
    { step: 'rescan', detail: 'Rescan the PCI bus', privileged: true, helper: ['rescan'] },
    { step: 'verify', detail: 'Check that /dev/dri/card* is back', privileged: false },
  ],
  warnings: [],
});

export const advice = (): CompositorAdvice => COMPOSITOR_ADVICE;
