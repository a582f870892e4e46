// The eject planner: from the facts, an ordered plan and the blockers in plain words. Pure.
// Per driver (the kernel's Documentation/gpu/drm-uapi.rst, "Device Hot-Unplug"; NVIDIA's
// kernel-open/nvidia/nv-pci.c; amdgpu_pci_remove in drivers/gpu/drm/amd/amdgpu/amdgpu_drv.c):
// - NVIDIA: every process must let go first, else the driver's remove waits for ever for its
//   usage count; its modules are unloaded afterwards only when no other NVIDIA GPU remains.
// - amdgpu: hot-unplug since Linux 5.14; amdgpu is never unloaded (another AMD GPU may use it).
// - i915/xe: drm_dev_unplug-based removal; nouveau: best effort.
// The kernel writes: unbind the GPU (where a stuck driver shows), remove the enclosure's top
// bridge (or every function of the GPU's slot when other devices share the enclosure or the GPU
// is itself the topmost removable device), drop the Thunderbolt tunnel when the domain allows
// de-authorization and nothing but the GPU rides it (planTunnel), confirm every function is
// gone, safe to unplug.

import { REMOVABLE_CONFIG_PATH } from '../../common/removable-config.js';
import type { ActionPlan, Blocker, PlanStep } from '../../common/actions-model.js';
import { ownedByAnotherUser, type ClientInfo } from '../../common/clients-model.js';
import type { GpuInfo } from '../../common/inventory-model.js';
import { slotOf } from '../../common/pci.js';
import type { EjectFacts } from './eject-facts.js';

const NVIDIA_MODULES = ['nvidia_drm', 'nvidia_modeset', 'nvidia_uvm', 'nvidia'];
/** Services the helper may restart (its restart-unit allow-list), by the process they run. */
const SERVICE_OF: Readonly<Record<string, string>> = {
  'nvidia-persistenced': 'nvidia-persistenced',
  nvidia_persistenced: 'nvidia-persistenced',
};

const who = (c: ClientInfo): string => `${c.comm} (pid ${c.pid})`;
const holds = (c: ClientInfo): string => c.nodes.join(', ');

function clientBlocker(c: ClientInfo, gpu: GpuInfo, f: EjectFacts): Blocker | null {
  const base = { pid: c.pid, comm: c.comm };
  if (c.role === 'compositor' || c.role === 'x-server') {
    const primary = f.primaryOf.get(c.pid);
    if (primary === gpu.bdf || c.role === 'x-server') {
      return {
        ...base,
        kind: 'primary-gpu',
        closable: false,
        reason:
          c.role === 'x-server'
            ? `${c.comm} (pid ${c.pid}) runs on this GPU and X cannot let go of a GPU while it runs — log out first (then restart the display manager if the login screen uses it)`
            : `${c.comm} uses this GPU as its primary GPU — log out first; \`egpu restart-compositor\` shows how to keep it off the eGPU next time`,
      };
    }
    return null; // a secondary GPU: the compositor is asked to drop it (release-compositor)
  }
  if (c.role === 'display-manager') {
    return {
      ...base,
      kind: 'primary-gpu',
      closable: false,
      reason: `the login screen (${who(c)}) holds this GPU — restart the display manager or log out first`,
    };
  }
  if (SERVICE_OF[c.comm] !== undefined) return null; // restarted by a step
  if (c.role === 'xwayland') {
    return {
      ...base,
      kind: 'client',
      closable: false,
      reason: `Xwayland (pid ${c.pid}) renders X11 apps on this GPU — close those apps, or log out`,
    };
  }
  if (ownedByAnotherUser(c, f.uid)) {
    return {
      ...base,
      kind: 'client',
      closable: false,
      reason: `${who(c)} of user ${c.user ?? c.uid} holds ${holds(c)} — only that user or root can close it`,
    };
  }
  return { ...base, kind: 'client', closable: true, reason: `${who(c)} holds ${holds(c)}` };
}

function helperStep(step: PlanStep['step'], detail: string, helper: readonly string[]): PlanStep {
  return { step, detail, privileged: true, helper };
}

