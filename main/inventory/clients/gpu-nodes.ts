// Which device node a file descriptor or mapping points at, and which GPU that node belongs to
// (proc(5) for /proc/<pid>/fd; node names from the kernel's drivers/gpu/drm/drm_sysfs.c and
// NVIDIA's kernel-open/common/inc/nv-chardev-numbers.h). DRM minors map to a GPU through the
// inventory (cardN/renderDN are named after their minor); /dev/nvidiaN through the NVIDIA device
// minor; nvidiactl, nvidia-modeset, nvidia-uvm and /dev/kfd are driver-wide and belong to every
// GPU of that driver.

import type { Inventory } from '../../common/inventory-model.js';

/**
 * `stale`: the node was deleted (" (deleted)"): its device went away, and one at the same minor
 * now is another device — re-enumerated after a re-plug — which the holder cannot use.
 */
export type NodeHit =
  | { readonly type: 'drm'; readonly minor: number; readonly path: string; readonly stale?: true }
  | {
      readonly type: 'nvidia';
      readonly minor: number;
      readonly path: string;
      readonly stale?: true;
    }
  | { readonly type: 'nvidia-shared'; readonly compute: boolean; readonly path: string }
  | { readonly type: 'amd-shared'; readonly path: string }
  | { readonly type: 'dmabuf'; readonly path: string };

const DRM = /^\/dev\/dri\/(?:card|renderD)(\d+)$/;
const NVIDIA = /^\/dev\/nvidia(\d+)$/;
const NVIDIA_SHARED =
  /^\/dev\/(?:nvidiactl|nvidia-modeset|nvidia-uvm(?:-tools)?|nvidia-caps\/[\w-]+)$/;

/** Classifies a readlink/maps target already mapped to a target-system path; null if not a GPU node. */
export function classifyNodePath(rawPath: string): NodeHit | null {
  // A node deleted after the GPU went away still shows, with this suffix (d_path).
  const deleted = rawPath.endsWith(' (deleted)');
  const path = deleted ? rawPath.slice(0, -10) : rawPath;
  const stale = deleted ? { stale: true as const } : {};
  if (path.startsWith('/dev/')) {
    let m = DRM.exec(path);
    if (m) return { type: 'drm', minor: Number(m[1]), path, ...stale };
    m = NVIDIA.exec(path);
    if (m) return { type: 'nvidia', minor: Number(m[1]), path, ...stale };
    if (NVIDIA_SHARED.test(path))
      return { type: 'nvidia-shared', compute: path.startsWith('/dev/nvidia-uvm'), path };
    if (path === '/dev/kfd') return { type: 'amd-shared', path };
    return null;
  }
  // dma-buf: its own pseudo-fs since ~5.3 ('/dmabuf:' + name); older kernels 'anon_inode:dmabuf'.
  if (path.startsWith('/dmabuf:') || path === 'anon_inode:dmabuf')
    return { type: 'dmabuf', path: path.startsWith('/dmabuf:') ? '/dmabuf:' : path };
  return null;
}

export type GpuNodeIndex = {
  readonly drmMinor: ReadonlyMap<number, string>;
  readonly nvidiaMinor: ReadonlyMap<number, string>;
  readonly nvidiaGpus: readonly string[];
  readonly amdGpus: readonly string[];
  readonly byDriver: ReadonlyMap<string, readonly string[]>;
};

const minorOf = (node: string | null): number | null => {
  const m = node === null ? null : /(\d+)$/.exec(node);
  return m ? Number(m[1]) : null;
};

export function indexGpuNodes(inventory: Inventory): GpuNodeIndex {
  const drmMinor = new Map<number, string>();
  const nvidiaMinor = new Map<number, string>();
  const byDriver = new Map<string, string[]>();
  for (const g of inventory.gpus) {
    for (const n of [g.drm.card, g.drm.render]) {
      const minor = minorOf(n);
      if (minor !== null) drmMinor.set(minor, g.bdf);
    }
    if (g.nvidia) nvidiaMinor.set(g.nvidia.minor, g.bdf);
    if (g.driver) byDriver.set(g.driver, [...(byDriver.get(g.driver) ?? []), g.bdf]);
  }
  return {
    drmMinor,
    nvidiaMinor,
    nvidiaGpus: inventory.gpus
      .filter((g) => g.driver === 'nvidia' || (g.driver === null && g.vendorId === '0x10de'))
      .map((g) => g.bdf),
    amdGpus: inventory.gpus.filter((g) => g.driver === 'amdgpu').map((g) => g.bdf),
    byDriver,
  };
}
