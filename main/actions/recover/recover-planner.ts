// The recovery planner: after a re-plug, a cancelled eject or a fall off the bus, what brings the
// eGPU back — authorize its enclosure's Thunderbolt device (only an enclosure this machine has
// seen carry the GPU, or one bolt has stored: anything else is a new device the user approves in
// the window), remove a GPU that stopped answering together with its enclosure's bridges, rescan
// PCI, bind the driver, reload nvidia_drm/nvidia_modeset when the card node does not appear (only
// when no other GPU uses them), and verify that the GPU answers on the bus and has its /dev/dri
// nodes. Pure; the executor re-checks after each stage, because what a rescan finds decides the
// later steps.

import type { ActionPlan, Blocker, PlanStep } from '../../common/actions-model.js';
import type { ClientInfo } from '../../common/clients-model.js';
import type {
  GpuInfo,
  Inventory,
  ThunderboltDomain,
  ThunderboltRouter,
} from '../../common/inventory-model.js';
import { isTrustedEnclosure, type EnclosureTrust } from '../known-enclosures.js';
import type { KnownGpu } from '../../state/facts.js';

export type RecoverFacts = {
  /** The GPU asked for (bdf), or null: every remembered eGPU and every waiting Thunderbolt device. */
  readonly bdf: string | null;
  readonly inventory: Inventory;
  readonly known: readonly KnownGpu[];
  /** bolt runs on the system bus: authorize through it rather than writing sysfs. */
  readonly boltAvailable: boolean;
  /** Enclosures remembered as having carried a GPU here, and bolt's stored devices. */
  readonly trust: EnclosureTrust;
  /**
   * The unique_id of a new Thunderbolt device the user approved in the window ("Authorize this
   * device"); null otherwise. Only the window sends it, never the tray or a notification.
   */
  readonly approve: string | null;
  /** PCI devices below a GPU's enclosure top that are not its own (a remove must spare them). */
  readonly othersUnderTop?: (gpu: GpuInfo) => readonly string[];
  /** Who still holds each GPU that does not answer (a client scan), by bdf; none when absent. */
  readonly deadHolders?: ReadonlyMap<string, readonly ClientInfo[]>;
};

/**
 * Apps holding a GPU that does not answer. The NVIDIA driver does not let go of a device while
 * anything holds it: removing it then waits in the kernel for good (the helper's remove would
 * be stuck), so the app must be closed first. Other drivers let go (the apps lose the GPU).
 */
function deadHolderNotes(
  g: GpuInfo,
  holders: readonly ClientInfo[],
): {
  blockers: Blocker[];
  warnings: string[];
} {
  const apps = [...new Map(holders.map((c) => [c.pid, c])).values()];
  if (apps.length === 0) return { blockers: [], warnings: [] };
  if (g.driver === 'nvidia') {
    return {
      blockers: apps.map((c) => ({
        kind: 'client' as const,
        closable: false,
        pid: c.pid,
        comm: c.comm,
        reason: `${c.comm} (pid ${c.pid}) still holds ${g.name}, which does not respond: the NVIDIA driver cannot let go of the GPU while an app holds it, and removing it now would hang — close ${c.comm} first (if it does not quit, it is stuck on the dead GPU and only a reboot frees it)`,
      })),
      warnings: [],
    };
  }
  return {
    blockers: [],
    warnings: apps.map(
      (c) => `${c.comm} (pid ${c.pid}) still holds ${g.name}: it loses the GPU in the recovery`,
    ),
  };
}

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

/** A waiting device as the user sees it: its self-reported name (untrusted) or its router. */
export const routerLabel = (r: ThunderboltRouter): string =>
  [r.vendorName, r.deviceName].filter(Boolean).join(' ') || `Thunderbolt device ${r.router}`;

/** The GPU stopped answering: config space reads all ones (inventory/health.ts). */
export const isDead = (g: GpuInfo): boolean => g.health === 'unreachable';

/** Words for a GPU that stays dead after a remove and rescan; the same in every face. */
export const STILL_NOT_RESPONDING =
  'still not responding — reconnect the enclosure; if that fails, a reboot is needed';

function authorizeStep(r: ThunderboltRouter, boltAvailable: boolean, label: string): PlanStep {
  return boltAvailable && r.uniqueId !== null
    ? {
        step: 'authorize',
        detail: `Authorize ${label} (${r.uniqueId}) through bolt`,
        privileged: false,
        uid: r.uniqueId,
      }
    : {
        step: 'authorize',
        detail: `Authorize ${label} (router ${r.router}, ${r.uniqueId ?? 'no unique_id'})`,
        privileged: true,
        helper: ['tb-authorize', r.router],
      };
}

function newDeviceText(r: ThunderboltRouter): string {
  return `${routerLabel(r)} (unique_id ${r.uniqueId ?? 'unknown'}) is a new Thunderbolt device: eGPU Guard has never seen a GPU behind it, so Recover does not authorize it. If you trust it, approve it in the eGPU Guard window with "Authorize this device".`;
}

