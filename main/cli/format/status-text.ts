// Human output of `egpu status`: a summary a person reads at a glance. Pure.

import type { GpuInfo, GpuLink, Inventory, LinkState } from '../../common/inventory-model.js';

/** '8 GT/s x4'; a part the kernel did not give is left out rather than shown as '?'. */
export const linkText = (s: LinkState): string =>
  [s.speed === null ? null : `${s.speed} GT/s`, s.width === null ? null : `x${s.width}`]
    .filter((x): x is string => x !== null)
    .join(' ') || 'unknown';

const sameState = (a: LinkState, b: LinkState): boolean =>
  a.speed === b.speed && a.width === b.width;

/**
 * The link line: the path's bottleneck first (the narrowest link between the root port and the
 * GPU — a Thunderbolt tunnel's x4, an OCuLink x4 — not the GPU's own link behind its card's
 * switch), then how it runs now, then a fault if there is one.
 */
export function describeLink(link: GpuLink, external = false): string {
  if (link.skipped !== undefined) return `not read (${link.skipped})`;
  const b = link.bottleneck ?? null;
  if (link.noLink !== undefined && b === null) return `no link: ${link.noLink}`;
  if (b === null) {
    if (link.current === null)
      return external ? 'no PCIe link information in sysfs' : 'no PCIe link (integrated)';
    return `${linkText(link.current)} at the GPU`;
  }
  const where = b.tunnel
    ? `Thunderbolt/USB4 tunnel ${b.port} → ${b.device}`
    : `${b.port} → ${b.device}`;
  const gpuMore =
    link.max !== null && !sameState(link.max, b.max)
      ? ` (the GPU can do ${linkText(link.max)})`
      : '';
  const parts = [`${linkText(b.max)} — narrowest link: ${where}${gpuMore}`];
  if (link.noLink !== undefined) parts.push(`no link at the GPU — ${link.noLink}`);
  const d = link.degradation ?? null;
  const slow = link.slowNow ?? null;
  const now = link.now ?? null;
  if (slow !== null && slow.current.speed !== null) {
    const who = slow.byGpu
      ? 'the GPU lowers its link speed when idle'
      : `link ${slow.port} → ${slow.device} runs slower for now`;
    parts.push(`${slow.current.speed} GT/s now — ${who}; this path can do ${linkText(b.max)}`);
  } else if (d === null && now !== null && link.noLink === undefined) {
    parts.push(sameState(now, b.max) ? 'full speed now' : `${linkText(now)} now`);
  }
  if (d?.kind === 'width') {
    parts.push(
      `DEGRADED — link ${d.port} → ${d.device} trained at x${d.current.width ?? '?'} although both ends support x${d.capable.width ?? '?'} (reseat or replace the cable)`,
    );
  } else if (d?.kind === 'path') {
    parts.push(
      `DEGRADED — link ${d.port} → ${d.device} can do only ${linkText(d.max)} although the GPU and root port ${d.rootPort} both do ${linkText(d.ends)}`,
    );
  }
  return parts.join('; ');
}

function gpuTitle(g: GpuInfo): string {
  const tags = [g.external ? 'external' : 'internal'];
  if (g.bootVga) tags.push('boot display');
  return `${g.name}  [${tags.join(', ')}]  ${g.bdf}`;
}

function health(g: GpuInfo): string {
  const label = g.health === 'ok' ? 'ok' : g.health === 'unreachable' ? 'UNREACHABLE' : 'unknown';
  const pm = g.runtimeStatus === null ? '' : `, runtime PM ${g.runtimeStatus}`;
  const stuck = g.stuck == null ? '' : `; STUCK — ${g.stuck}`;
  return `${label} — ${g.healthReason}${pm}${stuck}`;
}

/** GPUs a script should hear about: unreachable (fell off the bus) or stuck in a power state. */
export function troubledGpus(inv: Inventory): GpuInfo[] {
  return inv.gpus.filter((g) => g.health === 'unreachable' || (g.stuck ?? null) !== null);
}

const row = (label: string, value: string): string => `  ${label.padEnd(11)} ${value}`;

function gpuBlock(g: GpuInfo): string[] {
  const lines = [gpuTitle(g)];
  if (g.enclosure) {
    lines.push(
      row(
        'Enclosure',
        `${g.enclosure.name} (Thunderbolt ${g.enclosure.router} on ${g.enclosure.domain})`,
      ),
    );
  }
  const nodes = [g.drm.card, g.drm.render, g.nvidia?.node].filter(
    (n): n is string => typeof n === 'string',
  );
  lines.push(
    row('Driver', `${g.driver ?? '(none bound)'}${nodes.length ? '   ' + nodes.join('  ') : ''}`),
  );
  lines.push(row('Link', describeLink(g.link, g.external)));
  lines.push(row('Health', health(g)));
  for (const [i, f] of g.functions.entries()) {
    lines.push(
      row(i === 0 ? 'Functions' : '', `${f.bdf} ${f.name}${f.driver ? ` (${f.driver})` : ''}`),
    );
  }
  for (const [i, e] of g.externalEvidence.entries())
    lines.push(row(i === 0 ? 'Evidence' : '', e.detail));
  return lines;
}

export function formatStatus(inv: Inventory): string {
  const out: string[] = [];
  const ext = inv.gpus.filter((g) => g.external).length;
  out.push(
    inv.gpus.length === 0
      ? 'No GPUs found (no PCI display controllers).'
      : `${inv.gpus.length} GPU${inv.gpus.length === 1 ? '' : 's'}, ${ext} external`,
  );
  for (const g of [...inv.gpus].sort((a, b) => Number(b.external) - Number(a.external))) {
    out.push('', ...gpuBlock(g));
  }
  for (const d of inv.thunderbolt) {
    out.push(
      '',
      `Thunderbolt ${d.domain}: security ${d.security ?? '?'}, ${d.deauthorization ? 'tunnel can be dropped before unplug' : 'no de-authorization'}`,
    );
    for (const r of d.routers.filter((x) => !x.host)) {
      const auth = r.authorized === null ? '?' : r.authorized > 0 ? 'authorized' : 'NOT authorized';
      out.push(
        `  ${r.router.padEnd(6)} ${[r.vendorName, r.deviceName].filter(Boolean).join(' ') || '(unnamed)'} — ${auth}, ${r.uniqueId ?? 'no unique_id'}`,
      );
    }
  }
  if (inv.modules.length > 0) {
    out.push('', 'Modules:');
    for (const m of inv.modules) {
      const state = !m.loaded
        ? 'not loaded'
        : m.builtin
          ? 'built in'
          : `refcnt ${m.refcount ?? '?'}${m.holders.length ? `, used by ${m.holders.join(', ')}` : ''}`;
      out.push(`  ${m.name.padEnd(15)} ${state}`);
    }
  }
  if (inv.problems.length > 0) {
    out.push(
      '',
      `Could not read ${inv.problems.length} sysfs entr${inv.problems.length === 1 ? 'y' : 'ies'}:`,
    );
    for (const p of inv.problems.slice(0, 10)) out.push(`  ${p.path}: ${p.error}`);
    if (inv.problems.length > 10) out.push(`  … and ${inv.problems.length - 10} more (see --json)`);
  }
  return out.join('\n') + '\n';
}
