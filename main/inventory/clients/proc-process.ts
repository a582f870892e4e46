// Turns what the raw /proc scan found for one process into GPU node hits, with the fdinfo facts
// that pin a DRM fd (drm-pdev) or a dma-buf (exp_name) to a device or driver; and reads who the
// process is. Pure apart from readIdentity, which goes through the SystemRoot.

import type { HoldVia } from '../../common/clients-model.js';
import { normalizeBdf } from '../../common/pci.js';
import type { RawProcess } from '../../platform/proc-scan.js';
import type { SystemRoot } from '../../platform/system-root.js';
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

export function readIdentity(root: SystemRoot, pid: string): ProcessIdentity {
  const comm = root.readText(`/proc/${pid}/comm`, 256);
  const cmdline = root.readText(`/proc/${pid}/cmdline`, 64 * 1024);
  const status = root.readText(`/proc/${pid}/status`, 16 * 1024);
  const uid = status.ok ? /^Uid:\s+(\d+)/m.exec(status.value) : null;
  return {
    comm: comm.ok ? comm.value.trim() : '',
    argv: cmdline.ok ? cmdline.value.split('\0').filter((a) => a !== '') : [],
    uid: uid ? Number(uid[1]) : null,
  };
}
