// The simulated kernel's memory: the scenario is the hardware, the sysroot folder is what sysfs
// shows now, and this state holds what neither says — which enclosure cables are in, which GPUs
// fell off the bus, the next DRM minors and when each device was initialized (USEC_INITIALIZED).

import * as fs from 'node:fs';
import type { PciFunctionSpec, Scenario, TbDomainSpec, TbRouterSpec } from './scenario.js';
import { SysrootWriter, pciDevicePath, tbRouterPath } from './sysroot-writer.js';
import type { SimOutput } from './kernel-output.js';
import { parsePciIds, type PciNames } from './udev-format.js';

export type Enclosure = {
  /** BDF of the enclosure's top bridge (the first function behind the hot-plug port). */
  readonly top: string;
  /** The hot-plug port the enclosure hangs off (outside the enclosure). */
  readonly port: PciFunctionSpec | undefined;
  /** Every function of the enclosure, parents before children. */
  readonly functions: readonly PciFunctionSpec[];
  /** The Thunderbolt router that tunnels it; undefined for OCuLink and other plain PCIe. */
  readonly router: TbRouterSpec | undefined;
  readonly domain: TbDomainSpec | undefined;
};

export type SimState = {
  readonly dir: string;
  readonly scenario: Scenario;
  readonly w: SysrootWriter;
  readonly out: SimOutput;
  readonly names: PciNames;
  readonly enclosures: readonly Enclosure[];
  /** Tops of the enclosures whose cable is in. */
  readonly plugged: Set<string>;
  /** Functions whose config space reads all ones. */
  readonly fallen: Set<string>;
  /**
   * Next DRM minors: allocated cyclically, never recycled (kernel Documentation/gpu/drm-uapi.rst,
   * "Device Hot-Unplug").
   */
  readonly minors: { card: number; render: number };
  /** devpath → USEC_INITIALIZED of devices the simulation added. */
  readonly initialized: Map<string, number>;
  /**
   * Sets a readable attribute the helper also writes (`authorized`): through the control watcher,
   * so the new value is the file's state and not mistaken for another write.
   */
  writeAttribute(target: string, text: string): void;
  /**
   * A new device's driver module is not loaded: udev loads it for the device's modalias (its
   * kmod builtin), which binds it (kernel-modules.ts, set by the kernel: modules bind devices).
   */
  autoload: (module: string) => void;
};

const depth = (s: Scenario, bdf: string): number => {
  let n = 0;
  for (let p = s.pci.find((f) => f.bdf === bdf)?.parent ?? null; p !== null; n++) {
    const parent: string | null = p;
    p = s.pci.find((f) => f.bdf === parent)?.parent ?? null;
  }
  return n;
};

/** BDFs from the root down to `bdf` itself. */
function chain(s: Scenario, bdf: string): string[] {
  const out: string[] = [];
  for (let cur: string | null = bdf; cur !== null;) {
    out.unshift(cur);
    const at: string = cur;
    cur = s.pci.find((f) => f.bdf === at)?.parent ?? null;
  }
  return out;
}

const sharedDepth = (a: readonly string[], b: readonly string[]): number => {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
};

/**
 * The scenario's enclosures and the router tunnelling each. sysfs has no link between a router and
 * its PCI tree (Documentation/ABI/testing/sysfs-bus-thunderbolt names none), so the sim pairs each
 * enclosure with a leaf peripheral router, preferring the domain whose host interface shares the
 * longest PCI path with the enclosure.
 */
export function findEnclosures(s: Scenario): Enclosure[] {
  const byBdf = new Map(s.pci.map((p) => [p.bdf, p]));
  const tops = s.pci.filter(
    (p) => p.enclosure && !(p.parent !== null && byBdf.get(p.parent)?.enclosure),
  );
  const leaves = s.thunderbolt.routers.filter(
    (r) => r.parent !== undefined && !s.thunderbolt.routers.some((c) => c.parent === r.id),
  );
  // A top that names its router (or null: plain PCIe) is paired as it says; the others by score.
  const named = new Map(
    tops.flatMap((t) =>
      t.router === undefined
        ? []
        : [[t.bdf, s.thunderbolt.routers.find((r) => r.id === t.router)] as const],
    ),
  );
  const pairs = tops
    .filter((t) => t.router === undefined)
    .flatMap((t) =>
      leaves
        .filter((r) => ![...named.values()].some((n) => n?.id === r.id))
        .map((r) => {
          const domain = s.thunderbolt.domains.find((d) => d.name === r.domain);
          const score = domain ? sharedDepth(chain(s, t.bdf), chain(s, domain.nhi)) : -1;
          return { top: t.bdf, router: r, domain, score };
        }),
    );
  pairs.sort((a, b) => b.score - a.score);
  const taken = new Map<string, (typeof pairs)[number]>();
  for (const p of pairs) {
    if (!taken.has(p.top) && ![...taken.values()].some((q) => q.router.id === p.router.id)) {
      taken.set(p.top, p);
    }
  }
  return tops.map((t) => {
    const members = s.pci.filter((p) => p.enclosure && chain(s, p.bdf).includes(t.bdf));
    members.sort((a, b) => depth(s, a.bdf) - depth(s, b.bdf) || a.bdf.localeCompare(b.bdf));
    const router = named.has(t.bdf) ? named.get(t.bdf) : taken.get(t.bdf)?.router;
    return {
      top: t.bdf,
      port: t.parent === null ? undefined : byBdf.get(t.parent),
      functions: members,
      router,
      domain: s.thunderbolt.domains.find((d) => d.name === router?.domain),
    };
  });
}

