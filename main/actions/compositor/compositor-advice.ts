// The I/O half of compositor advice: reads logind (system bus), the session environment, the
// process table and the GPUs' clients, then hands plain facts to the pure detection and advice.
// Used by the Core (`compositorAdvice()`), `egpu restart-compositor` and `egpu doctor`.

import type { CompositorAdvice } from '../../common/actions-model.js';
import type { ClientsReport } from '../../common/clients-model.js';
import type { Inventory } from '../../common/inventory-model.js';
import { programName } from '../../inventory/clients/client-roles.js';
import { scanClients } from '../../inventory/clients/scan-clients.js';
import { readInventory } from '../../inventory/inventory.js';
import type { DbusPort } from '../../platform/dbus.js';
import type { SystemRoot } from '../../platform/system-root.js';
import { buildCompositorAdvice } from './advice.js';
import { detectSession } from './detect-session.js';
import {
  compositorHolds,
  displayGpus,
  firstListedDevice,
  type CompositorHold,
  type DisplayGpus,
} from './gpu-roles.js';
import { readLogindSession } from './logind-session.js';
import type { DetectedSession, LogindLookup, SessionProcess } from './session-model.js';
import { POLKIT_AGENTS, SESSION_PROGRAMS } from './session-names.js';
import { findProcesses } from './session-processes.js';

export type CompositorDeps = {
  readonly root: SystemRoot;
  /** null: do not ask logind (--no-dbus); detection falls back to the environment. */
  readonly dbus: DbusPort | null;
  /** The caller's environment: XDG_SESSION_ID/TYPE, XDG_CURRENT_DESKTOP, DISPLAY … */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Our pid, for GetSessionByPID when XDG_SESSION_ID is not set. */
  readonly pid: number;
  readonly uid: number | null;
  /** System bus address (tests); default from env. */
  readonly systemBusAddress?: string;
  /** An inventory and client scan the caller already has (they are read otherwise). */
  readonly inventory?: Inventory;
  readonly clients?: ClientsReport;
};

export type CompositorFacts = {
  readonly logind: LogindLookup | null;
  readonly processes: readonly SessionProcess[];
  readonly session: DetectedSession;
  readonly inventory: Inventory;
  readonly clients: ClientsReport;
  readonly gpus: DisplayGpus;
  readonly holds: readonly CompositorHold[];
};

/** pid → the GPU its KWIN/WLR/AQ_DRM_DEVICES list names first (symlinks resolved in the root). */
function listedPrimaries(
  root: SystemRoot,
  inventory: Inventory,
  clients: ClientsReport,
): Map<number, string | null> {
  const byCard = new Map(
    inventory.gpus.flatMap((g) => (g.drm.card === null ? [] : [[g.drm.card, g.bdf] as const])),
  );
  const out = new Map<number, string | null>();
  for (const c of clients.clients) {
    if ((c.role !== 'compositor' && c.role !== 'x-server') || out.has(c.pid)) continue;
    const environ = root.readText(`/proc/${c.pid}/environ`, 256 * 1024);
    const device = environ.ok ? firstListedDevice(environ.value) : null;
    if (device === null) {
      out.set(c.pid, null);
      continue;
    }
    const real = root.realPath(device);
    out.set(c.pid, byCard.get(real.ok ? real.value : device) ?? null);
  }
  return out;
}

/**
 * The name scan plus the GPU clients that draw (role compositor or x-server) it did not list:
 * a compositor holding a GPU is evidence of the session even under a name the scan does not know.
 */
function withDrawingClients(
  scanned: readonly SessionProcess[],
  clients: ClientsReport,
): SessionProcess[] {
  const out = [...scanned];
  const seen = new Set(scanned.map((p) => p.pid));
  for (const c of clients.clients) {
    if ((c.role !== 'compositor' && c.role !== 'x-server') || seen.has(c.pid)) continue;
    seen.add(c.pid);
    const argv = c.cmdline.startsWith('[') ? [] : c.cmdline.split(' ');
    out.push({ pid: c.pid, name: programName(argv[0] ?? c.comm), comm: c.comm, argv, uid: c.uid });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

export async function gatherCompositorFacts(deps: CompositorDeps): Promise<CompositorFacts> {
  const { root } = deps;
  const inventory = deps.inventory ?? readInventory(root);
  const clientsP = deps.clients ? Promise.resolve(deps.clients) : scanClients(root, inventory);
  const logindP =
    deps.dbus === null
      ? Promise.resolve(null)
      : readLogindSession({
          dbus: deps.dbus,
          env: deps.env,
          pid: deps.pid,
          uid: deps.uid,
          ...(deps.systemBusAddress === undefined ? {} : { address: deps.systemBusAddress }),
        });
  const scanned = findProcesses(root, [...SESSION_PROGRAMS, ...POLKIT_AGENTS]);
  const [clients, logind] = await Promise.all([clientsP, logindP]);
  const processes = withDrawingClients(scanned, clients);
  const session = detectSession({ logind, env: deps.env, processes, uid: deps.uid });
  const holds = compositorHolds(
    clients.clients,
    inventory,
    listedPrimaries(root, inventory, clients),
  );
  return { logind, processes, session, inventory, clients, gpus: displayGpus(inventory), holds };
}

export function adviceFromFacts(
  facts: CompositorFacts,
  env: Readonly<Record<string, string | undefined>>,
): CompositorAdvice {
  return buildCompositorAdvice({
    session: facts.session,
    gpus: facts.gpus,
    holds: facts.holds,
    env,
    uninspectable: facts.clients.uninspectable,
  });
}

/** What the Core's `compositorAdvice()` returns. Never rejects on expected failures. */
export async function compositorAdvice(deps: CompositorDeps): Promise<CompositorAdvice> {
  return adviceFromFacts(await gatherCompositorFacts(deps), deps.env);
}
