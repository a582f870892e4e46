// What a GPU's PCIe link means to a person, from the inventory's link facts: the path's narrowest
// link first (a Thunderbolt tunnel's x4, not the GPU's own x16 behind its card's switch), how it
// runs now (a lower speed while idle is information, not a fault), and a fault only where there is
// one. `egpu status` and the window say the same (main/cli/format/status-text.ts,
// renderer/lib/format.ts). Pure.

import type { GpuLink, LinkState } from './inventory-model.js';

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
  const fault = linkFault(link);
  const path = linkPathWords(link, external);
  return fault === null ? path : `${path}; DEGRADED — ${fault}`;
}

/** The path, its bottleneck and how it runs now; no fault. */
export function linkPathWords(link: GpuLink, external = false): string {
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
  // A GPU without a link: that first, and the path's speed as what it could carry (a speed
  // before "no link" read as both at once).
  const parts =
    link.noLink !== undefined
      ? [
          `no link at the GPU — ${link.noLink}`,
          `the path to it can do ${linkText(b.max)} (narrowest link: ${where})`,
        ]
      : [`${linkText(b.max)} — narrowest link: ${where}${gpuMore}`];
  const d = link.degradation ?? null;
  const slow = link.slowNow ?? null;
  const now = link.now ?? null;
  if (slow !== null && slow.current.speed !== null) {
    const who = slow.byGpu
      ? 'the GPU lowers its link speed when idle'
      : `link ${slow.port} → ${slow.device} runs slower for now`;
    parts.push(`${slow.current.speed} GT/s now — ${who}; this path can do ${linkText(b.max)}`);
  } else if (d === null && now !== null && link.noLink === undefined) {
    // "Full speed" beside a GPU that can do more read as a claim about the GPU: it is the path's.
    const most = b.tunnel
      ? 'as fast as the Thunderbolt link allows'
      : 'as fast as this path allows';
    const top = gpuMore === '' ? 'full speed now' : `running ${most}`;
    parts.push(sameState(now, b.max) ? top : `${linkText(now)} now`);
  }
  return parts.join('; ');
}

/** The fault behind a degraded link, in words; null when the path has none. */
export function linkFault(link: GpuLink): string | null {
  const d = link.degradation ?? null;
  if (d?.kind === 'width')
    return `link ${d.port} → ${d.device} trained at x${d.current.width ?? '?'} although both ends support x${d.capable.width ?? '?'} (reseat or replace the cable)`;
  if (d?.kind === 'path')
    return `link ${d.port} → ${d.device} can do only ${linkText(d.max)} although the GPU and root port ${d.rootPort} both do ${linkText(d.ends)}`;
  return null;
}
