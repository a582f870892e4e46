// The recovery planner: after a re-plug or a cancelled eject, what brings the eGPU back —
// authorize its Thunderbolt device (bolt, with the user's consent), rescan PCI, bind the driver,
// reload nvidia_drm/nvidia_modeset when the card node does not appear (only when no other GPU
// uses them), and verify the /dev/dri nodes. Pure; the executor re-checks after each stage,
// because what a rescan finds decides the later steps.

import type { ActionPlan, Blocker, PlanStep } from '../../common/actions-model.js';
import type {
  GpuInfo,
  Inventory,
  ThunderboltDomain,
  ThunderboltRouter,
} from '../../common/inventory-model.js';
import type { KnownGpu } from '../../state/facts.js';

export type RecoverFacts = {
  /** The GPU asked for (bdf), or null: every remembered eGPU and every waiting Thunderbolt device. */
  readonly bdf: string | null;
  readonly inventory: Inventory;
  readonly known: readonly KnownGpu[];
  /** bolt runs on the system bus: authorize through it rather than writing sysfs. */
  readonly boltAvailable: boolean;
};

/** The PCI driver a GPU of this vendor normally binds to (nvidia proprietary when loaded). */
export function driverFor(vendorId: string, inventory: Inventory): string | null {
  const loaded = (name: string): boolean =>
    inventory.modules.some((m) => m.name === name && m.loaded);
  switch (vendorId) {
    case '0x10de':
      return loaded('nouveau') && !loaded('nvidia') ? 'nouveau' : 'nvidia';
    case '0x1002':
      return 'amdgpu';
    case '0x8086':
      return loaded('xe') && !loaded('i915') ? 'xe' : 'i915';
    default:
      return null;
  }
}

const PCIE_BLOCKING_LEVELS = new Set(['dponly', 'usbonly', 'nopcie']);

function waitingRouters(
  inv: Inventory,
): { domain: ThunderboltDomain; router: ThunderboltRouter }[] {
  return inv.thunderbolt.flatMap((d) =>
    d.routers.filter((r) => !r.host && r.authorized === 0).map((r) => ({ domain: d, router: r })),
  );
}

export function planRecover(f: RecoverFacts): ActionPlan {
  const inv = f.inventory;
  const blockers: Blocker[] = [];
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const present =
    f.bdf === null ? inv.gpus.filter((g) => g.external) : inv.gpus.filter((g) => g.bdf === f.bdf);
  const rememberedMissing = f.known.filter(
    (k) =>
      (f.bdf === null || k.bdf === f.bdf) &&
      !inv.gpus.some((g) => g.vendorId === k.vendorId && g.deviceId === k.deviceId),
  );
  const target: GpuInfo | KnownGpu | undefined = present[0] ?? rememberedMissing[0];
  const name = target?.name ?? null;

  for (const { domain, router } of waitingRouters(inv)) {
    const label = [router.vendorName, router.deviceName].filter(Boolean).join(' ') || router.router;
    if (domain.security !== null && PCIE_BLOCKING_LEVELS.has(domain.security)) {
      blockers.push({
        kind: 'unsupported',
        closable: false,
        reason: `Thunderbolt security level "${domain.security}" on ${domain.domain} allows no PCIe tunnels, so ${label} cannot bring a GPU; change it in the firmware setup`,
      });
      continue;
    }
    steps.push(
      f.boltAvailable && router.uniqueId !== null
        ? {
            step: 'authorize',
            detail: `Authorize ${label} (${router.uniqueId}) through bolt`,
            privileged: false,
            uid: router.uniqueId,
          }
        : {
            step: 'authorize',
            detail: `Authorize ${label} (router ${router.router})`,
            privileged: true,
            helper: ['tb-authorize', router.router],
          },
    );
  }
  if (present.length === 0 || rememberedMissing.length > 0 || steps.length > 0) {
    steps.push({
      step: 'rescan',
      detail: 'Rescan the PCI bus so the kernel finds the GPU again',
      privileged: true,
      helper: ['rescan'],
    });
  }
  for (const g of present) {
    if (g.driver === null) {
      const driver = driverFor(g.vendorId, inv);
      if (driver !== null)
        steps.push({
          step: 'bind',
          detail: `Bind ${g.bdf} to ${driver}`,
          privileged: true,
          helper: ['bind', g.bdf, driver],
        });
      for (const fn of g.functions.filter((x) => x.driver === null && x.kind === 'audio')) {
        steps.push({
          step: 'bind',
          detail: `Bind ${fn.bdf} (HDMI/DP audio) to snd_hda_intel`,
          privileged: true,
          helper: ['bind', fn.bdf, 'snd_hda_intel'],
        });
      }
    }
  }
  const nvidiaTargets = present.filter((g) => g.vendorId === '0x10de');
  const needsDrm =
    nvidiaTargets.some((g) => g.drm.card === null) ||
    rememberedMissing.some((k) => k.vendorId === '0x10de');
  if (needsDrm) {
    const drmLoaded = inv.modules.some((m) => m.name === 'nvidia_drm' && m.loaded);
    const others = inv.gpus.filter(
      (g) => g.vendorId === '0x10de' && g.drm.card !== null && !nvidiaTargets.includes(g),
    );
    if (!drmLoaded) {
      steps.push({
        step: 'reload-modules',
        detail: 'Load nvidia_drm (and nvidia_modeset) so the GPU gets its /dev/dri nodes',
        privileged: true,
        helper: ['module-load', 'nvidia_drm'],
      });
    } else if (others.length > 0) {
      warnings.push(
        `nvidia_drm also drives ${others.map((g) => g.bdf).join(', ')}: eGPU Guard will not reload it; if the card node does not appear, log out and reload it, or reboot.`,
      );
    } else if (nvidiaTargets.some((g) => g.drm.card === null)) {
      steps.push({
        step: 'reload-modules',
        detail:
          'Reload nvidia_drm and nvidia_modeset (no other GPU uses them) so the card node appears',
        privileged: true,
        helper: ['module-unload', 'nvidia_drm', 'nvidia_modeset'],
      });
      steps.push({
        step: 'reload-modules',
        detail: 'Load nvidia_drm again',
        privileged: true,
        helper: ['module-load', 'nvidia_drm'],
      });
    }
  }
  steps.push({
    step: 'verify',
    detail: 'Check that the GPU is present, bound and has its /dev/dri card and render nodes',
    privileged: false,
  });
  if (target === undefined && waitingRouters(inv).length === 0) {
    blockers.push({
      kind: 'not-present',
      closable: false,
      reason:
        f.bdf === null
          ? 'no eGPU is known or connected — plug the enclosure in (and power it) first'
          : `no GPU ${f.bdf} is present or remembered — plug the enclosure in first`,
    });
  }
  return {
    action: 'recover',
    gpu: f.bdf ?? present[0]?.bdf ?? rememberedMissing[0]?.bdf ?? null,
    name,
    result: blockers.length === 0 ? 'ready' : 'blocked',
    blockers,
    steps,
    warnings,
  };
}
