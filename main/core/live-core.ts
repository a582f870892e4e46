// The live core: sources → facts → state machine → listeners. It owns the event sources, reads
// the inventory when something changed (coalesced), scans clients when it matters, remembers
// external GPUs, and exposes the Core API. Actions (eject, recover …) are delegated to the
// ActionsPort so this file stays about keeping the picture current.

import type { ClientsReport } from '../common/clients-model.js';
import { Emitter, type Disposable } from '../common/disposable.js';
import { appError } from '../common/errors.js';
import type { Inventory } from '../common/inventory-model.js';
import { err } from '../common/result.js';
import type { Incident, Notice, Snapshot, Transition } from '../common/snapshot.js';
import { scanClients } from '../inventory/clients/scan-clients.js';
import { nativeScan, nativeScanner } from '../platform/native-scan.js';
import {
  procScanRequest,
  procScanTarget,
  startScanWorker,
  type ProcScanJob,
  type ScanWorker,
} from '../platform/proc-scan.js';
import { readInventory } from '../inventory/inventory.js';
import type { Clock } from '../platform/clock.js';
import type { CommandRunner } from '../platform/command-runner.js';
import type { DbusPort } from '../platform/dbus.js';
import type { SystemRoot } from '../platform/system-root.js';
import type { EventSource, SourceEvent } from '../common/source-events.js';
import type { EjectPorts } from '../actions/eject/eject-executor.js';
import {
  bdfOfDevpath,
  buildFacts,
  readFactContext,
  type FactLookups,
} from '../state/fact-builder.js';
import type { Fact } from '../state/facts.js';
import { StateModel, type Output } from '../state/state-model.js';
import type { ActionRun, Core } from './api.js';
import type { EjectIntents } from '../actions/eject-intent.js';
import {
  knownEnclosuresPathFor,
  loadKnownEnclosures,
  mergeKnownEnclosures,
  saveKnownEnclosures,
  trustedEnclosureIds,
} from '../actions/known-enclosures.js';
import { loadKnownGpus, mergeKnownGpus, saveKnownGpus } from '../actions/known-gpus.js';
import { createSources, type SourceChoice } from './sources-setup.js';

/** Everything that changes the machine: provided by main/actions (or refusals when absent). */
export type ActionsPort = Pick<
  Core,
  'planEject' | 'planRecover' | 'closeClient' | 'compositorAdvice' | 'runCompositorAction'
> & {
  runEject: Core['runEject'];
  runRecover: Core['runRecover'];
};

export type ActionsContext = {
  readonly core: Core;
  /** Tell the state machine (eject started/finished, so the removal reads as planned). */
  readonly apply: (fact: Fact) => void;
  /** Who uses the GPUs may have changed (an eject ended): rescanned where the core keeps it. */
  readonly clientsChanged: () => void;
};

/** Resolves true once the core has seen every address leave the bus; false after timeoutMs. */
export type ConfirmGone = EjectPorts['confirmGone'];

export type LiveCore = Core & {
  readonly model: StateModel;
  /** The eject's confirmation port (main/actions/eject): see `seenGone` for what "seen" means. */
  readonly confirmGone: ConfirmGone;
};

export type LiveCoreOptions = {
  readonly root: SystemRoot;
  readonly runner: CommandRunner;
  readonly clock: Clock;
  /** null: no D-Bus at all (--no-dbus). */
  readonly dbus: DbusPort | null;
  readonly sources: SourceChoice;
  /** Host path of the known-GPUs file; null keeps it in memory. */
  readonly knownGpusPath: string | null;
  readonly intents: EjectIntents;
  /** While an external GPU is present, re-scan clients this often (default 30 s). */
  readonly clientsIntervalMs?: number;
  /** Inventory re-reads after events are coalesced over this window (default 100 ms). */
  readonly reconcileDelayMs?: number;
  /** Built once the core exists: actions read its snapshot and report eject progress as facts. */
  readonly actions?: (ctx: ActionsContext) => ActionsPort;
  /**
   * 'watch' (default): the sources and the client scans start with the core (the tray app,
   * browser mode, `egpu watch`). 'action': the core of one command (`egpu eject`, `egpu recover`):
   * it reads the inventory at start, starts its sources only when an eject begins (a plan or a
   * dry run spawns nothing), and scans no clients of its own — the eject scans who holds the GPU.
   */
  readonly mode?: 'watch' | 'action';
  /** The user this core runs as (the snapshot's `uid`: whose apps it can close); null: unknown. */
  readonly uid?: number | null;
};

