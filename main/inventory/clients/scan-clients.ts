// scanClients: every process that holds a GPU, per GPU, from /proc/<pid>/{fd,fdinfo,maps}
// (proc(5); kernel Documentation/gpu/drm-usage-stats.rst for fdinfo). Per-GPU nodes decide the
// GPU; driver-wide nodes (nvidiactl, nvidia-uvm, /dev/kfd) and dma-bufs are attributed to the GPUs
// of that driver the process already uses, else to every GPU of that driver: they block driver
// unload and may touch any.

import type { ClientInfo, ClientsReport, HoldVia } from '../../common/clients-model.js';
import type { Inventory } from '../../common/inventory-model.js';
import {
  procScanRequest,
  procScanTarget,
  slicedScan,
  type ProcScanJob,
  type RawProcess,
} from '../../platform/proc-scan.js';
import type { SystemRoot } from '../../platform/system-root.js';
import { classifyRole } from './client-roles.js';
import { indexGpuNodes, type GpuNodeIndex } from './gpu-nodes.js';
import { hitsOf, identityOf, type ProcessHit } from './proc-process.js';
import { readUsers } from './users.js';

type Holding = { nodes: Set<string>; via: Set<HoldVia> };

/** Which GPU (or null: none present now) each hit of one process belongs to. */
export function attributeHits(
  hits: readonly ProcessHit[],
  index: GpuNodeIndex,
): Map<string | null, Holding> {
  const out = new Map<string | null, Holding>();
  const add = (gpu: string | null, h: ProcessHit): void => {
    const entry = out.get(gpu) ?? { nodes: new Set(), via: new Set() };
    entry.nodes.add(h.hit.path);
    entry.via.add(h.via);
    out.set(gpu, entry);
  };
  const direct = new Set<string>();
  // A deleted node belongs to a GPU that went away, whatever is at its minor now (NodeHit.stale).
  let stale = false;
  for (const h of hits) {
    if ((h.hit.type === 'drm' || h.hit.type === 'nvidia') && h.hit.stale === true) {
      stale = true;
      add(null, h);
    } else if (h.hit.type === 'drm') {
      const gpu = h.pdev ?? index.drmMinor.get(h.hit.minor) ?? null;
      if (gpu !== null) direct.add(gpu);
      add(gpu, h);
    } else if (h.hit.type === 'nvidia') {
      const gpu = index.nvidiaMinor.get(h.hit.minor) ?? null;
      if (gpu !== null) direct.add(gpu);
      add(gpu, h);
    }
  }
  // Driver-wide nodes go with the GPUs the process opened itself; with only gone ones, with none.
  const narrow = (candidates: readonly string[]): (string | null)[] => {
    const used = candidates.filter((g) => direct.has(g));
    if (used.length > 0) return used;
    return candidates.length > 0 && !stale ? [...candidates] : [null];
  };
  for (const h of hits) {
    if (h.hit.type === 'nvidia-shared') for (const g of narrow(index.nvidiaGpus)) add(g, h);
    else if (h.hit.type === 'amd-shared') for (const g of narrow(index.amdGpus)) add(g, h);
    else if (h.hit.type === 'dmabuf' && h.exporter !== undefined) {
      // exp_name names the exporting driver, not the device (dma-buf.c dma_buf_show_fdinfo).
      const candidates = index.byDriver.get(h.exporter) ?? [];
      if (candidates.length > 0) for (const g of narrow(candidates)) add(g, h);
    }
  }
  return out;
}

export type ScanOptions = {
  /** Only processes holding this GPU. */
  readonly gpu?: string;
  /**
   * A /proc scan the caller started earlier (`egpu clients` starts it before reading the
   * inventory, shared with a worker thread); by default one on this thread, in slices.
   */
  readonly processes?: ProcScanJob;
};

/** Who is this process and what role does it play; one entry per GPU it holds. */
function clientsOf(
  raw: RawProcess,
  hits: readonly ProcessHit[],
  byGpu: Map<string | null, Holding>,
  users: () => Map<number, string>,
  onlyGpu?: string,
): ClientInfo[] | null {
  const id = identityOf(raw.identity);
  if (id.comm === '' && id.argv.length === 0) return null; // exited between the fd scan and now
  const holdsComputeNode = hits.some(
    (h) => (h.hit.type === 'nvidia-shared' && h.hit.compute) || h.hit.type === 'amd-shared',
  );
  const role = classifyRole({ comm: id.comm, argv0: id.argv[0] ?? '', holdsComputeNode });
  const out: ClientInfo[] = [];
  for (const [gpu, holding] of byGpu) {
    if (onlyGpu !== undefined && gpu !== onlyGpu) continue;
    out.push({
      pid: Number(raw.pid),
      comm: id.comm,
      cmdline: id.argv.length > 0 ? id.argv.join(' ') : `[${id.comm}]`,
      uid: id.uid,
      user: id.uid === null ? null : (users().get(id.uid) ?? null),
      gpu,
      nodes: [...holding.nodes].sort(),
      via: [...holding.via].sort(),
      role,
    });
  }
  return out;
}

export async function scanClients(
  root: SystemRoot,
  inventory: Inventory,
  options: ScanOptions = {},
): Promise<ClientsReport> {
  const index = indexGpuNodes(inventory);
  const job = options.processes ?? slicedScan(procScanRequest(procScanTarget(root)));
  const raws = await job.finish();
  let userDb: Map<number, string> | undefined;
  const users = (): Map<number, string> => (userDb ??= readUsers(root));
  let uninspectable = 0;
  let vanished = 0;
  const clients: ClientInfo[] = [];
  for (const raw of raws) {
    if (raw.status === 'denied') uninspectable++;
    if (raw.status === 'vanished') vanished++;
    if (raw.status !== 'ok') continue;
    const hits = hitsOf(raw);
    if (hits.length === 0) continue;
    const byGpu = attributeHits(hits, index);
    if (options.gpu !== undefined && !byGpu.has(options.gpu)) continue;
    const entries = clientsOf(raw, hits, byGpu, users, options.gpu);
    if (entries === null) vanished++;
    else clients.push(...entries);
  }
  const key = (c: ClientInfo): string => c.gpu ?? '~'; // clients of no present GPU last
  clients.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.pid - b.pid));
  return { clients, uninspectable, vanished, scanned: job.scanned() };
}
