// Doctor checks: the kernel and the GPU drivers (what each one does when its GPU is unplugged,
// kernel Documentation/gpu/drm-uapi.rst "Device Hot-Unplug" and each driver's PCI remove path),
// udev, and how eGPU Guard reads the kernel log. Pure.

import type { DoctorFacts, DoctorFinding } from './doctor-model.js';
import { parseKernelRelease } from './nvidia-proc.js';

/** amdgpu's hot-unplug support (drm_dev_unplug, dummy-page mappings) landed in Linux 5.14. */
export const AMDGPU_HOTUNPLUG: readonly [number, number] = [5, 14];

const atLeast = (v: readonly [number, number], min: readonly [number, number]): boolean =>
  v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

type DriverUse = { readonly driver: string; readonly external: boolean };

function driversInUse(f: DoctorFacts): DriverUse[] {
  const out = new Map<string, boolean>();
  for (const g of f.inventory.gpus) {
    if (g.driver === null) continue;
    out.set(g.driver, (out.get(g.driver) ?? false) || g.external);
  }
  return [...out].map(([driver, external]) => ({ driver, external }));
}

function amdgpu(f: DoctorFacts, use: DriverUse): DoctorFinding {
  const k = parseKernelRelease(f.kernelRelease);
  const id = 'driver:amdgpu';
  if (k === null) {
    return {
      id,
      area: 'kernel',
      severity: 'info',
      title: 'amdgpu: kernel version unknown',
      detail:
        'amdgpu supports GPU hot-unplug since Linux 5.14; the running kernel version could not be read.',
    };
  }
  if (atLeast(k, AMDGPU_HOTUNPLUG)) {
    return {
      id,
      area: 'kernel',
      severity: 'ok',
      title: `amdgpu supports hot-unplug (Linux ${k[0]}.${k[1]} ≥ 5.14)`,
      detail: use.external
        ? 'An unplugged AMD eGPU is torn down cleanly; programs still using it see errors instead of a crash. ROCm compute jobs may still be killed (KFD).'
        : 'Only internal GPUs use amdgpu now; an AMD eGPU would be handled cleanly.',
    };
  }
  return {
    id,
    area: 'kernel',
    severity: use.external ? 'problem' : 'info',
    title: `amdgpu cannot survive an unplug on Linux ${k[0]}.${k[1]} (needs 5.14)`,
    detail:
      'Before 5.14 amdgpu refuses device removal ("Device removal is currently not supported outside of fbcon"): unplugging or ejecting an AMD eGPU can hang or crash the machine.',
    fix: 'Install a kernel 5.14 or newer (your distribution’s backports or HWE kernel).',
  };
}

function nvidia(f: DoctorFacts, use: DriverUse): DoctorFinding {
  const id = 'driver:nvidia';
  const n = f.nvidia;
  const where = use.external ? 'the eGPU' : 'an NVIDIA eGPU';
  const always =
    'NVIDIA is not covered by the kernel’s DRM hot-unplug support: unplugging while anything uses the GPU can freeze the desktop, and unbinding waits for ever until every program has let go. Always eject with eGPU Guard (it closes the users first) before pulling the cable.';
  if (n.flavor === 'open') {
    return {
      id,
      area: 'kernel',
      severity: 'info',
      title: `NVIDIA open kernel modules ${n.version ?? ''}`.trim(),
      detail: `The open modules recognise external GPUs and do not block for ever on ${where} with users left; recognition is not perfect on every enclosure. ${always}`,
    };
  }
  if (n.flavor === 'proprietary') {
    return {
      id,
      area: 'kernel',
      severity: use.external ? 'warning' : 'info',
      title: `NVIDIA proprietary kernel module ${n.version ?? ''}`.trim(),
      detail: `The proprietary module treats ${where} like an internal GPU: a remove with a user left blocks for ever ("Attempting to remove device with non-zero usage count"). ${always}`,
      fix: 'For Turing (RTX 20) and newer, NVIDIA’s open kernel modules (nvidia-open, same driver version) handle eGPUs better.',
    };
  }
  return {
    id,
    area: 'kernel',
    severity: use.external ? 'warning' : 'info',
    title: 'NVIDIA driver version unknown',
    detail: `/proc/driver/nvidia/version could not be read, so open and proprietary modules cannot be told apart. ${always}`,
  };
}