/** Steps that take a GPU that stopped answering off the bus: the enclosure's top, or its functions. */
function removeDeadSteps(g: GpuInfo, othersUnderTop: readonly string[]): PlanStep[] {
  const top = g.enclosureTop;
  if (top !== null && othersUnderTop.length === 0) {
    return [
      {
        step: 'remove',
        detail: `Remove ${g.bdf}, which does not respond, with everything below ${top} (the enclosure's bridges), so the rescan enumerates it afresh`,
        privileged: true,
        helper: ['remove', top],
      },
    ];
  }
  return [
    ...g.functions.map((fn): PlanStep => ({
      step: 'remove',
      detail: `Remove ${fn.bdf} (${fn.name})`,
      privileged: true,
      helper: ['remove', fn.bdf],
    })),
    {
      step: 'remove',
      detail: `Remove ${g.bdf}, which does not respond`,
      privileged: true,
      helper: ['remove', g.bdf],
    },
  ];
}

export function planRecover(f: RecoverFacts): ActionPlan {
  const inv = f.inventory;
  const blockers: Blocker[] = [];
  const steps: PlanStep[] = [];
  const warnings: string[] = [];
  const present =
    f.bdf === null ? inv.gpus.filter((g) => g.external) : inv.gpus.filter((g) => g.bdf === f.bdf);
  const dead = present.filter(isDead);
  const alive = present.filter((g) => !isDead(g));
  const rememberedMissing = f.known.filter(
    (k) =>
      (f.bdf === null || k.bdf === f.bdf) &&
      !inv.gpus.some((g) => g.vendorId === k.vendorId && g.deviceId === k.deviceId),
  );
  const target: GpuInfo | KnownGpu | undefined = present[0] ?? rememberedMissing[0];
  const name = target?.name ?? null;

  // Thunderbolt: only the enclosure the user approved just now, or one that carried the GPU
  // before. `recover <BDF>` of a GPU that is present authorizes nothing: its tunnel is up.
  const gpuPresent = f.bdf !== null && present.length > 0;
  const newDevices: string[] = [];
  for (const { domain, router } of waitingRouters(inv)) {
    const label = routerLabel(router);
    const approved = f.approve !== null && router.uniqueId === f.approve;
    if (!approved && gpuPresent) continue;
    if (!approved && !isTrustedEnclosure(f.trust, router.uniqueId, f.bdf)) {
      // Another GPU's enclosure is no stranger, but not this GPU's either: left to a plain Recover.
      if (!isTrustedEnclosure(f.trust, router.uniqueId, null))
        newDevices.push(newDeviceText(router));
      continue;
    }
    if (domain.security !== null && PCIE_BLOCKING_LEVELS.has(domain.security)) {
      blockers.push({
        kind: 'unsupported',
        closable: false,
        reason: `Thunderbolt security level "${domain.security}" on ${domain.domain} allows no PCIe tunnels, so ${label} cannot bring a GPU; change it in the firmware setup`,
      });
      continue;
    }
    steps.push(authorizeStep(router, f.boltAvailable, label));
  }
  // With nothing else to do, the new devices are why nothing can be done; otherwise a note each.
  const authorizing = steps.some((s) => s.step === 'authorize');
  if (target === undefined && !authorizing && f.approve === null)
    for (const reason of newDevices) blockers.push({ kind: 'new-device', closable: false, reason });
  else warnings.push(...newDevices);
  if (f.approve !== null && !authorizing) {
    blockers.push({
      kind: 'not-present',
      closable: false,
      reason: `no Thunderbolt device ${f.approve} is waiting for authorization`,
    });
  }
  for (const g of dead) {
    const held = deadHolderNotes(g, f.deadHolders?.get(g.bdf) ?? []);
    blockers.push(...held.blockers);
    warnings.push(...held.warnings);
    steps.push(...removeDeadSteps(g, f.othersUnderTop?.(g) ?? []));
  }
  if (present.length === 0 || rememberedMissing.length > 0 || steps.length > 0) {
    steps.push({
      step: 'rescan',
      detail: 'Rescan the PCI bus so the kernel finds the GPU again',
      privileged: true,
      helper: ['rescan'],
    });
  }
  for (const g of dead) {
    // The kernel probes the driver when it enumerates the GPU; the bind makes sure of it.
    const driver = g.driver ?? driverFor(g.vendorId, inv);
    if (driver !== null)
      steps.push({
        step: 'bind',
        detail: `Bind ${g.bdf} to ${driver} once it answers again`,
        privileged: true,
        helper: ['bind', g.bdf, driver],
      });
  }
  for (const g of alive) {
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
  const nvidiaTargets = alive.filter((g) => g.vendorId === '0x10de');
  const needsDrm =
    nvidiaTargets.some((g) => g.drm.card === null) ||
    rememberedMissing.some((k) => k.vendorId === '0x10de');
  if (needsDrm) {
    const drmLoaded = inv.modules.some((m) => m.name === 'nvidia_drm' && m.loaded);
    const others = inv.gpus.filter(
      (g) =>
        g.vendorId === '0x10de' && g.drm.card !== null && !present.some((p) => p.bdf === g.bdf),
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
    detail:
      'Check that the GPU answers on the bus (config space), is bound and has its /dev/dri card and render nodes',
    privileged: false,
  });
  if (dead.length > 0) {
    warnings.push(
      // A plan, read before anything runs: what it will try, then what comes if that is not enough.
      `${dead.map((g) => `${g.name} (${g.bdf})`).join(', ')} does not respond on the bus. If it still does not respond after this recovery, reconnect the enclosure; if that fails, a reboot is needed.`,
    );
  }
  if (target === undefined && !authorizing && blockers.length === 0) {
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
