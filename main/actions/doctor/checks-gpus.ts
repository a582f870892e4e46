// Doctor checks: the GPUs themselves (reachable, PCIe links running at what both ends can do),
// runtime power management of eGPUs, suspend with an eGPU attached, and whether the compositor
// draws the desktop with the eGPU. Pure.

import { REMOVABLE_CONFIG_DIR, REMOVABLE_CONFIG_PATH } from '../../common/removable-config.js';
import type { GpuInfo } from '../../common/inventory-model.js';
import { linkFault, linkPathWords } from '../../common/link-words.js';
import type { DoctorFacts, DoctorFinding, PowerFacts } from './doctor-model.js';

function linkFinding(g: GpuInfo): DoctorFinding | null {
  const id = `link:${g.bdf}`;
  const area = 'gpus' as const;
  if (g.link.skipped !== undefined) {
    return {
      id,
      area,
      severity: 'info',
      title: `${g.name}: link not read`,
      detail: g.link.skipped,
    };
  }
  if (g.link.current === null && (g.link.bottleneck ?? null) === null) return null; // integrated
  // The same words as `egpu status` and the window (main/common/link-words.ts): the path's
  // narrowest link, how it runs now, and a fault only where there is one (a speed lowered while
  // idle is not).
  const fault = linkFault(g.link);
  if (fault === null) {
    return {
      id,
      area,
      severity: 'ok',
      title: `${g.name}: PCIe link at full speed for its path`,
      detail: `${linkPathWords(g.link, g.external)}.`,
    };
  }
  return {
    id,
    area,
    severity: g.external ? 'warning' : 'info',
    title: `${g.name}: degraded PCIe link`,
    detail: `The ${fault}. The GPU gets less bandwidth than the path allows.`,
    fix: g.external
      ? 'Reseat the cable, try a shorter or certified cable (OCuLink and Thunderbolt cables are the usual cause), or another port; then check again with `egpu status`.'
      : 'Reseat the card; check the BIOS PCIe generation setting.',
  };
}

function healthFinding(g: GpuInfo): DoctorFinding | null {
  if (g.health !== 'unreachable') return null;
  return {
    id: `health:${g.bdf}`,
    area: 'gpus',
    severity: 'problem',
    title: `${g.name} (${g.bdf}) does not answer`,
    detail: `${g.healthReason}. It has fallen off the bus or lost power.`,
    fix: 'Close the programs that used it, then unplug and replug the enclosure and run `egpu recover`; if it stays dead, a reboot is needed.',
  };
}

/** Kernel-log incidents that say waking this device from D3cold failed. */
function powerTrouble(f: DoctorFacts, bdf: string): number {
  const d = f.kernelLog.diagnosis;
  if (d === null) return 0;
  return d.incidents
    .filter((i) => i.device.bdf === bdf)
    .flatMap((i) => i.events)
    .filter((e) => e.kind === 'power-state-stuck' || e.kind === 'pci-config-dead').length;
}

