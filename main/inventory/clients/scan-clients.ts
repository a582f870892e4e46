// scanClients: every process that holds a GPU, per GPU, from /proc/<pid>/{fd,fdinfo,maps}
// (linux-interfaces.md §3). Per-GPU nodes decide the GPU; driver-wide nodes (nvidiactl,
// nvidia-uvm, /dev/kfd) and dma-bufs are attributed to the GPUs of that driver the process
// already uses, else to every GPU of that driver: they block driver unload and may touch any.

import type { ClientInfo, ClientsReport, HoldVia } from '../../common/clients-model.js';
import type { Inventory } from '../../common/inventory-model.js';
import type { SystemRoot } from '../../platform/system-root.js';
import { classifyRole } from './client-roles.js';
import { indexGpuNodes, type GpuNodeIndex } from './gpu-nodes.js';
import { readIdentity, scanProcess, type ProcessHit } from './proc-process.js';
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
  for (const h of hits) {
    if (h.hit.type === 'drm') {
      const gpu = h.pdev ?? index.drmMinor.get(h.hit.minor) ?? null;
      if (gpu !== null) direct.add(gpu);
      add(gpu, h);
    } else if (h.hit.type === 'nvidia') {
      const gpu = index.nvidiaMinor.get(h.hit.minor) ?? null;
      if (gpu !== null) direct.add(gpu);
      add(gpu, h);
    }
  }
  const narrow = (candidates: readonly string[]): (string | null)[] => {
    const used = candidates.filter((g) => direct.has(g));
    return used.length > 0 ? used : candidates.length > 0 ? [...candidates] : [null];
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
};

export function scanClients(
  root: SystemRoot,
  inventory: Inventory,
  options: ScanOptions = {},
): ClientsReport {
  const index = indexGpuNodes(inventory);
  const pids = root.list('/proc');
  let users: Map<number, string> | undefined;
  let uninspectable = 0;
  let vanished = 0;
  let scanned = 0;
  const clients: ClientInfo[] = [];
  for (const pid of pids.ok ? pids.value : []) {
    if (pid.charCodeAt(0) < 48 || pid.charCodeAt(0) > 57) continue; // not a pid
    scanned++;
    const scan = scanProcess(root, pid);
    if (scan.status === 'denied') uninspectable++;
    if (scan.status !== 'ok') {
      if (scan.status === 'vanished') vanished++;
      continue;
    }
    if (scan.hits.length === 0) continue;
    const byGpu = attributeHits(scan.hits, index);
    if (options.gpu !== undefined && !byGpu.has(options.gpu)) continue;
    const id = readIdentity(root, pid);
    if (id.comm === '' && id.argv.length === 0) {
      vanished++; // exited between the fd scan and now
      continue;
    }
    users ??= readUsers(root);
    const holdsComputeNode = scan.hits.some(
      (h) => (h.hit.type === 'nvidia-shared' && h.hit.compute) || h.hit.type === 'amd-shared',
    );
    const role = classifyRole({ comm: id.comm, argv0: id.argv[0] ?? '', holdsComputeNode });
    for (const [gpu, holding] of byGpu) {
      if (options.gpu !== undefined && gpu !== options.gpu) continue;
      clients.push({
        pid: Number(pid),
        comm: id.comm,
        cmdline: id.argv.length > 0 ? id.argv.join(' ') : `[${id.comm}]`,
        uid: id.uid,
        user: id.uid === null ? null : (users.get(id.uid) ?? null),
        gpu,
        nodes: [...holding.nodes].sort(),
        via: [...holding.via].sort(),
        role,
      });
    }
  }
  const key = (c: ClientInfo): string => c.gpu ?? '~'; // clients of no present GPU last
  clients.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.pid - b.pid));
  return { clients, uninspectable, vanished, scanned };
}
