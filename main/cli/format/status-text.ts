// Human output of `egpu status`: a summary a person reads at a glance. Pure.

import type { GpuInfo, Inventory } from '../../common/inventory-model.js';
import { describeLink } from '../../common/link-words.js';
import { shellQuote } from './compositor-text.js';

export { describeLink, linkText } from '../../common/link-words.js';

function gpuTitle(g: GpuInfo): string {
  const tags = [g.external ? 'external' : 'internal'];
  if (g.bootVga) tags.push('boot display');
  return `${g.name}  [${tags.join(', ')}]  ${g.bdf}`;
}

/** /sys/…/power/runtime_status in words (Documentation/power/runtime_pm.rst). */
const POWER: Readonly<Record<string, string>> = {
  active: 'awake',
  suspended: 'asleep (runtime-suspended)',
  suspending: 'going to sleep',
  resuming: 'waking up',
  error: 'power management failed for it (runtime PM error)',
};

function health(g: GpuInfo): string {
  const label = g.health === 'ok' ? 'ok' : g.health === 'unreachable' ? 'UNREACHABLE' : 'unknown';
  // What runtime PM believes says nothing about a device that does not answer ("active" beside
  // "fell off the bus" read as a contradiction); for one that answers it tells awake from asleep.
  const power =
    g.runtimeStatus === null || g.health === 'unreachable' ? undefined : POWER[g.runtimeStatus];
  const pm = power === undefined ? '' : `; ${power}`;
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

/**
 * `remembered`: external GPUs eGPU Guard has seen on this machine (its known-GPUs file); those not
 * on the bus now are named, so that a missing eGPU is not simply absent from the summary.
 */
/** An external GPU seen here before, as the known-GPUs file keeps it (main/actions/known-gpus.ts). */
export type RememberedGpu = {
  readonly bdf: string;
  readonly name: string;
  readonly vendorId: string;
  readonly deviceId: string;
  readonly enclosure: { readonly name: string; readonly uniqueId: string } | null;
};

/**
 * `where`: the flags that name the machine (`--root DIR`), carried into the commands it suggests.
 * `ejected`: addresses of GPUs a safe eject took off the bus, not back since (eject-intent.ts).
 */
export function formatStatus(
  inv: Inventory,
  remembered: readonly RememberedGpu[] = [],
  where: readonly string[] = [],
  ejected: readonly string[] = [],
): string {
  const recoverDry = `\`${shellQuote(['egpu', 'recover', '--dry-run', ...where])}\``;
  const out: string[] = [];
  const ext = inv.gpus.filter((g) => g.external).length;
  out.push(
    inv.gpus.length === 0
      ? 'No GPUs found (no PCI display controllers).'
      : `${inv.gpus.length} GPU${inv.gpus.length === 1 ? '' : 's'}, ${ext} external`,
  );
  const away = remembered.filter(
    (k) => !inv.gpus.some((g) => g.vendorId === k.vendorId && g.deviceId === k.deviceId),
  );
  const routers = inv.thunderbolt.flatMap((d) => d.routers);
  /** Enclosures whose tunnel a safe eject dropped on purpose, still plugged in. */
  const ejectedBoxes = new Set<string>();
  for (const k of away) {
    const box = k.enclosure?.name ? `the ${k.enclosure.name}` : 'its enclosure';
    const router = routers.find((r) => k.enclosure !== null && r.uniqueId === k.enclosure.uniqueId);
    if (ejected.includes(k.bdf)) {
      // The eject's own story: nothing is wrong, the next step is the unplug.
      if (router !== undefined && router.uniqueId !== null) ejectedBoxes.add(router.uniqueId);
      out.push(
        router === undefined
          ? `Unplugged after a safe eject: ${k.name} (was ${k.bdf}) — plug in ${box}, then ${recoverDry} shows how to bring it up`
          : `Ejected safely: ${k.name} (was ${k.bdf}) — safe to unplug ${box} now; to use it again instead, ${recoverDry} shows how`,
      );
      continue;
    }
    // Connected and authorized, yet no GPU: it did not come up (or stopped answering and was taken
    // off the bus) — a reconnect first. Not authorized (its tunnel dropped): Recover authorizes it.
    const next =
      router === undefined
        ? `plug in ${box}, then ${recoverDry} shows how to bring it up`
        : router.authorized === 0
          ? `${box} is connected: ${recoverDry} shows how to bring it up`
          : `${box} is connected but the GPU did not come up: reconnect it (unplug it, wait ten seconds, plug it back in), then ${recoverDry}`;
    out.push(`Not on the bus now: ${k.name} (seen before at ${k.bdf}) — ${next}`);
  }
  for (const g of [...inv.gpus].sort((a, b) => Number(b.external) - Number(a.external))) {
    out.push('', ...gpuBlock(g));
  }
  for (const d of inv.thunderbolt) {
    out.push(
      '',
      `Thunderbolt ${d.domain}: security ${d.security ?? '?'}, ${d.deauthorization ? 'tunnel can be dropped before unplug' : 'no de-authorization'}`,
    );
    for (const r of d.routers.filter((x) => !x.host)) {
      const byEject = r.uniqueId !== null && ejectedBoxes.has(r.uniqueId);
      const auth =
        r.authorized === null
          ? '?'
          : r.authorized > 0
            ? 'authorized'
            : byEject
              ? 'not authorized (the eject dropped its tunnel)'
              : 'NOT authorized';
      out.push(
        `  ${r.router.padEnd(6)} ${[r.vendorName, r.deviceName].filter(Boolean).join(' ') || '(unnamed)'} — ${auth}, ${r.uniqueId ?? 'no unique_id'}`,
      );
      // Nothing behind it is usable until it is: say what does it.
      if (r.authorized === 0 && !byEject)
        out.push(`         ${recoverDry} shows how to authorize it and bring up its GPU`);
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
