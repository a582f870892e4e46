// Plans FakeCore hands out: pure functions of the fake machine's state, shaped like the real
// planner's (main/actions/, being written): blockers in plain words first, then every step.

import type { ActionPlan, Blocker, PlanStep } from '../../common/actions-model.js';
import type { ClientInfo } from '../../common/clients-model.js';
import type { GpuEntry } from '../../common/snapshot.js';

const CLOSABLE_ROLES: ReadonlySet<ClientInfo['role']> = new Set(['compute', 'browser', 'other']);

const ROLE_WORDS: Readonly<Record<ClientInfo['role'], string>> = {
  compositor: 'drives your desktop with it',
  'x-server': 'is the X server running on it',
  xwayland: 'is Xwayland, which renders X11 apps on it',
  'display-manager': 'is the login screen running on it',
  compute: 'uses it for compute (CUDA)',
  browser: 'uses it for web content',
  other: 'has it open',
};

const plan = (
  action: ActionPlan['action'],
  gpu: GpuEntry,
  blockers: readonly Blocker[],
  steps: readonly PlanStep[],
  warnings: readonly string[] = [],
): ActionPlan => ({
  action,
  gpu: gpu.bdf,
  name: gpu.name,
  result: blockers.length === 0 ? 'ready' : 'blocked',
  blockers,
  steps,
  warnings,
});

export function fakeEjectPlan(gpu: GpuEntry): ActionPlan {
  if (!gpu.external) {
    const reason = `${gpu.name} is built into this computer; only external GPUs can be ejected.`;
    return plan('eject', gpu, [{ kind: 'internal', reason, closable: false }], []);
  }
  if (!gpu.present) {
    const reason = `${gpu.name} is not attached right now, so there is nothing to eject.`;
    return plan('eject', gpu, [{ kind: 'not-present', reason, closable: false }], []);
  }
  const clients = gpu.clients ?? [];
  const blockers: Blocker[] = clients.map((c) => ({
    kind: 'client',
    reason: `${c.comm} (pid ${c.pid}) ${ROLE_WORDS[c.role]}.`,
    pid: c.pid,
    comm: c.comm,
    closable: CLOSABLE_ROLES.has(c.role),
  }));
  const top = gpu.info?.enclosureTop ?? gpu.bdf;
  const router = gpu.enclosure?.router ?? null;
  const steps: PlanStep[] = [
    ...clients.map((c): PlanStep => ({
      step: 'close-app',
      detail: `Ask ${c.comm} (pid ${c.pid}) to quit (SIGTERM)`,
      privileged: false,
      pid: c.pid,
      comm: c.comm,
    })),
    {
      step: 'unbind',
      detail: `Detach the ${gpu.info?.driver ?? 'GPU'} driver from ${gpu.bdf}`,
      privileged: true,
      helper: ['unbind', gpu.bdf],
    },
    {
      step: 'remove',
      detail: `Remove the enclosure's PCI devices (${top} and below)`,
      privileged: true,
      helper: ['remove', top],
    },
    ...(router === null
      ? []
      : [
          {
            step: 'drop-tunnel',
            detail: `Drop the Thunderbolt tunnel to ${gpu.enclosure?.name ?? router}`,
            privileged: true,
            helper: ['tb-deauthorize', router],
          } satisfies PlanStep,
        ]),
    {
      step: 'confirm-removal',
      detail: 'Check that the GPU is gone from the bus',
      privileged: false,
    },
    { step: 'safe-to-unplug', detail: 'Tell you it is safe to unplug', privileged: false },
  ];
  return plan('eject', gpu, blockers, steps);
}

export function fakeRecoverPlan(gpu: GpuEntry, cablePlugged: boolean): ActionPlan {
  if (!cablePlugged) {
    const where = gpu.enclosure?.name ?? 'enclosure';
    const reason = `The ${where} is not connected. Plug it in first.`;
    return plan('recover', gpu, [{ kind: 'not-present', reason, closable: false }], []);
  }
  if (gpu.state === 'attached' || gpu.state === 'in-use' || gpu.state === 'ejecting') {
    const reason = 'Nothing to recover: the GPU is attached and answering.';
    return plan('recover', gpu, [{ kind: 'unsupported', reason, closable: false }], []);
  }
  const router = gpu.enclosure?.router ?? '0-1';
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  if (gpu.state === 'connected') {
    steps.push({
      step: 'authorize',
      detail: `Authorize the Thunderbolt device ${gpu.enclosure?.name ?? router}`,
      privileged: true,
      helper: ['tb-authorize', router],
    });
  }
  if (gpu.state === 'fell-off-bus') {
    const holders = (gpu.clients ?? []).map((c) => c.comm);
    if (holders.length > 0) {
      warnings.push(`Still holding the dead GPU: ${holders.join(', ')}. They may crash.`);
    }
    const top = gpu.info?.enclosureTop ?? gpu.bdf;
    steps.push({
      step: 'remove',
      detail: `Remove the dead PCI devices (${top} and below)`,
      privileged: true,
      helper: ['remove', top],
    });
  }
  steps.push(
    { step: 'rescan', detail: 'Rescan the PCI bus', privileged: true, helper: ['rescan'] },
    {
      step: 'bind',
      detail: `Bind ${gpu.bdf} to its driver`,
      privileged: true,
      helper: ['bind', gpu.bdf],
    },
    { step: 'verify', detail: 'Check that /dev/dri/card* is back', privileged: false },
  );
  return plan('recover', gpu, [], steps, warnings);
}
