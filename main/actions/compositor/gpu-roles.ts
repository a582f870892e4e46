// Which GPUs are internal and external, and which of them the compositor or X server holds —
// as its primary GPU (the one it drives its displays and renders from) or as a secondary one.
// Pure: the inventory, the client scan and the compositors' DRM lists come in as data.

import type { ClientInfo } from '../../common/clients-model.js';
import type { GpuInfo, Inventory } from '../../common/inventory-model.js';

export type DisplayGpu = {
  readonly bdf: string;
  readonly name: string;
  readonly driver: string | null;
  readonly vendorId: string;
  readonly external: boolean;
  readonly bootVga: boolean;
  /** /dev/dri/cardN, or null without a DRM driver. */
  readonly card: string | null;
  /** N of cardN: the DRM minor a udev remove event names (MINOR=N). */
  readonly minor: number | null;
  /** udev's ID_PATH of the card (path_id builtin): `pci-0000:0a:00.0`. */
  readonly idPath: string;
};

export type DisplayGpus = {
  /** Boot display first: it is the one to name first (primary) in a DRM device list. */
  readonly internal: readonly DisplayGpu[];
  readonly external: readonly DisplayGpu[];
};

function toDisplayGpu(g: GpuInfo): DisplayGpu {
  const m = g.drm.card === null ? null : /card(\d+)$/.exec(g.drm.card);
  return {
    bdf: g.bdf,
    name: g.name,
    driver: g.driver,
    vendorId: g.vendorId,
    external: g.external,
    bootVga: g.bootVga,
    card: g.drm.card,
    minor: m ? Number(m[1]) : null,
    idPath: `pci-${g.bdf}`,
  };
}

export function displayGpus(inventory: Inventory): DisplayGpus {
  const all = inventory.gpus.map(toDisplayGpu);
  const byBoot = (a: DisplayGpu, b: DisplayGpu): number =>
    Number(b.bootVga) - Number(a.bootVga) || (a.bdf < b.bdf ? -1 : a.bdf > b.bdf ? 1 : 0);
  return {
    internal: all.filter((g) => !g.external).sort(byBoot),
    external: all.filter((g) => g.external).sort(byBoot),
  };
}

/**
 * Environment variables whose first entry is the compositor's primary GPU (wlroots
 * docs/env_vars.md, aquamarine docs/env.md; KWIN_DRM_DEVICES works alike).
 */
export const DRM_LIST_VARIABLES = ['KWIN_DRM_DEVICES', 'WLR_DRM_DEVICES', 'AQ_DRM_DEVICES'];

/** The first device of a DRM list in a NUL-separated environ block; null when none is set. */
export function firstListedDevice(environ: string): string | null {
  for (const kv of environ.split('\0')) {
    const eq = kv.indexOf('=');
    if (eq < 0 || !DRM_LIST_VARIABLES.includes(kv.slice(0, eq))) continue;
    const firstEntry = kv
      .slice(eq + 1)
      .split(':')
      .find((e) => e !== '');
    if (firstEntry !== undefined) return firstEntry;
  }
  return null;
}

export type CompositorHold = {
  readonly pid: number;
  readonly comm: string;
  readonly role: 'compositor' | 'x-server';
  readonly gpu: string;
  readonly external: boolean;
  /** True: its primary GPU; false: a secondary one; null: cannot be told. */
  readonly primary: boolean | null;
  readonly nodes: readonly string[];
};

/**
 * Compositors and X servers and the GPUs they hold. `listedPrimary` maps a pid to the GPU its
 * KWIN/WLR/AQ_DRM_DEVICES list names first. Without a list: the only GPU it holds, else the boot
 * display among those it holds.
 */
export function compositorHolds(
  clients: readonly ClientInfo[],
  inventory: Inventory,
  listedPrimary: ReadonlyMap<number, string | null>,
): CompositorHold[] {
  const gpus = new Map(inventory.gpus.map((g) => [g.bdf, g]));
  const drawers = clients.filter(
    (c): c is ClientInfo & { role: 'compositor' | 'x-server'; gpu: string } =>
      (c.role === 'compositor' || c.role === 'x-server') && c.gpu !== null && gpus.has(c.gpu),
  );
  const heldBy = new Map<number, string[]>();
  for (const c of drawers) heldBy.set(c.pid, [...(heldBy.get(c.pid) ?? []), c.gpu]);
  const primaryOf = (pid: number): string | null => {
    const listed = listedPrimary.get(pid);
    if (listed !== undefined && listed !== null) return listed;
    const held = heldBy.get(pid) ?? [];
    if (held.length === 1) return held[0]!;
    return held.find((b) => gpus.get(b)?.bootVga === true) ?? null;
  };
  return drawers.map((c) => {
    const primary = primaryOf(c.pid);
    return {
      pid: c.pid,
      comm: c.comm,
      role: c.role,
      gpu: c.gpu,
      external: gpus.get(c.gpu)?.external === true,
      primary: primary === null ? null : primary === c.gpu,
      nodes: c.nodes,
    };
  });
}
