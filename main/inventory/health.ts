// Is the GPU still answering on the bus? Read the vendor ID from config space: a function that is
// gone completes reads with all ones, so 0xffff means "not responding" (include/linux/pci.h
// PCI_POSSIBLE_ERROR). Config reads runtime-resume a device in D3cold, so a
// suspended or powered-off (D3cold) device is never probed: its health is "unknown" and it may
// keep sleeping.

import type { HealthState } from '../common/inventory-model.js';
import type { SystemRoot } from '../platform/system-root.js';

export type HealthProbe = { readonly health: HealthState; readonly reason: string };

export function probeHealth(
  root: SystemRoot,
  bdf: string,
  runtimeStatus: string | null,
  expectedVendor: number | null,
  powerState: string | null = null,
): HealthProbe {
  if (runtimeStatus === 'suspended') {
    return { health: 'unknown', reason: 'runtime-suspended; not probed so it can stay asleep' };
  }
  // Powered off by the kernel's cached state (which reading power_state does not change): a
  // config read would try to wake it, or read all ones and look dead.
  if (powerState === 'D3cold') {
    return { health: 'unknown', reason: 'in D3cold (powered off); not probed so it is not woken' };
  }
  // Non-root readers get the first 64 bytes of config space, which hold the vendor ID.
  const r = root.readBytes(`/sys/bus/pci/devices/${bdf}/config`, 4);
  if (!r.ok) {
    if (r.error.code === 'not-found')
      return { health: 'unknown', reason: 'device is gone from sysfs' };
    if (r.error.code === 'device-gone')
      return {
        health: 'unreachable',
        reason: `config space read failed (${String(r.error.detail?.['errno'] ?? 'ENODEV')}): the device is going away`,
      };
    return { health: 'unknown', reason: `config space unreadable: ${r.error.message}` };
  }
  if (r.value.length < 2)
    return { health: 'unknown', reason: 'config space read returned no data' };
  const vendor = r.value.readUInt16LE(0);
  if (vendor === 0xffff) {
    return {
      health: 'unreachable',
      // The evidence and its usual causes, not "does not respond" again: every face puts this
      // after its own "not responding" / UNREACHABLE.
      reason: 'its config space reads all ones (0xffff): it lost power or fell off the bus',
    };
  }
  if (expectedVendor !== null && vendor !== expectedVendor) {
    return {
      health: 'unknown',
      reason: `config space vendor 0x${vendor.toString(16)} does not match 0x${expectedVendor.toString(16)}`,
    };
  }
  return { health: 'ok', reason: 'responds on the bus' };
}

/**
 * Why the GPU looks stuck in a power transition, from attributes the kernel keeps without touching
 * the device (Documentation/ABI/testing/sysfs-devices-power runtime_status; sysfs-bus-pci
 * power_state): runtime PM in `error` (a suspend or resume callback failed and the PM core stopped
 * managing it), or runtime PM `active` while the PCI power state is still D3cold or `error` (it
 * did not come back up). Null when neither.
 */
export function probeStuck(runtimeStatus: string | null, powerState: string | null): string | null {
  if (runtimeStatus === 'error')
    return 'runtime power management is in error (power/runtime_status): a suspend or resume failed';
  if (runtimeStatus === 'active' && (powerState === 'D3cold' || powerState === 'error'))
    return `runtime PM says active but the PCI power state is ${powerState}: it did not power up`;
  return null;
}