function runtimePmFinding(f: DoctorFacts, p: PowerFacts): DoctorFinding {
  const id = `runtime-pm:${p.bdf}`;
  const area = 'power' as const;
  if (p.control === 'on') {
    return {
      id,
      area,
      severity: 'ok',
      title: `eGPU ${p.bdf} is kept powered (power/control = on)`,
      detail: 'Runtime power management does not put it to sleep.',
    };
  }
  const asleep = p.runtimeStatus === 'suspended';
  const mayD3cold = p.control === 'auto' && p.d3coldAllowed === '1';
  if (!mayD3cold && !asleep) {
    return {
      id,
      area,
      severity: 'ok',
      title: `eGPU ${p.bdf}: runtime power management`,
      detail: `power/control = ${p.control ?? '?'}, d3cold_allowed = ${p.d3coldAllowed ?? '?'}.`,
    };
  }
  const trouble = powerTrouble(f, p.bdf);
  const amd = p.driver === 'amdgpu' && f.amdgpuRunpm !== '0';
  return {
    id,
    area,
    severity: trouble > 0 ? 'warning' : 'info',
    title: asleep
      ? `eGPU ${p.bdf} is asleep (runtime-suspended, D3cold)`
      : `eGPU ${p.bdf} may be powered off when idle (D3cold allowed)`,
    detail:
      (trouble > 0
        ? `The kernel log shows ${trouble} failed wake-up${trouble === 1 ? '' : 's'} of this device this boot. `
        : '') +
      'Over Thunderbolt and OCuLink some enclosures do not come back from D3cold ("Unable to change power state from D3cold to D0"), and the GPU falls off the bus. eGPU Guard never wakes it to read its link.',
    fix:
      `Keep it powered: \`echo on | sudo tee /sys/bus/pci/devices/${p.bdf}/power/control\`; for good, a udev rule /etc/udev/rules.d/80-egpu-guard-pm.rules: ` +
      '`ACTION=="add", SUBSYSTEM=="pci", ATTR{class}=="0x03*", ATTR{removable}=="removable", ATTR{power/control}="on"`' +
      (amd ? '. For amdgpu also the kernel parameter `amdgpu.runpm=0`.' : '.'),
  };
}

function suspendFindings(f: DoctorFacts): DoctorFinding[] {
  const ext = f.inventory.gpus.filter((g) => g.external);
  if (ext.length === 0) return [];
  const out: DoctorFinding[] = [
    {
      id: 'suspend',
      area: 'power',
      severity: 'warning',
      title: 'Suspending with the eGPU attached is risky',
      detail: `${ext.map((g) => g.name).join(', ')} is attached. Many eGPU setups do not resume: a black screen, the GPU fallen off the bus, or the Thunderbolt link not re-authorized.`,
      fix: 'Eject the eGPU before suspending (eGPU Guard warns when a suspend starts with it attached), or test suspend once with nothing important open.',
    },
  ];
  if (ext.some((g) => g.driver === 'nvidia')) {
    const preserve = f.nvidia.params['PreserveVideoMemoryAllocations'];
    const services = f.nvidia.suspendServices;
    const missing = ['nvidia-suspend', 'nvidia-resume', 'nvidia-hibernate'].filter(
      (s) => !services.includes(s),
    );
    const enable =
      'sudo systemctl enable nvidia-suspend.service nvidia-resume.service nvidia-hibernate.service';
    if (preserve === undefined) {
      out.push({
        id: 'nvidia-suspend',
        area: 'power',
        severity: 'info',
        title: 'NVIDIA suspend settings unknown',
        detail: '/proc/driver/nvidia/params could not be read.',
      });
    } else if (preserve !== '1') {
      out.push({
        id: 'nvidia-suspend',
        area: 'power',
        severity: 'warning',
        title: 'NVIDIA does not keep video memory across suspend',
        detail: `PreserveVideoMemoryAllocations is ${preserve}: after resume, programs that used the GPU lose what was in its memory (broken windows, crashed games and CUDA jobs).`,
        fix: `Add \`options nvidia NVreg_PreserveVideoMemoryAllocations=1\` to /etc/modprobe.d/nvidia-power.conf, rebuild the initramfs (\`sudo update-initramfs -u\`), \`${enable}\`, and reboot.`,
      });
    } else if (missing.length > 0) {
      out.push({
        id: 'nvidia-suspend',
        area: 'power',
        severity: 'warning',
        title: 'NVIDIA preserves video memory, but its suspend services are not enabled',
        detail: `With PreserveVideoMemoryAllocations=1 the driver needs ${missing.join(', ')}.service to save and restore it; without them suspend fails.`,
        fix: `\`${enable}\``,
      });
    } else {
      out.push({
        id: 'nvidia-suspend',
        area: 'power',
        severity: 'ok',
        title: 'NVIDIA keeps video memory across suspend',
        detail:
          'PreserveVideoMemoryAllocations=1 and the nvidia-suspend/resume/hibernate services are enabled.',
      });
    }
  }
  return out;
}