export function planEject(f: EjectFacts): ActionPlan {
  const gpu = f.gpu;
  const name = gpu?.name ?? null;
  const plan = (blockers: Blocker[], steps: PlanStep[], warnings: string[]): ActionPlan => ({
    action: 'eject',
    gpu: f.bdf,
    name,
    result: blockers.length === 0 ? 'ready' : 'blocked',
    blockers,
    steps,
    warnings,
  });
  if (gpu === null) {
    return plan(
      [
        {
          kind: 'not-present',
          closable: false,
          reason: `there is no GPU at ${f.bdf} now — nothing to eject`,
        },
      ],
      [],
      [],
    );
  }
  if (!gpu.external) {
    return plan(
      [
        {
          kind: 'internal',
          closable: false,
          reason: gpu.bootVga
            ? `${gpu.name} (${gpu.bdf}) is an internal GPU; only external GPUs can be ejected`
            : `${gpu.name} (${gpu.bdf}) is an internal GPU as far as the kernel can tell; only external GPUs can be ejected — if it is in an external enclosure (OCuLink, or a Thunderbolt laptop whose firmware lacks the marking), an administrator can list it or the first device of the enclosure in ${REMOVABLE_CONFIG_PATH}`,
        },
      ],
      [],
      [],
    );
  }
  const blockers = ejectBlockers(f, gpu);
  const warnings = driverWarnings(gpu);
  const hooks = f.preEjectHooks ?? [];
  if (hooks.length > 0)
    warnings.push(
      `${hooks.length === 1 ? '1 pre-eject hook runs' : `${hooks.length} pre-eject hooks run`} first (${hooks.map((h) => `"${h}"`).join(', ')}); one that fails or runs out of time stops the eject before anything changes.`,
    );
  const steps = releaseSteps(f, gpu, blockers);
  steps.push(...teardownSteps(f, gpu, warnings));
  const unplugWarnings = planTunnel(f, gpu, steps, warnings);
  steps.push(...confirmSteps(gpu, unplugWarnings));
  const box = gpu.enclosure?.name;
  return {
    ...plan(blockers, steps, warnings),
    ...(unplugWarnings.length > 0 ? { unplugWarnings } : {}),
    unplug: box === undefined || box === '' ? 'the eGPU' : `the ${box}`,
  };
}

/** What stops an eject of an external GPU that is present (apps are added by releaseSteps). */
function ejectBlockers(f: EjectFacts, gpu: GpuInfo): Blocker[] {
  const blockers: Blocker[] = [];
  if (f.state === 'stuck') {
    blockers.push({
      kind: 'stuck',
      closable: false,
      reason:
        'the driver is already stuck removing this GPU — close the apps that hold it (`egpu clients`) or reboot',
    });
  }
  if (gpu.enclosureTop === null) {
    blockers.push({
      kind: 'unsupported',
      closable: false,
      reason: `the kernel does not mark this GPU removable (no external-facing port), so the helper will not remove it — if it is in an external enclosure (OCuLink, or a Thunderbolt laptop whose firmware lacks the marking), an administrator can list it or the first device of the enclosure in ${REMOVABLE_CONFIG_PATH}`,
    });
  }
  if (
    gpu.driver === 'amdgpu' &&
    f.kernel !== null &&
    (f.kernel[0] < 5 || (f.kernel[0] === 5 && f.kernel[1] < 14))
  ) {
    blockers.push({
      kind: 'unsupported',
      closable: false,
      reason: `amdgpu can hot-unplug only since Linux 5.14; this is ${f.kernel.join('.')} — shut down before unplugging`,
    });
  }
  return blockers;
}

/** What the user should know about this GPU and its driver before an eject. */
function driverWarnings(gpu: GpuInfo): string[] {
  const warnings: string[] = [];
  if (gpu.health === 'unreachable') {
    warnings.push(
      'The GPU is not answering on the bus (it fell off): removing it cleans up what is left; programs that used it may have hung. Unplug and re-plug the enclosure afterwards, or reboot if it does not come back.',
    );
  }
  if (gpu.driver === 'nouveau')
    warnings.push('nouveau has no dedicated eGPU hot-unplug support: the removal is best effort.');
  return warnings;
}

/**
 * Everything that lets go of the GPU before the kernel writes: apps the user may close (each
 * also a blocker until agreed), compositors that are asked to drop the card, Bumblebee's X.
 */
