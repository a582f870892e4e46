// Human output of `egpu clients`: per GPU, who holds it and through which nodes. Pure.

import type { ClientInfo, ClientsReport } from '../../common/clients-model.js';
import type { Inventory } from '../../common/inventory-model.js';

const truncate = (s: string, n: number): string => (s.length <= n ? s : s.slice(0, n - 1) + '…');

function table(rows: readonly ClientInfo[]): string[] {
  const head = ['PID', 'USER', 'ROLE', 'COMMAND', 'HOLDS'];
  const body = rows.map((c) => [
    String(c.pid),
    c.user ?? (c.uid === null ? '?' : String(c.uid)),
    c.role,
    truncate(c.cmdline, 40),
    c.nodes.join(' ') + (c.via.includes('mmap') && !c.via.includes('fd') ? ' (mapped only)' : ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]): string =>
    '  ' + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [fmt(head), ...body.map(fmt)];
}

/** `gpu`: the one GPU asked about (`--gpu`), named when nothing holds it. */
export function formatClients(report: ClientsReport, inventory: Inventory, gpu?: string): string {
  const out: string[] = [];
  const gpus = new Map(inventory.gpus.map((g) => [g.bdf, g]));
  const groups = new Map<string | null, ClientInfo[]>();
  for (const c of report.clients) groups.set(c.gpu, [...(groups.get(c.gpu) ?? []), c]);
  if (groups.size === 0) {
    const asked = gpu === undefined ? undefined : gpus.get(gpu);
    out.push(
      gpu === undefined
        ? 'No process holds a GPU.'
        : `No process holds ${asked === undefined ? gpu : `${asked.name} (${gpu})`}.`,
    );
  }
  for (const [bdf, rows] of groups) {
    const g = bdf === null ? undefined : gpus.get(bdf);
    const pids = new Set(rows.map((r) => r.pid)).size;
    const title =
      bdf === null
        ? 'Driver nodes of no GPU present now'
        : g === undefined
          ? `GPU ${bdf} (no longer present)`
          : `${g.name} (${bdf}, ${g.external ? 'external' : 'internal'})`;
    out.push(`${title} — ${pids} process${pids === 1 ? '' : 'es'}`, ...table(rows), '');
  }
  if (report.uninspectable > 0) {
    out.push(
      `${report.uninspectable} process${report.uninspectable === 1 ? '' : 'es'} could not be inspected (other users' processes); run as root to see every holder.`,
    );
  }
  return out.join('\n').replace(/\n*$/, '\n');
}
