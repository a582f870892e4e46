// What the Manager interface sends, from the core's own types: pure conversions to D-Bus dicts
// (a{sv}, values as DbusVariant) and back from the options callers send. The words are the shared
// vocabulary's (main/common/gpu-words.ts), so a widget says what the window says.

import type { ActionPlan, CompositorAdvice } from '../common/actions-model.js';
import type { ClientInfo } from '../common/clients-model.js';
import { gpuWords } from '../common/gpu-words.js';
import type { GpuEntry, Incident, Snapshot } from '../common/snapshot.js';
import { DbusVariant } from '../platform/dbus.js';

type Dict = Record<string, DbusVariant>;

const s = (v: string): DbusVariant => new DbusVariant('s', v);
const b = (v: boolean): DbusVariant => new DbusVariant('b', v);
const u = (v: number): DbusVariant => new DbusVariant('u', v);
const as = (v: readonly string[]): DbusVariant => new DbusVariant('as', [...v]);
const x = (v: number): DbusVariant => new DbusVariant('x', BigInt(Math.trunc(v)));
const dicts = (v: readonly Dict[]): DbusVariant => new DbusVariant('aa{sv}', [...v]);

export function gpuDict(g: GpuEntry): Dict {
  const words = gpuWords(g);
  return {
    bdf: s(g.bdf),
    name: s(g.name),
    state: s(words.key),
    state_text: s(words.explanation),
    severity: s(words.severity),
    external: b(g.external),
    enclosure: s(g.enclosure?.name ?? ''),
    present: b(g.present),
    in_use: b((g.clients?.length ?? 0) > 0),
    // What the window offers first: eject, recover, or "" when nothing needs doing.
    action: s(words.primary ?? ''),
  };
}

export const gpusValue = (snap: Snapshot): Dict[] => snap.gpus.map(gpuDict);

const openIncidents = (snap: Snapshot): readonly Incident[] =>
  snap.incidents.filter((i) => i.resolvedAt === undefined || i.resolvedAt === null);

export const incidentsValue = (snap: Snapshot): Dict[] =>
  openIncidents(snap).map((i) => ({
    id: s(i.id),
    bdf: s(i.gpu ?? ''),
    kind: s(i.kind),
    severity: s(i.severity),
    title: s(i.title),
    opened_at: x(i.openedAt),
  }));

/** The state key of each GPU, for StateChanged: the vocabulary's sub-cases, not the raw state. */
export function stateKeys(snap: Snapshot): Map<string, string> {
  return new Map(snap.gpus.map((g) => [g.bdf, gpuWords(g).key]));
}

export function planDict(plan: ActionPlan): Dict {
  return {
    action: s(plan.action),
    bdf: s(plan.gpu ?? ''),
    name: s(plan.name ?? ''),
    result: s(plan.result),
    blockers: dicts(
      plan.blockers.map((k) => ({
        kind: s(k.kind),
        reason: s(k.reason),
        closable: b(k.closable),
        ...(k.pid === undefined ? {} : { pid: u(k.pid) }),
        ...(k.comm === undefined ? {} : { command: s(k.comm) }),
      })),
    ),
    steps: dicts(
      plan.steps.map((st) => ({
        step: s(st.step),
        detail: s(st.detail),
        privileged: b(st.privileged),
      })),
    ),
    warnings: as(plan.warnings),
    unplug_warnings: as(plan.unplugWarnings ?? []),
    // Everything else the window shows (helper verbs, targets …), for callers who want it.
    json: s(JSON.stringify(plan)),
  };
}

export function clientDict(c: ClientInfo): Dict {
  return {
    pid: u(c.pid),
    command: s(c.comm),
    cmdline: s(c.cmdline),
    user: s(c.user ?? ''),
    ...(c.uid === null ? {} : { uid: u(c.uid) }),
    bdf: s(c.gpu ?? ''),
    nodes: as(c.nodes),
    via: as(c.via),
    role: s(c.role),
  };
}

export function adviceDict(a: CompositorAdvice): Dict {
  return {
    session: s(a.session),
    detail: s(a.sessionDetail),
    actions: dicts(
      a.actions.map((act) => ({
        id: s(act.id),
        title: s(act.title),
        detail: s(act.detail),
        warning: s(act.warning ?? ''),
        privileged: b(act.privileged),
      })),
    ),
    notes: as(a.notes ?? []),
    json: s(JSON.stringify(a)),
  };
}

export type EjectRequest = {
  readonly closeApps: boolean;
  readonly closePids: number[];
  readonly force: boolean;
};

/**
 * Eject's options dict (already unwrapped from variants): known keys with the right types, or a
 * message saying which is wrong. Unknown keys are refused too: a typo must not run an eject that
 * closes nothing while the caller believes it closes apps.
 */
export function parseEjectOptions(
  raw: unknown,
): { ok: true; value: EjectRequest } | { ok: false; message: string } {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const known = new Set(['close_apps', 'close_pids', 'force']);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length > 0)
    return {
      ok: false,
      message: `unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: close_apps, close_pids, force)`,
    };
  const bool = (k: string): boolean | string => {
    const v = o[k];
    if (v === undefined) return false;
    return typeof v === 'boolean' ? v : `option '${k}' must be a boolean (b)`;
  };
  const closeApps = bool('close_apps');
  const force = bool('force');
  if (typeof closeApps === 'string') return { ok: false, message: closeApps };
  if (typeof force === 'string') return { ok: false, message: force };
  const pids = o['close_pids'] ?? [];
  if (
    !Array.isArray(pids) ||
    !pids.every((p) => typeof p === 'number' && Number.isInteger(p) && p > 0)
  )
    return { ok: false, message: "option 'close_pids' must be an array of process ids (au)" };
  return { ok: true, value: { closeApps: closeApps || force, closePids: pids as number[], force } };
}