function releaseSteps(f: EjectFacts, gpu: GpuInfo, blockers: Blocker[]): PlanStep[] {
  const steps: PlanStep[] = [];
  const seen = new Set<number>();
  for (const c of f.clients) {
    if (seen.has(c.pid)) continue;
    seen.add(c.pid);
    const b = clientBlocker(c, gpu, f);
    if (b !== null) blockers.push(b);
    if (b?.closable)
      steps.push({
        step: 'close-app',
        detail: `Ask ${who(c)} to quit (SIGTERM) — it holds ${holds(c)}`,
        privileged: false,
        pid: c.pid,
        comm: c.comm,
      });
  }
  const secondaryCompositors = f.clients.filter(
    (c) => c.role === 'compositor' && f.primaryOf.get(c.pid) !== gpu.bdf,
  );
  if (secondaryCompositors.length > 0 && gpu.drm.card !== null) {
    const card = gpu.drm.card.slice('/dev/dri/'.length);
    const names = [...new Set(secondaryCompositors.map((c) => c.comm))].join(', ');
    steps.push(
      helperStep(
        'release-compositor',
        `Ask ${names} to drop ${card} (a synthetic DRM remove event)`,
        ['drm-release', card],
      ),
    );
  }
  const bumblebee = f.clients.some((c) => c.role === 'x-server' && /bumblebee/.test(c.cmdline));
  if (bumblebee)
    steps.push(
      helperStep(
        'stop-service',
        'Restart bumblebeed so its secondary X server lets go of the GPU',
        ['restart-unit', 'bumblebeed'],
      ),
    );
  return steps;
}

/** The kernel writes: unbind, remove (the enclosure, or the GPU's own functions), services, modules. */
function teardownSteps(f: EjectFacts, gpu: GpuInfo, warnings: string[]): PlanStep[] {
  const steps: PlanStep[] = [];
  const driver = gpu.driver;
  if (driver !== null)
    steps.push(helperStep('unbind', `Unbind ${gpu.bdf} from ${driver}`, ['unbind', gpu.bdf]));
  const top = gpu.enclosureTop;
  // The GPU itself is the topmost removable device when it sits directly behind the external
  // port (OCuLink without a switch, or the GPU listed in removable.conf): a remove of it takes
  // that one function only (drivers/pci/remove.c), so every function of the slot goes, the
  // others first — the helper accepts them only while a display controller shares their slot.
  const topIsGpuSlot = top !== null && slotOf(top) === slotOf(gpu.bdf);
  if (top !== null && !topIsGpuSlot && f.otherDevicesUnderTop.length === 0) {
    steps.push(
      helperStep(
        'remove',
        `Remove ${top} and everything below it (${gpu.bdf}, ${gpu.functions.map((x) => x.bdf).join(', ') || 'no other functions'}, the enclosure's bridges)`,
        ['remove', top],
      ),
    );
  } else {
    // Devices the tunnel warning names (with their drive and mounts) are not listed twice.
    const named = new Set((f.tunnelOthers ?? []).map((o) => o.id));
    const unnamed = f.otherDevicesUnderTop.filter((b) => !named.has(b));
    if (top !== null && !topIsGpuSlot && unnamed.length > 0) {
      warnings.push(
        `The enclosure also holds ${unnamed.join(', ')}; only the GPU's functions are removed, those stay.`,
      );
    }
    for (const fn of gpu.functions)
      steps.push(helperStep('remove', `Remove ${fn.bdf} (${fn.name})`, ['remove', fn.bdf]));
    steps.push(helperStep('remove', `Remove ${gpu.bdf}`, ['remove', gpu.bdf]));
  }
  if (driver === 'nvidia' && f.clients.some((c) => SERVICE_OF[c.comm] !== undefined)) {
    warnings.push(
      'nvidia-persistenced keeps the GPU open; it is restarted after the removal. With the proprietary driver the unbind can hang until it lets go: if the eject gets stuck, stop it first (sudo systemctl stop nvidia-persistenced).',
    );
  }
  for (const c of f.clients) {
    const unit = SERVICE_OF[c.comm];
    if (unit !== undefined && !steps.some((s) => s.helper?.[1] === unit)) {
      steps.push(
        helperStep(
          'stop-service',
          `Restart ${unit} so it drops the removed GPU and keeps the others`,
          ['restart-unit', unit],
        ),
      );
    }
  }
  if (driver === 'nvidia') {
    const otherNvidia = f.inventory.gpus.some(
      (g) => g.bdf !== gpu.bdf && (g.driver === 'nvidia' || g.vendorId === '0x10de'),
    );
    const loaded = NVIDIA_MODULES.filter((m) =>
      f.inventory.modules.some((x) => x.name === m && x.loaded && !x.builtin),
    );
    if (!otherNvidia && loaded.length > 0) {
      steps.push(
        helperStep(
          'unload-modules',
          `Unload ${loaded.join(', ')} (no other NVIDIA GPU uses them), so the next plug starts clean`,
          ['module-unload', ...loaded],
        ),
      );
    }
  }
  return steps;
}

