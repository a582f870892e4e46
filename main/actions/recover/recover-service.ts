// Recovery with real ports. Stages: authorize the GPU's known enclosure (bolt's Authorize over
// D-Bus — polkit asks the user — or the helper's tb-authorize when bolt is absent), remove a GPU
// that stopped answering, rescan, wait for the GPU to enumerate and answer, then re-plan: bind
// and module reloads depend on what appeared. "Recovered" only when the GPU answers on the bus.

import type {
  ActionFinal,
  ActionPlan,
  PlanStep,
  RecoverRequest,
  StepProgress,
} from '../../common/actions-model.js';
import type { AppError } from '../../common/errors.js';
import { err, ok, type Result } from '../../common/result.js';
import {
  knownEnclosuresPathFor,
  loadKnownEnclosures,
  mergeKnownEnclosures,
  saveKnownEnclosures,
  type EnclosureTrust,
} from '../known-enclosures.js';
import { loadKnownGpus } from '../known-gpus.js';
import type { GpuInfo } from '../../common/inventory-model.js';
import { readInventory } from '../../inventory/inventory.js';
import { scanClients } from '../../inventory/clients/scan-clients.js';
import type { ClientInfo } from '../../common/clients-model.js';
import type { HelperVerb } from '../../common/helper-contract.js';
import type { Clock } from '../../platform/clock.js';
import type { DbusPort } from '../../platform/dbus.js';
import type { PrivilegedRunner } from '../../platform/privileged.js';
import type { SystemRoot } from '../../platform/system-root.js';
import { boltDevicePath, parseBoltDevice } from '../../platform/dbus-values.js';
import { devicesUnderTop } from '../eject/eject-facts.js';
import { STILL_NOT_RESPONDING, isDead, planRecover, type RecoverFacts } from './recover-planner.js';

export type RecoverServiceOptions = {
  readonly root: SystemRoot;
  readonly clock: Clock;
  readonly privileged: PrivilegedRunner;
  /** null: no D-Bus (authorize through the helper). */
  readonly dbus: DbusPort | null;
  readonly knownGpusPath: string | null;
  /** Enclosures seen carrying a GPU; default: known-enclosures.json beside knownGpusPath. */
  readonly knownEnclosuresPath?: string | null;
  readonly stepTimeoutMs: number;
};

export type RecoverService = {
  plan(bdf: string | null, request?: RecoverRequest): Promise<ActionPlan>;
  run(
    bdf: string | null,
    onProgress: (p: StepProgress) => void,
    isCancelled: () => boolean,
    request?: RecoverRequest,
  ): Promise<ActionFinal>;
};

const BOLT = 'org.freedesktop.bolt';