/** How long an eject in 'action' mode waits for its udev source to listen before it begins. */
const LISTEN_TIMEOUT_MS = 2_000;

const unsupported = (what: string): ActionRun => ({
  done: Promise.resolve({ result: 'failed', detail: `${what} is not available in this build` }),
  cancel: () => undefined,
});

/** A run that begins once `ready` has settled; cancelled before then, it stops before any step. */
function after(ready: Promise<unknown>, begin: () => ActionRun): ActionRun {
  let run: ActionRun | null = null;
  let cancelled = false;
  const done = ready.then(() => {
    run = begin();
    if (cancelled) run.cancel();
    return run.done;
  });
  return {
    done,
    cancel() {
      cancelled = true;
      run?.cancel();
    },
  };
}

export function createLiveCore(options: LiveCoreOptions): LiveCore {
  const { root, clock } = options;
  const watching = options.mode !== 'action';
  const resyncMs = options.reconcileDelayMs ?? 100;
  const model = new StateModel();
  const uid = options.uid ?? null;
  const snapshot = (): Snapshot => (uid === null ? model.snapshot() : { ...model.snapshot(), uid });
  const snapshotEmitter = new Emitter<Snapshot>();
  const transitionEmitter = new Emitter<Transition>();
  const incidentEmitter = new Emitter<Incident>();
  const noticeEmitter = new Emitter<Notice>();
  let sources: EventSource[] = [];
  let inventory: Inventory | null = null;
  let known = loadKnownGpus(options.knownGpusPath);
  // Enclosures seen carrying a GPU, and the devices bolt has stored: Recover authorizes only
  // these, and the snapshot tells the faces which waiting devices they are.
  const enclosuresPath = knownEnclosuresPathFor(options.knownGpusPath);
  let enclosures = loadKnownEnclosures(enclosuresPath);
  const boltStored = new Set<string>();
  const pushTrust = (): void => {
    model.setTrustedEnclosures(trustedEnclosureIds({ enclosures, knownGpus: known, boltStored }));
  };
  let reconcileTimer: Disposable | null = null;
  let clientsTimer: Disposable | null = null;
  let snapshotQueued = false;
  let clientsRunning: Promise<ClientsReport> | null = null;
  /** A scan asked for while another ran: it runs once that one ends. */
  let clientsAgain: Promise<ClientsReport> | null = null;
  /** The thread that shares scans someone waits for; started by the first such scan. */
  let scanWorker: ScanWorker | null = null;
  /** The C scanner's path; false where there is none (looked up at the first asked scan). */
  let scanProgram: string | false | undefined;
  let running = false;
  // What the udev source has said: its state ('running' = listening), and the PCI addresses whose
  // last udev word was `remove` (an `add` takes an address out again).
  let udevState: string | null = null;
  const udevRemoved = new Set<string>();
  /** Waits on the core's state (confirmGone, an eject waiting for udev): checked after each fact. */
  const waiters = new Set<{ check(): void; stop(): void }>();

  const emit = (out: Output): void => {
    for (const t of out.transitions) transitionEmitter.fire(t);
    for (const i of out.incidents) incidentEmitter.fire(i);
    for (const n of out.notices) noticeEmitter.fire(n);
    for (const w of [...waiters]) w.check();
    // Every fact may change the snapshot (source health, clients): coalesce one push per burst.
    if (snapshotQueued) return;
    snapshotQueued = true;
    queueMicrotask(() => {
      snapshotQueued = false;
      snapshotEmitter.fire(snapshot());
    });
  };
  const apply = (fact: Fact): void => emit(model.apply(fact));

  const lookups: FactLookups = {
    ejecting: (bdf) => options.intents.isEjecting(bdf),
    unplugWarnings: (bdf) => options.intents.unplugWarnings(bdf),
    cardPresent(bdf) {
      const info = model.entry(bdf)?.info;
      const slot = info?.externalEvidence.find((e) => e.kind === 'hotplug-slot')?.slot;
      if (slot === undefined || slot === '') return null;
      const r = root.readText(`/sys/bus/pci/slots/${slot}/adapter`, 64);
      return r.ok ? r.value.trim() !== '0' : null;
    },
    routerUniqueId(router) {
      const r = inventory?.thunderbolt.flatMap((d) => d.routers).find((x) => x.router === router);
      return r?.uniqueId ?? null;
    },
  };

  const hasExternal = (): boolean => model.snapshot().gpus.some((g) => g.external && g.present);

  /**
   * Someone waits for this scan: the C scanner where it was built (two threads, no JavaScript
   * per file; a fresh process each time, nothing kept), else — or when it fails — the scan shared
   * with a worker thread, kept once started so the next asked scan finds it booted (README,
   * "Figures": clients).
   */
  const askedScan = (): ProcScanJob => {
    const target = procScanTarget(root);
    const shared = (): ProcScanJob =>
      (scanWorker ??= startScanWorker()).scan(procScanRequest(target));
    scanProgram ??= nativeScanner() ?? false;
    return scanProgram === false ? shared() : nativeScan(target, scanProgram, shared);
  };

  /**
   * `asked`: someone waits for the answer (the window's Refresh, `Clients` over D-Bus), so the
   * scan runs as fast as it can (askedScan); the periodic rescan stays on this thread in slices,
   * where it never holds up an event.
   */
  const refreshClients = async (asked = false): Promise<ClientsReport> => {
    if (clientsRunning !== null) {
      if (!asked) return clientsRunning;
      // The scan under way may have started before what the asker wants seen (the app they just
      // started): one more scan after it, shared by everyone who asks meanwhile.
      clientsAgain ??= clientsRunning
        .catch(() => undefined)
        .then(() => {
          clientsAgain = null;
          return refreshClients(true);
        });
      return clientsAgain;
    }
    const inv = inventory ?? readInventory(root);
    clientsRunning = scanClients(root, inv, asked ? { processes: askedScan() } : {}).finally(
      () => (clientsRunning = null),
    );
    const report = await clientsRunning;
    if (running) apply({ type: 'clients', at: clock.now(), report });
    return report;
  };

  const scheduleClients = (): void => {
    clientsTimer?.dispose();
    clientsTimer = null;
    if (!running || !hasExternal()) return;
    // The only periodic work: at most every 30 s, and only while an eGPU is attached.
    clientsTimer = clock.setTimeout(() => {
      void refreshClients().finally(scheduleClients);
    }, options.clientsIntervalMs ?? 30_000);
  };

  /**
   * Safe ejects that ended before this core started (eject-intent.ts): told before the first
   * inventory, so its enclosure, still plugged in, reads as waiting to be unplugged rather than
   * as a device to recover, and its unplug as the end of that story.
   */
  const rememberEjects = (): Inventory | undefined => {
    const records = options.intents.ejected();
    if (records.length === 0) return undefined;
    const now = readInventory(root);
    const routers = now.thunderbolt.flatMap((d) => d.routers);
    const at = clock.now();
    for (const r of records) {
      // Back on the bus already (brought back while no core ran): that story is over.
      if (now.gpus.some((g) => g.bdf === r.bdf)) {
        options.intents.forgetEjected(r.bdf);
        continue;
      }
      const uniqueId = known.find((k) => k.bdf === r.bdf)?.enclosure?.uniqueId;
      apply({
        type: 'ejected-before',
        at,
        bdf: r.bdf,
        ejectedAt: r.at,
        enclosureConnected: uniqueId !== undefined && routers.some((x) => x.uniqueId === uniqueId),
        unplugWarnings: r.unplugWarnings,
      });
    }
    return now;
  };

  /** `read`: an inventory just read (at start), rather than reading it again. */
  const reconcile = (read?: Inventory): void => {
    reconcileTimer = null;
    if (!running) return;
    const before = new Set(
      model
        .snapshot()
        .gpus.filter((g) => g.present)
        .map((g) => g.bdf),
    );
    inventory = read ?? readInventory(root);
    apply({ type: 'inventory', at: clock.now(), inventory });
    const merged = mergeKnownGpus(known, inventory);
    if (merged !== null) {
      known = merged;
      saveKnownGpus(options.knownGpusPath, known);
    }
    const seen = mergeKnownEnclosures(enclosures, inventory);
    if (seen !== null) {
      enclosures = seen;
      saveKnownEnclosures(enclosuresPath, enclosures);
    }
    if (merged !== null || seen !== null) {
      pushTrust();
      emit({ transitions: [], incidents: [], notices: [] });
    }
    const after = new Set(inventory.gpus.map((g) => g.bdf));
    // Back on the bus: a safe eject remembered for it is over.
    for (const bdf of after) if (!before.has(bdf)) options.intents.forgetEjected(bdf);
    const changed = before.size !== after.size || [...after].some((b) => !before.has(b));
    if (changed && watching) {
      void refreshClients();
      scheduleClients();
    }
  };

  const scheduleReconcile = (): void => {
    if (reconcileTimer !== null || !running) return;
    reconcileTimer = clock.setTimeout(() => reconcile(), options.reconcileDelayMs ?? 100);
  };

  /** bolt's stored (enrolled) devices, from its snapshot and device signals. */
  const trackBoltStored = (e: Extract<SourceEvent, { source: 'bolt' }>): void => {
    const before = [...boltStored].join();
    if (e.type === 'snapshot') {
      boltStored.clear();
      for (const d of e.devices) if (d.stored) boltStored.add(d.uid);
    } else if (e.type === 'device-removed' || !e.device.stored) boltStored.delete(e.device.uid);
    else boltStored.add(e.device.uid);
    if ([...boltStored].join() === before) return;
    pushTrust();
    emit({ transitions: [], incidents: [], notices: [] });
  };

  const listed = (bdf: string): boolean => root.exists(`/sys/bus/pci/devices/${bdf}`);

  /** The udev source's state, and udev's last word on each PCI address. */
  const trackUdev = (e: SourceEvent): void => {
    if (e.source === 'status' && e.name === 'udev') {
      const wasListening = udevState === 'running';
      udevState = e.state;
      // A monitor reports only what happens once it listens, and events in the gap before a
      // restart are lost: an address of a GPU the core knew that sysfs no longer lists when it
      // starts listening has been removed, as far as udev's word goes.
      if (e.state === 'running' && !wasListening) {
        for (const g of inventory?.gpus ?? [])
          for (const b of [g.bdf, ...g.functions.map((f) => f.bdf)])
            if (!listed(b)) udevRemoved.add(b);
      }
      return;
    }
    if (e.source !== 'udev' || e.subsystem !== 'pci') return;
    const bdf = bdfOfDevpath(e.devpath);
    if (bdf === null || bdf !== e.devpath.split('/').pop()) return;
    if (e.action === 'remove') udevRemoved.add(bdf);
    else if (e.action === 'add') udevRemoved.delete(bdf);
  };

  /**
   * Resolves true once `holds()` is true — checked now and after every fact the core applies;
   * `resync` (when given) runs now and then every resync window while it waits. False after
   * timeoutMs, or when the core stops.
   */
  const waitUntil = (holds: () => boolean, timeoutMs: number, resync?: () => void) =>
    new Promise<boolean>((resolve) => {
      let ticker: Disposable | null = null;
      const waiter = {
        check: (): void => {
          if (holds()) settle(true);
        },
        stop: (): void => settle(false),
      };
      const deadline = clock.setTimeout(waiter.stop, timeoutMs);
      const settle = (value: boolean): void => {
        if (!waiters.delete(waiter)) return;
        deadline.dispose();
        ticker?.dispose();
        resolve(value);
      };
      const round = (): void => {
        resync?.();
        if (resync !== undefined && waiters.has(waiter)) ticker = clock.setTimeout(round, resyncMs);
      };
      waiters.add(waiter);
      waiter.check();
      if (waiters.has(waiter)) round();
    });

  /**
   * Whether the core has seen `bdf` leave the bus — what an eject's confirm-removal step waits for:
   *
   * - the state machine holds no entry at that address on the bus: the GPU's own entry is no
   *   longer present (still `ejecting` with departure 'safe-eject' until the eject's result, as
   *   main/state/departures.ts says; a cable pulled during the eject makes it a surprise instead,
   *   and the GPU is gone all the same); its other functions (audio, USB-C) are not entries and
   *   pass this test;
   * - sysfs no longer lists it (/sys/bus/pci/devices/<bdf>, as the kernel's
   *   Documentation/ABI/testing/sysfs-bus-pci describes it): a `remove` replayed from an older part
   *   of a transcript never confirms a device that is still there;
   * - while the udev source listens, udev's `remove` of that very address has reached the core:
   *   the event every other udev consumer (compositors, udev rules) acts on, and the one that moves
   *   the state machine. Without a listening udev source (a sysroot without a transcript, udevadm
   *   missing or restarting) nothing would tell the core, so it re-reads sysfs itself each resync
   *   window — the same re-read it does after the udev monitor restarts.
   */
  const seenGone = (bdf: string): boolean =>
    model.entry(bdf)?.present !== true &&
    !listed(bdf) &&
    (udevState !== 'running' || udevRemoved.has(bdf));

  const confirmGone: ConfirmGone = (bdfs, timeoutMs) =>
    waitUntil(
      () => bdfs.every(seenGone),
      timeoutMs,
      // A re-read applies the inventory to the state machine, and every fact checks the waiters.
      () => {
        if (udevState !== 'running' && running) {
          reconcileTimer?.dispose();
          reconcile();
        }
      },
    );

  const startSources = (): void => {
    sources = createSources(options.sources, {
      root,
      runner: options.runner,
      clock,
      dbus: options.dbus,
      onEvent,
      onResync: scheduleReconcile,
      inventory: () => inventory,
    });
    for (const s of sources) s.start();
  };

  /**
   * 'action' mode: the sources start when the first eject begins, and it begins once udev listens
   * (or cannot: a sysroot without a transcript, no udevadm) — a removal before that would never be
   * reported. null when there is nothing to wait for.
   */
  const sourcesReady = (): Promise<boolean> | null => {
    if (watching || !running || sources.length > 0) return null;
    startSources();
    return waitUntil(
      () => udevState === 'running' || udevState === 'unavailable',
      LISTEN_TIMEOUT_MS,
    );
  };

  const onEvent = (e: SourceEvent): void => {
    if (!running) return;
    trackUdev(e);
    if (e.source === 'bolt') trackBoltStored(e);
    const built = buildFacts(e, clock.now(), readFactContext(e, lookups));
    for (const f of built.facts) {
      if (f.type === 'sleep' && f.start) {
        // Scan first so the warning knows whether the eGPU is in use right now.
        void refreshClients().finally(() => apply(f));
        continue;
      }
      apply(f);
    }
    if (built.reconcile) scheduleReconcile();
  };

  const core: LiveCore = {
    model,
    confirmGone,
    async start() {
      if (running) return;
      running = true;
      pushTrust();
      apply({ type: 'known', at: clock.now(), gpus: known });
      reconcile(rememberEjects());
      if (!watching) return;
      startSources();
      await refreshClients();
      scheduleClients();
    },
    async stop() {
      running = false;
      reconcileTimer?.dispose();
      clientsTimer?.dispose();
      for (const w of [...waiters]) w.stop();
      for (const s of sources.splice(0)) s.dispose();
      await clientsRunning?.catch(() => undefined);
      scanWorker?.dispose();
      scanWorker = null;
    },
    snapshot,
    onSnapshot: snapshotEmitter.event,
    onTransition: transitionEmitter.event,
    onIncident: incidentEmitter.event,
    onNotice: noticeEmitter.event,
    refreshClients: () => refreshClients(true),
    planEject: (bdf) =>
      actions?.planEject(bdf) ??
      Promise.resolve(err(appError('unsupported', 'eject is not available'))),
    runEject(bdf, o, p) {
      if (actions === undefined) return unsupported('eject');
      const ready = sourcesReady();
      return ready === null
        ? actions.runEject(bdf, o, p)
        : after(ready, () => actions.runEject(bdf, o, p));
    },
    planRecover: (bdf, request) =>
      actions?.planRecover(bdf, request) ??
      Promise.resolve(err(appError('unsupported', 'recover is not available'))),
    runRecover: (bdf, p, request) => actions?.runRecover(bdf, p, request) ?? unsupported('recover'),
    closeClient: (pid, force) =>
      actions?.closeClient(pid, force) ??
      Promise.resolve(err(appError('unsupported', 'closing apps is not available'))),
    compositorAdvice: () =>
      actions?.compositorAdvice() ??
      Promise.resolve({ session: 'unknown', sessionDetail: '', actions: [], config: [] }),
    runCompositorAction: (id, confirmed) =>
      actions?.runCompositorAction(id, confirmed) ??
      Promise.resolve(err(appError('unsupported', 'desktop actions are not available'))),
  };
  const actions = options.actions?.({
    core,
    apply,
    clientsChanged: () => {
      if (watching) void refreshClients();
    },
  });
  return core;
}