export function createSimState(
  dir: string,
  scenario: Scenario,
  out: SimOutput,
  writeAttribute: (host: string, text: string) => void,
): SimState {
  const drm = scenario.pci.flatMap((p) => (p.drm ? [p.drm] : []));
  const enclosures = findEnclosures(scenario);
  const w = new SysrootWriter(dir);
  const state: SimState = {
    dir,
    scenario,
    w,
    out,
    names: parsePciIds(scenario.pciIds),
    enclosures,
    plugged: new Set(),
    fallen: new Set(scenario.pci.filter((p) => p.config === 'dead').map((p) => p.bdf)),
    minors: {
      card: Math.max(-1, ...drm.map((d) => d.card)) + 1,
      render: Math.max(127, ...drm.map((d) => d.render ?? 127)) + 1,
    },
    initialized: new Map(),
    writeAttribute: (target, text) => writeAttribute(w.host(target), text),
    autoload: () => undefined,
  };
  // An enclosure counts as plugged when its router (if any) is there or its top bridge is.
  for (const e of enclosures) {
    const routerThere = e.router !== undefined && exists(state, tbRouterPath(scenario, e.router));
    if (routerThere || exists(state, `/sys/bus/pci/devices/${e.top}`)) state.plugged.add(e.top);
  }
  return state;
}

export const hostPath = (s: SimState, target: string): string => s.w.host(target);

export function exists(s: SimState, target: string): boolean {
  try {
    fs.lstatSync(hostPath(s, target));
    return true;
  } catch {
    return false;
  }
}

export function readAttr(s: SimState, target: string): string | null {
  try {
    return fs.readFileSync(hostPath(s, target), 'utf8');
  } catch {
    return null;
  }
}

/** Names in a sysroot folder; none when it is not there. */
export function listDir(s: SimState, target: string): string[] {
  try {
    return fs.readdirSync(hostPath(s, target));
  } catch {
    return [];
  }
}

/** The driver bound to a function (its `driver` link), or null. */
export function driverOf(s: SimState, bdf: string): string | null {
  try {
    return (
      fs
        .readlinkSync(hostPath(s, `${devPath(s, bdf)}/driver`))
        .split('/')
        .pop() ?? null
    );
  } catch {
    return null;
  }
}

export const specOf = (s: SimState, bdf: string): PciFunctionSpec | undefined =>
  s.scenario.pci.find((p) => p.bdf === bdf);

const devPaths = new WeakMap<Scenario, Map<string, string>>();

/** Target path of a function's sysfs folder; fixed by the scenario's topology, so computed once. */
export function devPath(s: SimState, bdf: string): string {
  let paths = devPaths.get(s.scenario);
  if (paths === undefined) devPaths.set(s.scenario, (paths = new Map<string, string>()));
  let p = paths.get(bdf);
  if (p === undefined) paths.set(bdf, (p = pciDevicePath(s.scenario, bdf)));
  return p;
}

export const isPresent = (s: SimState, bdf: string): boolean =>
  exists(s, `/sys/bus/pci/devices/${bdf}`);

export const enclosureOf = (s: SimState, bdf: string): Enclosure | undefined =>
  s.enclosures.find((e) => e.functions.some((f) => f.bdf === bdf));

export function routerAuthorized(s: SimState, router: TbRouterSpec): boolean {
  const text = readAttr(s, `${tbRouterPath(s.scenario, router)}/authorized`);
  return text !== null && parseInt(text, 10) >= 1;
}

/** Whether the hardware for `bdf` is there: cable in and, behind Thunderbolt, tunnel up. */
export function physicallyPresent(s: SimState, bdf: string): boolean {
  const e = enclosureOf(s, bdf);
  if (e === undefined) return true;
  if (!s.plugged.has(e.top)) return false;
  return e.router === undefined || routerAuthorized(s, e.router);
}

/** Whether a driver's module is loaded: built-in or unmodelled drivers always are. */
export function driverAvailable(s: SimState, driver: string): boolean {
  const m = s.scenario.modules.find((x) => x.name === driver);
  return m === undefined || m.builtin === true || exists(s, `/sys/module/${driver}`);
}

export const pciChildren = (s: SimState, bdf: string): PciFunctionSpec[] =>
  s.scenario.pci.filter((p) => p.parent === bdf).sort((a, b) => a.bdf.localeCompare(b.bdf));

export const pciDepth = depth;