function otherDriver(use: DriverUse): DoctorFinding | null {
  const id = `driver:${use.driver}`;
  switch (use.driver) {
    case 'nouveau':
    case 'radeon':
      return {
        id,
        area: 'kernel',
        severity: use.external ? 'warning' : 'info',
        title: `${use.driver}: hot-unplug is best effort`,
        detail: `${use.driver} calls the DRM unplug path on removal but has no hardening for eGPUs pulled while in use.`,
        fix: 'Eject with eGPU Guard before unplugging.',
      };
    case 'i915':
    case 'xe':
      return {
        id,
        area: 'kernel',
        severity: 'ok',
        title: `${use.driver} supports hot-unplug`,
        detail: `${use.driver} tears a removed GPU down with drm_dev_unplug()${use.driver === 'xe' ? ' and reports a wedged GPU so it can be rebound' : ''}.`,
      };
    default:
      return null;
  }
}

export function kernelChecks(f: DoctorFacts): DoctorFinding[] {
  const out: DoctorFinding[] = [
    {
      id: 'kernel',
      area: 'kernel',
      severity: f.kernelRelease === null ? 'info' : 'ok',
      title: f.kernelRelease === null ? 'Kernel version unknown' : `Linux ${f.kernelRelease}`,
      detail:
        f.kernelRelease === null
          ? '/proc/sys/kernel/osrelease could not be read.'
          : 'The running kernel.',
    },
  ];
  for (const use of driversInUse(f)) {
    const finding =
      use.driver === 'amdgpu'
        ? amdgpu(f, use)
        : use.driver === 'nvidia'
          ? nvidia(f, use)
          : otherDriver(use);
    if (finding !== null) out.push(finding);
  }
  return out;
}

export function eventChecks(f: DoctorFacts): DoctorFinding[] {
  const out: DoctorFinding[] = [
    f.udevRunning
      ? {
          id: 'udevd',
          area: 'events',
          severity: 'ok',
          title: 'udevd is running',
          detail: 'Device events reach eGPU Guard, the compositor and mutter’s udev tags.',
        }
      : {
          id: 'udevd',
          area: 'events',
          severity: 'warning',
          title: 'udevd is not running (/run/udev/control missing)',
          detail:
            'eGPU Guard falls back to raw kernel events, where device nodes may lag the add event; compositors and udev rules (mutter-device-ignore, the symlinks restart-compositor suggests) depend on udevd.',
          fix: 'Start systemd-udevd (it runs on every normal desktop; containers often lack it).',
        },
  ];
  const j = f.journal;
  if (j.journal.ok) {
    out.push({
      id: 'kernel-log',
      area: 'events',
      severity: 'ok',
      title: 'The kernel log is readable through the journal',
      detail: `eGPU Guard follows \`journalctl ${(j.selector ?? []).join(' ')}\` for Xid, fall-off-the-bus, AER and Thunderbolt messages.`,
    });
  } else if (j.kmsg.ok || j.textLog !== null) {
    const via = j.kmsg.ok ? '/dev/kmsg' : j.textLog!;
    out.push({
      id: 'kernel-log',
      area: 'events',
      severity: 'info',
      title: `The journal is not readable; eGPU Guard reads ${via} instead`,
      detail: `journal: ${j.journal.reason}. The fallback works; it keeps no position across restarts and has no per-device metadata.`,
      fix: 'To use the journal: `sudo usermod -aG systemd-journal $USER`, then log out and back in.',
    });
  } else {
    out.push({
      id: 'kernel-log',
      area: 'events',
      severity: 'warning',
      title: 'No kernel log is readable',
      detail: `journal: ${j.journal.reason}; /dev/kmsg: ${j.kmsg.reason}; no /var/log/kern.log or /var/log/messages. eGPU Guard cannot see Xid 79, "fell off the bus", AER or Thunderbolt messages, only device changes.`,
      fix: 'Add yourself to the systemd-journal group (`sudo usermod -aG systemd-journal $USER`, then log in again), or allow dmesg (`sudo sysctl kernel.dmesg_restrict=0`).',
    });
  }
  return out;
}