function compositorFinding(f: DoctorFacts): DoctorFinding | null {
  if (!f.inventory.gpus.some((g) => g.external)) return null;
  const base = { id: 'compositor-primary', area: 'desktop' as const };
  const onEgpu = f.holds.filter((h) => h.external);
  const primary = onEgpu.find((h) => h.primary === true);
  if (primary !== undefined) {
    return {
      ...base,
      severity: 'warning',
      title: `${primary.comm} draws the desktop with the eGPU ${primary.gpu}`,
      detail:
        'The eGPU is the compositor’s primary GPU: it cannot let go while the session runs, so ejecting means logging out, and pulling the cable ends the session or freezes it.',
      fix: 'Keep the compositor on the internal GPU: `egpu restart-compositor` prints the configuration for this desktop.',
    };
  }
  if (onEgpu.length > 0) {
    const h = onEgpu[0]!;
    return {
      ...base,
      severity: 'info',
      title: `${h.comm} also uses the eGPU ${h.gpu}${h.primary === false ? ' (as a secondary GPU)' : ''}`,
      detail:
        'Ejecting asks it to let go first (a udev remove event for the card); monitors on the eGPU go dark.',
    };
  }
  return {
    ...base,
    severity: 'ok',
    title: 'No compositor or X server holds the eGPU',
    detail: f.session.detail,
  };
}

/** The administrator's removable list, when there is one (common/removable-config.ts). */
function removableListFinding(f: DoctorFacts): DoctorFinding | null {
  const list = f.removableList;
  if (list.state === 'absent') return null;
  if (list.state === 'ignored') {
    return {
      id: 'removable-list',
      area: 'gpus',
      severity: 'warning',
      title: `${REMOVABLE_CONFIG_PATH} is ignored`,
      detail: `${list.reason}: it grants root-level powers, so the helper trusts it only when root alone can change it.`,
      fix: `sudo chown root:root ${REMOVABLE_CONFIG_DIR} ${REMOVABLE_CONFIG_PATH} && sudo chmod 755 ${REMOVABLE_CONFIG_DIR} && sudo chmod 644 ${REMOVABLE_CONFIG_PATH}`,
    };
  }
  const listed = list.addresses.length === 0 ? 'no device' : list.addresses.join(', ');
  if (list.invalid.length > 0) {
    return {
      id: 'removable-list',
      area: 'gpus',
      severity: 'warning',
      title: `${REMOVABLE_CONFIG_PATH} has lines that are not PCI addresses`,
      detail: `Ignored: ${list.invalid.join('; ')}. Treated as removable: ${listed}.`,
      fix: 'Write one PCI address a line, as `lspci -D` prints it (e.g. 0000:01:00.0); # starts a comment.',
    };
  }
  return {
    id: 'removable-list',
    area: 'gpus',
    severity: 'info',
    title: `${REMOVABLE_CONFIG_PATH} treats ${listed} as removable`,
    detail:
      'eGPU Guard ejects GPUs at or below these devices although the kernel does not mark them removable (never the boot display).',
  };
}

export function gpuChecks(f: DoctorFacts): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const listFinding = removableListFinding(f);
  if (listFinding !== null) out.push(listFinding);
  if (!f.inventory.gpus.some((g) => g.external)) {
    out.push({
      id: 'no-egpu',
      area: 'gpus',
      severity: 'info',
      title: 'No external GPU is attached now',
      detail: 'The eGPU checks (links, power, suspend) run when one is.',
    });
  }
  for (const g of f.inventory.gpus) {
    const h = healthFinding(g);
    if (h !== null) out.push(h);
    const l = g.health === 'unreachable' ? null : linkFinding(g);
    if (l !== null) out.push(l);
  }
  for (const p of f.power) out.push(runtimePmFinding(f, p));
  out.push(...suspendFindings(f));
  const c = compositorFinding(f);
  if (c !== null) out.push(c);
  return out;
}
