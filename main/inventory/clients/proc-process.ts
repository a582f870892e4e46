// Reads what one process holds from /proc/<pid>: GPU nodes among its open files (fd links) and its
// memory mappings (maps keeps a mapping alive after its fd was closed), plus the fdinfo facts that
// pin a DRM fd (drm-pdev) or a dma-buf (exp_name) to a device or driver. A process that exits
// mid-read, or whose fds we may not read, is reported as such — never an error.

import type { HoldVia } from '../../common/clients-model.js';
import { normalizeBdf } from '../../common/pci.js';
import type { SystemRoot } from '../../platform/system-root.js';
import { classifyNodePath, type NodeHit } from './gpu-nodes.js';

export type ProcessHit = {
  readonly hit: NodeHit;
  readonly via: HoldVia;
  /** From fdinfo: drm-pdev for DRM fds, exp_name for dma-bufs. */
  readonly pdev?: string;
  readonly exporter?: string;
};

export type ProcessScan =
  | { readonly status: 'ok'; readonly hits: readonly ProcessHit[] }
  | { readonly status: 'denied' | 'vanished' };

const MAX_MAPS_BYTES = 64 * 1024 * 1024;

function fdinfoFacts(
  root: SystemRoot,
  pid: string,
  fd: string,
  hit: NodeHit,
): Pick<ProcessHit, 'pdev' | 'exporter'> {
  if (hit.type !== 'drm' && hit.type !== 'dmabuf') return {};
  const info = root.readText(`/proc/${pid}/fdinfo/${fd}`, 16 * 1024);
  if (!info.ok) return {};
  if (hit.type === 'drm') {
    // drm-usage-stats.rst: drm-pdev is the PCI address (amdgpu, i915, xe, … since ~5.19/6.5).
    const m = /^drm-pdev:\s*(\S+)/m.exec(info.value);
    const bdf = m ? normalizeBdf(m[1]!) : null;
    return bdf === null ? {} : { pdev: bdf };
  }
  const m = /^exp_name:\s*(\S+)/m.exec(info.value);
  return m ? { exporter: m[1]! } : {};
}

/**
 * Pathnames of mappings that contain '/dev/' in /proc/<pid>/maps (the last column), found with
 * indexOf rather than by splitting every line: a browser's maps runs to megabytes.
 */
export function mappedDevicePaths(maps: string): string[] {
  const out = new Set<string>();
  let at = maps.indexOf('/dev/');
  while (at >= 0) {
    const lineStart = maps.lastIndexOf('\n', at) + 1;
    const lineEnd = maps.indexOf('\n', at);
    const line = maps.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    // address perms offset dev inode pathname — the pathname starts at the sixth field.
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (m) out.add(m[1]!.trim());
    if (lineEnd < 0) break;
    at = maps.indexOf('/dev/', lineEnd);
  }
  return [...out];
}

export function scanProcess(root: SystemRoot, pid: string): ProcessScan {
  const fds = root.list(`/proc/${pid}/fd`);
  if (!fds.ok) return { status: fds.error.code === 'permission-denied' ? 'denied' : 'vanished' };
  const hits: ProcessHit[] = [];
  let lost = 0;
  for (const fd of fds.value) {
    const link = root.readLink(`/proc/${pid}/fd/${fd}`);
    if (!link.ok) {
      lost++; // closed since readdir, or the whole process is gone
      continue;
    }
    const hit = classifyNodePath(root.targetPath(link.value));
    if (hit !== null) hits.push({ hit, via: 'fd', ...fdinfoFacts(root, pid, fd, hit) });
  }
  if (lost > 0 && lost === fds.value.length && !root.exists(`/proc/${pid}/fd`))
    return { status: 'vanished' };
  const maps = root.readText(`/proc/${pid}/maps`, MAX_MAPS_BYTES);
  if (maps.ok && maps.value.includes('/dev/')) {
    const seen = new Set(hits.map((h) => h.hit.path));
    for (const path of mappedDevicePaths(maps.value)) {
      const hit = classifyNodePath(root.targetPath(path));
      if (hit !== null && hit.type !== 'dmabuf' && !seen.has(hit.path))
        hits.push({ hit, via: 'mmap' });
    }
  }
  return { status: 'ok', hits };
}

export type ProcessIdentity = { comm: string; argv: string[]; uid: number | null };

export function readIdentity(root: SystemRoot, pid: string): ProcessIdentity {
  const comm = root.readText(`/proc/${pid}/comm`, 256);
  const cmdline = root.readText(`/proc/${pid}/cmdline`, 64 * 1024);
  const status = root.readText(`/proc/${pid}/status`, 16 * 1024);
  const uid = status.ok ? /^Uid:\s+(\d+)/m.exec(status.value) : null;
  return {
    comm: comm.ok ? comm.value.trim() : '',
    argv: cmdline.ok
      ? cmdline.value.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1)
      : [],
    uid: uid ? Number(uid[1]) : null,
  };
}
