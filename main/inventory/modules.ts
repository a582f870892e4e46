// Kernel modules that drive GPUs, from /sys/module (Documentation/ABI/stable/sysfs-module): loaded,
// reference count and holders. refcnt counts dependent modules *plus* open files, which is why
// nvidia can show refcnt 2127 with two holders; unloading needs refcnt 0 on each module.

import { MODULE_ALLOW_LIST } from '../common/helper-contract.js';
import type { KernelModule } from '../common/inventory-model.js';
import type { SysfsReader } from './sysfs-reader.js';

/** The GPU modules: one list with the helper's allow-list, so the two cannot drift. */
export const GPU_MODULES = MODULE_ALLOW_LIST;

/** Modules worth listing for a GPU vendor even when not loaded (recovery reloads them). */
const VENDOR_MODULES: Readonly<Record<number, readonly string[]>> = {
  0x10de: ['nvidia', 'nvidia_modeset', 'nvidia_drm', 'nvidia_uvm'],
  0x1002: ['amdgpu'],
  0x8086: ['i915'],
};

export function readModules(
  reader: SysfsReader,
  gpuVendors: readonly number[],
  gpuDrivers: readonly string[],
): KernelModule[] {
  const wanted = new Set<string>([
    ...gpuVendors.flatMap((v) => VENDOR_MODULES[v] ?? []),
    ...gpuDrivers,
  ]);
  const out: KernelModule[] = [];
  for (const name of GPU_MODULES) {
    const dir = `/sys/module/${name}`;
    const loaded = reader.root.exists(dir);
    if (!loaded && !wanted.has(name)) continue;
    if (!loaded) {
      out.push({ name, loaded: false, builtin: false, refcount: null, holders: [] });
      continue;
    }
    // Built-in drivers have a /sys/module dir but no refcnt.
    const hasRefcnt = reader.root.exists(`${dir}/refcnt`);
    out.push({
      name,
      loaded: true,
      builtin: !hasRefcnt,
      refcount: hasRefcnt ? reader.int(`${dir}/refcnt`) : null,
      holders: reader.list(`${dir}/holders`).sort(),
    });
  }
  return out;
}