export function createRecoverService(o: RecoverServiceOptions): RecoverService {
  const { root } = o;
  const sleep = (ms: number): Promise<void> => new Promise((r) => o.clock.setTimeout(r, ms));

  const boltUp = async (): Promise<boolean> => {
    if (o.dbus === null) return false;
    const conn = await o.dbus.connect({ bus: 'system' });
    if (!conn.ok) return false;
    try {
      const owner = await conn.value.call({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        iface: 'org.freedesktop.DBus',
        member: 'NameHasOwner',
        signature: 's',
        body: [BOLT],
      });
      return owner.ok && owner.value[0] === true;
    } finally {
      conn.value.close();
    }
  };

  const enclosuresPath =
    o.knownEnclosuresPath === undefined
      ? knownEnclosuresPathFor(o.knownGpusPath)
      : o.knownEnclosuresPath;

  /** The waiting devices bolt has stored (enrolled): the user approved them in bolt already. */
  const boltStored = async (uids: readonly string[]): Promise<Set<string>> => {
    const stored = new Set<string>();
    if (o.dbus === null || uids.length === 0) return stored;
    const conn = await o.dbus.connect({ bus: 'system' });
    if (!conn.ok) return stored;
    try {
      for (const uid of uids) {
        const props = await conn.value.getAllProperties(
          BOLT,
          boltDevicePath(uid),
          'org.freedesktop.bolt1.Device',
        );
        const d = props.ok ? parseBoltDevice(props.value) : null;
        if (d !== null && d.uid === uid && d.stored) stored.add(uid);
      }
    } finally {
      conn.value.close();
    }
    return stored;
  };

  const facts = async (bdf: string | null, request?: RecoverRequest): Promise<RecoverFacts> => {
    const inventory = readInventory(root);
    const known = loadKnownGpus(o.knownGpusPath);
    const boltAvailable = await boltUp();
    const waiting = inventory.thunderbolt.flatMap((d) =>
      d.routers.flatMap((r) =>
        !r.host && r.authorized === 0 && r.uniqueId !== null ? [r.uniqueId] : [],
      ),
    );
    const trust: EnclosureTrust = {
      enclosures: loadKnownEnclosures(enclosuresPath),
      knownGpus: known,
      boltStored: boltAvailable ? await boltStored(waiting) : new Set(),
    };
    // Who still holds a GPU that does not answer: scanned only then (recover-planner.ts).
    const deadHolders = new Map<string, readonly ClientInfo[]>();
    for (const g of inventory.gpus.filter((x) => (bdf === null ? x.external : x.bdf === bdf)))
      if (isDead(g))
        deadHolders.set(g.bdf, (await scanClients(root, inventory, { gpu: g.bdf })).clients);
    return {
      bdf,
      inventory,
      known,
      boltAvailable,
      trust,
      deadHolders,
      approve: request?.approve ?? null,
      othersUnderTop: (g: GpuInfo) =>
        g.enclosureTop === null ? [] : devicesUnderTop(root, g.enclosureTop, g),
    };
  };

  const named = (gpus: readonly GpuInfo[]): string =>
    gpus.map((g) => `${g.name} (${g.bdf})`).join(', ');

  const authorizeViaBolt = async (uid: string): Promise<Result<void, AppError>> => {
    const conn = o.dbus === null ? null : await o.dbus.connect({ bus: 'system' });
    if (conn === null || !conn.ok)
      return err({ code: 'unsupported', message: 'the system bus is not reachable' });
    try {
      const r = await conn.value.call({
        destination: BOLT,
        path: boltDevicePath(uid),
        iface: 'org.freedesktop.bolt1.Device',
        member: 'Authorize',
        signature: 's',
        body: [''],
      });
      return r.ok ? ok(undefined) : err(r.error);
    } finally {
      conn.value.close();
    }
  };

  const runStep = async (step: PlanStep): Promise<Result<void, AppError>> => {
    if (step.step === 'authorize' && step.uid !== undefined) return authorizeViaBolt(step.uid);
    if (step.helper === undefined) return ok(undefined);
    const [verb, ...args] = step.helper as [HelperVerb, ...string[]];
    const r = await o.privileged.run(verb, args);
    return r.ok ? ok(undefined) : err(r.error);
  };

  /**
   * Polls until a GPU matching the request is present (bound or not) and answers on the bus (a
   * config-space read that is not all ones), up to the step timeout.
   */
  const waitForGpu = async (bdf: string | null, vendorDevice: string[]): Promise<boolean> => {
    const deadline = o.clock.monotonic() + o.stepTimeoutMs;
    for (;;) {
      const inv = readInventory(root);
      const hit = inv.gpus.some(
        (g) =>
          ((bdf !== null ? g.bdf === bdf : g.external) ||
            vendorDevice.includes(`${g.vendorId}:${g.deviceId}`)) &&
          !isDead(g),
      );
      if (hit) return true;
      if (o.clock.monotonic() >= deadline) return false;
      await sleep(100);
    }
  };

  return {
    async plan(bdf, request) {
      return planRecover(await facts(bdf, request));
    },
    async run(bdf, onProgress, isCancelled, request) {
      // A GPU enumerated behind an authorized enclosure right now (even a dead one) proves that
      // enclosure carries it: remember it, as the tray app does, so that `egpu recover` alone
      // can re-authorize it after a re-plug.
      const seen = mergeKnownEnclosures(loadKnownEnclosures(enclosuresPath), readInventory(root));
      if (seen !== null) saveKnownEnclosures(enclosuresPath, seen);
      const first = planRecover(await facts(bdf, request));
      const blocked = first.blockers.filter((b) => !b.closable);
      if (blocked.length > 0)
        return { result: 'blocked', detail: blocked.map((b) => b.reason).join('; ') };
      // GPUs that do not answer now: if they stay so, the result says it in these words.
      const deadAtStart = readInventory(root).gpus.filter(
        (g) => (bdf !== null ? g.bdf === bdf : g.external) && isDead(g),
      );
      const known = loadKnownGpus(o.knownGpusPath)
        .filter((k) => bdf === null || k.bdf === bdf)
        .map((k) => `${k.vendorId}:${k.deviceId}`);
      const report = (s: PlanStep, status: StepProgress['status'], detail: string): void =>
        onProgress({ step: s.step, status, detail });
      const execute = async (steps: readonly PlanStep[]): Promise<ActionFinal | null> => {
        for (const s of steps) {
          if (isCancelled())
            return {
              result: 'cancelled',
              detail: 'Cancelled; nothing after this step was changed.',
            };
          report(s, 'running', s.detail);
          const r = await runStep(s);
          if (!r.ok) {
            report(s, 'failed', r.error.message);
            return {
              result: r.error.code === 'driver-stuck' ? 'stuck' : 'failed',
              detail: `${s.detail} failed: ${r.error.message}`,
            };
          }
          // A rescan is done when it found the GPU: the step that failed is the one marked so.
          if (s.step === 'rescan' && !(await waitForGpu(bdf, known))) {
            if (deadAtStart.length > 0) {
              report(s, 'failed', `${named(deadAtStart)} did not answer after the rescan`);
              return {
                result: 'failed',
                detail: `${named(deadAtStart)} is ${STILL_NOT_RESPONDING}.`,
              };
            }
            report(s, 'failed', 'the rescan found no GPU');
            return {
              result: 'failed',
              detail:
                'The rescan found no GPU. Check that the enclosure is powered and connected, then try again; a reboot helps if it stays missing.',
            };
          }
          report(s, 'done', s.detail);
        }
        return null;
      };
      // Stage 1: authorize, remove what does not answer, rescan; stage 2: re-plan against what
      // appeared (only the approved device stays approved: nothing new is authorized there).
      const stage1 = first.steps.filter(
        (s) => s.step === 'authorize' || s.step === 'remove' || s.step === 'rescan',
      );
      const f1 = await execute(stage1);
      if (f1 !== null) return f1;
      const second = planRecover(await facts(bdf, request));
      const stage2 = second.steps.filter((s) => s.step === 'bind' || s.step === 'reload-modules');
      // Steps the plan showed that the GPU no longer needs once the rescan found it: said, so the
      // run does not silently differ from the plan the user saw.
      for (const s of first.steps.filter(
        (x) =>
          (x.step === 'bind' || x.step === 'reload-modules') &&
          !stage2.some((y) => y.step === x.step),
      )) {
        report(s, 'running', s.detail);
        report(s, 'skipped', 'not needed: the GPU came back with its driver and /dev/dri nodes');
      }
      const f2 = await execute(stage2);
      if (f2 !== null) return f2;
      // Verify: present, bound, with DRM nodes (a driver probe can take a moment).
      const verify = second.steps.find((s) => s.step === 'verify') ?? {
        step: 'verify' as const,
        detail: 'Check the GPU',
        privileged: false,
      };
      report(verify, 'running', verify.detail);
      const deadline = o.clock.monotonic() + o.stepTimeoutMs;
      for (;;) {
        const inv = readInventory(root);
        const gpus = inv.gpus.filter((g) => (bdf !== null ? g.bdf === bdf : g.external));
        // Answering on the bus is the first test: a dead GPU keeps its driver link and DRM nodes.
        // A runtime-suspended GPU is not probed (that would wake it): its driver suspended it.
        const good = gpus.filter(
          (g) =>
            (g.health === 'ok' || (g.health === 'unknown' && g.runtimeStatus === 'suspended')) &&
            g.driver !== null &&
            g.drm.card !== null &&
            root.exists(g.drm.card) &&
            (g.drm.render === null || root.exists(g.drm.render)),
        );
        if (gpus.length > 0 && good.length === gpus.length) {
          const names = good
            .map((g) => `${g.name} (${g.bdf}, ${g.driver ?? '?'}, ${g.drm.card ?? ''})`)
            .join(', ');
          report(verify, 'done', `Ready: ${names}`);
          // The result in words; the addresses and nodes are the verify step's, in its details.
          const back = good.map((g) => g.name).join(', ');
          const are = good.length === 1 ? 'is' : 'are';
          // Nothing planned but the check: it was never gone, so "back" would be false.
          const checkedOnly = first.steps.every((x) => x.step === 'verify') && stage2.length === 0;
          return checkedOnly
            ? {
                result: 'recovered',
                detail: `${back} ${are} working, so nothing was changed.`,
                unchanged: true,
              }
            : { result: 'recovered', detail: `${back} ${are} back.` };
        }
        if (o.clock.monotonic() >= deadline) {
          const stillDead = gpus.filter(isDead);
          if (stillDead.length > 0 || (gpus.length === 0 && deadAtStart.length > 0)) {
            const who = named(stillDead.length > 0 ? stillDead : deadAtStart);
            report(verify, 'failed', `${who}: does not answer on the bus`);
            return { result: 'failed', detail: `${who} is ${STILL_NOT_RESPONDING}.` };
          }
          const missing =
            gpus.length === 0
              ? 'no GPU is present'
              : gpus
                  .map(
                    (g) =>
                      `${g.bdf}: ${g.health !== 'ok' ? g.healthReason : g.driver === null ? 'no driver bound' : 'no /dev/dri card node'}`,
                  )
                  .join('; ');
          report(verify, 'failed', missing);
          return {
            result: 'failed',
            detail: `Not recovered: ${missing}. A reboot is the reliable fallback.`,
          };
        }
        await sleep(100);
      }
    },
  };
}
