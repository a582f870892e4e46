// Turns what the raw /proc scan found for one process into GPU node hits, with the fdinfo facts
// that pin a DRM fd (drm-pdev) or a dma-buf (exp_name) to a device or driver; and who the process
// is, from the comm, cmdline and status text the scan read. Pure.

import type { HoldVia } from '../../common/clients-model.js';
import { normalizeBdf } from '../../common/pci.js';
import type { RawIdentity, RawProcess } from '../../platform/proc-scan.js';
import { classifyNodePath, type NodeHit } from './gpu-nodes.js';

export type ProcessHit = {
  readonly hit: NodeHit;
  readonly via: HoldVia;
  /** From fdinfo: drm-pdev for DRM fds, exp_name for dma-bufs. */
  readonly pdev?: string;
  readonly exporter?: string;
};

function fdinfoFacts(
  fdinfo: string | undefined,
  hit: NodeHit,
): Pick<ProcessHit, 'pdev' | 'exporter'> {
  if (fdinfo === undefined) return {};
  if (hit.type === 'drm') {
    // drm-usage-stats.rst: drm-pdev is the PCI address (amdgpu, i915, xe, … since ~5.19/6.5).
    const m = /^drm-pdev:\s*(\S+)/m.exec(fdinfo);
    const bdf = m ? normalizeBdf(m[1]!) : null;
    return bdf === null ? {} : { pdev: bdf };
  }
  if (hit.type === 'dmabuf') {
    const m = /^exp_name:\s*(\S+)/m.exec(fdinfo);
    return m ? { exporter: m[1]! } : {};
  }
  return {};
}

export function hitsOf(raw: RawProcess): ProcessHit[] {
  const hits: ProcessHit[] = [];
  for (const fd of raw.fds) {
    const hit = classifyNodePath(fd.target);
    if (hit !== null) hits.push({ hit, via: 'fd', ...fdinfoFacts(fd.fdinfo, hit) });
  }
  // A mapping keeps a node alive after its fd was closed; count it once if no fd holds it.
  const seen = new Set(hits.map((h) => h.hit.path));
  for (const path of raw.mapped) {
    const hit = classifyNodePath(path);
    if (hit !== null && hit.type !== 'dmabuf' && !seen.has(hit.path)) {
      seen.add(hit.path);
      hits.push({ hit, via: 'mmap' });
    }
  }
  return hits;
}

export type ProcessIdentity = { comm: string; argv: string[]; uid: number | null };

/** Who a process is; an empty comm and argv when nothing could be read (it has exited). */
export function identityOf(raw: RawIdentity | undefined): ProcessIdentity {
  const uid = raw?.status == null ? null : /^Uid:\s+(\d+)/m.exec(raw.status);
  return {
    comm: raw?.comm == null ? '' : raw.comm.trim(),
    argv: raw?.cmdline == null ? [] : raw.cmdline.split('\0').filter((a) => a !== ''),
    uid: uid ? Number(uid[1]) : null,
  };
}