/** The end: every function gone from sysfs, then "safe to unplug" (or "eject the drive first"). */
function confirmSteps(gpu: GpuInfo, unplugWarnings: readonly string[]): PlanStep[] {
  return [
    {
      step: 'confirm-removal',
      detail:
        gpu.functions.length === 0
          ? `Check that ${gpu.bdf} is gone from sysfs`
          : `Check that ${[gpu.bdf, ...gpu.functions.map((x) => x.bdf)].join(', ')} are gone from sysfs`,
      privileged: false,
      targets: [gpu.bdf, ...gpu.functions.map((x) => x.bdf)],
    },
    {
      step: 'safe-to-unplug',
      detail:
        unplugWarnings.length === 0
          ? `Tell you that ${gpu.enclosure?.name ?? 'the eGPU'} is safe to unplug`
          : `Tell you that the GPU is removed, and that ${gpu.enclosure?.name ?? 'the enclosure'} can be unplugged once the drive is ejected`,
      privileged: false,
    },
  ];
}

/**
 * The Thunderbolt tunnel: dropped only when nothing but the GPU's functions and the enclosure's
 * bridges rides it. A drive, a dock's USB or network controller, or a device chained behind the
 * enclosure would vanish with it — a mounted drive losing what was not written yet. Those are
 * named and the tunnel stays up. We warn rather than block while a drive is mounted: removing
 * the GPU never touches the drive, and the user may well keep using it; what must not happen is
 * an unplug "because eGPU Guard said so" — so the warning is part of the plan, the result and
 * the one-click rule (a plan with unplug warnings always opens in the window first).
 * Returns those warnings (also added to `warnings`).
 */
function planTunnel(f: EjectFacts, gpu: GpuInfo, steps: PlanStep[], warnings: string[]): string[] {
  const enc = gpu.enclosure;
  if (enc === null) return [];
  const others = f.tunnelOthers ?? [];
  if (others.length > 0) {
    const disks = others.filter((o) => o.storage !== null);
    const rest = others.filter((o) => o.storage === null);
    const unplug: string[] = [];
    if (disks.length > 0) {
      unplug.push(
        `${enc.name} also carries ${disks.map((d) => d.description).join('; ')} on the same Thunderbolt tunnel. The tunnel stays up, so the drive stays connected: eject it in your file manager first, then unplug.`,
      );
    }
    if (rest.length > 0) {
      unplug.push(
        `${enc.name} also carries ${rest.map((d) => d.description).join(', ')} on the same Thunderbolt tunnel; the tunnel stays up so ${rest.length === 1 ? 'it keeps' : 'they keep'} working, and unplugging the cable disconnects ${rest.length === 1 ? 'it' : 'them'} too.`,
      );
    }
    warnings.push(...unplug);
    // Only a drive makes the unplug itself unsafe; other devices are named but do not stop it.
    return disks.length > 0 ? unplug.slice(0, 1) : [];
  }
  const domain = f.inventory.thunderbolt.find((d) => d.domain === enc.domain);
  if (domain?.deauthorization === true) {
    steps.push(
      helperStep(
        'drop-tunnel',
        `Drop the Thunderbolt tunnel to ${enc.name} (router ${enc.router})`,
        ['tb-deauthorize', enc.router],
      ),
    );
  } else {
    warnings.push(
      'This Thunderbolt domain cannot de-authorize devices: the tunnel stays up until you unplug the cable.',
    );
  }
  return [];
}
