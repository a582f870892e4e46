// Incidents: evidence from several sources about one event, merged. A surprise unplug of an
// NVIDIA eGPU shows up as a pciehp "Link Down", an Xid 79, "thunderbolt 0-1: device
// disconnected" and udev remove events within a second or two, in no fixed order; they become
// one incident whose kind is the most serious thing the evidence shows. Pure.

import type { Evidence, Incident, IncidentKind, Severity } from '../common/snapshot.js';
import { STEP_TEXT, orderSteps, type Step } from '../diagnose/advice-steps.js';
import { explainEvent } from '../diagnose/kind-catalogue.js';

/** Evidence this close to an open incident about the same GPU joins it. */
export const MERGE_WINDOW_MS = 30_000;

const KIND_RANK: Readonly<Record<IncidentKind, number>> = {
  'kernel-trouble': 0,
  wedged: 1,
  'driver-stuck': 2,
  'fell-off-bus': 3,
  'surprise-removal': 4,
};

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };

const KIND_TEXT: Readonly<
  Record<IncidentKind, { title: string; meaning: string; steps: readonly Step[] }>
> = {
  'surprise-removal': {
    title: 'unplugged while in use',
    meaning:
      'The eGPU disappeared without being ejected first: the cable was pulled, the enclosure lost power, or the link dropped. Programs that were using it may have crashed or hung.',
    steps: ['reconnect', 'check-link-if-unplanned'],
  },
  'fell-off-bus': {
    title: 'fell off the bus',
    meaning:
      'The GPU stopped answering on the PCIe bus while it was still listed there (its config space read all ones).',
    steps: ['close-clients', 'reconnect', 'check-link'],
  },
  'driver-stuck': {
    title: 'removal is stuck in the driver',
    meaning:
      'The driver is waiting for every program to let go of the GPU before it finishes removing it; until then the removal hangs inside the kernel.',
    steps: ['close-clients', 'reboot-now'],
  },
  wedged: {
    title: 'GPU wedged',
    meaning:
      'The driver declared the GPU wedged: it stopped accepting work until it is rebound or reset.',
    steps: ['close-clients', 'reset-gpu'],
  },
  'kernel-trouble': {
    title: 'kernel reports trouble',
    meaning: '',
    steps: [],
  },
};

/**
 * What becomes of each step once the incident has ended (the GPU is back, or was ejected): the
 * ones that get the GPU back or free it are done with; checking the connection is for next time.
 * Steps not named here keep their words (restart the app, next time eject first, if it repeats).
 */
const AFTER_END: Partial<Record<Step, Step | null>> = {
  'reboot-now': null,
  'close-clients': null,
  reconnect: null,
  rescan: null,
  'reset-gpu': null,
  'wait-reset': null,
  'check-authorized': null,
  'check-link': 'check-link-on-repeat',
};

function stepsAfterEnd(steps: ReadonlySet<Step>): Set<Step> {
  const out = new Set<Step>();
  for (const s of steps) {
    const after = s in AFTER_END ? AFTER_END[s] : s;
    if (after !== null && after !== undefined) out.add(after);
  }
  if (out.has('check-link-on-repeat')) out.delete('check-link-if-unplanned');
  return out;
}

function explain(
  kind: IncidentKind,
  evidence: readonly Evidence[],
  ended = false,
): { meaning: string[]; nextSteps: string[] } {
  const meanings: string[] = [];
  const steps = new Set<Step>();
  const base = KIND_TEXT[kind];
  if (base.meaning !== '') meanings.push(base.meaning);
  base.steps.forEach((s) => steps.add(s));
  const topics = new Set<string>();
  for (const e of evidence) {
    if (e.kernel === undefined) continue;
    const x = explainEvent(e.kernel);
    if (!topics.has(x.topic)) {
      topics.add(x.topic);
      meanings.push(x.meaning);
    }
    x.steps.forEach((s) => steps.add(s));
  }
  // "Check the connection" already covers "if you did not unplug it, check the connection".
  if (steps.has('check-link')) steps.delete('check-link-if-unplanned');
  const shown = ended ? stepsAfterEnd(steps) : steps;
  return { meaning: meanings, nextSteps: orderSteps(shown).map((s) => STEP_TEXT[s]) };
}

function severityOf(kind: IncidentKind, evidence: readonly Evidence[]): Severity {
  if (kind !== 'kernel-trouble') return 'critical';
  let best: Severity = 'info';
  for (const e of evidence) {
    if (e.kernel === undefined) continue;
    const level = explainEvent(e.kernel).level;
    if (SEVERITY_RANK[level] > SEVERITY_RANK[best]) best = level;
  }
  return best;
}

type Affected = NonNullable<Incident['affected']>;

function titleOf(
  kind: IncidentKind,
  gpuName: string | null,
  evidence: readonly Evidence[],
  affected: Affected,
): string {
  const who = gpuName ?? 'GPU';
  // "While in use" only when someone is known to have been using it: an idle GPU pulled out is
  // not one, and the window's card says so (main/common/gpu-words.ts).
  if (kind === 'surprise-removal' && affected.length === 0)
    return `${who} unplugged without an eject`;
  if (kind !== 'kernel-trouble') return `${who} ${KIND_TEXT[kind].title}`;
  const k = [...evidence].reverse().find((e) => e.kernel !== undefined)?.kernel;
  return k ? `${who}: ${explainEvent(k).title}` : `${who}: ${KIND_TEXT[kind].title}`;
}

/** Kinds after which the programs that used the GPU may have crashed. */
const LOSES_CLIENTS: ReadonlySet<IncidentKind> = new Set(['surprise-removal', 'fell-off-bus']);

/**
 * "ollama (pid 2231) was using it and may have crashed — restart it once the GPU is back." While
 * a GPU that fell off the bus is still listed, its programs usually hang rather than crash, and
 * the driver waits for them: they are to be closed first (not "may have crashed", beside "close
 * every app still using it").
 */
function affectedStep(kind: IncidentKind, affected: Affected, ended: boolean): string[] {
  if (!LOSES_CLIENTS.has(kind) || affected.length === 0) return [];
  const who = affected.map((a) => `${a.comm} (pid ${a.pid})`);
  const list = who.length === 1 ? who[0] : `${who.slice(0, -1).join(', ')} and ${who.at(-1)}`;
  const verb = who.length === 1 ? 'was' : 'were';
  const them = who.length === 1 ? 'it' : 'them';
  if (kind === 'fell-off-bus' && !ended)
    return [
      `${list} ${verb} using it and cannot finish — close ${them} (${who.length === 1 ? 'it' : 'they'} may hang), and start ${them} again once the GPU is back.`,
    ];
  return [`${list} ${verb} using it and may have crashed — restart ${them} once the GPU is back.`];
}

function withAffected(
  kind: IncidentKind,
  evidence: readonly Evidence[],
  affected: Affected,
  ended = false,
): { meaning: string[]; nextSteps: string[]; affected?: Affected } {
  const x = explain(kind, evidence, ended);
  if (affected.length === 0) return x;
  return { ...x, nextSteps: [...affectedStep(kind, affected, ended), ...x.nextSteps], affected };
}

export function openIncident(
  id: string,
  gpu: string | null,
  gpuName: string | null,
  kind: IncidentKind,
  evidence: readonly Evidence[],
  at: number,
  affected: Affected = [],
): Incident {
  return {
    id,
    gpu,
    gpuName,
    kind,
    severity: severityOf(kind, evidence),
    title: titleOf(kind, gpuName, evidence, affected),
    openedAt: at,
    updatedAt: at,
    evidence,
    ...withAffected(kind, evidence, affected),
  };
}

/**
 * The incident ended: the GPU is back, or was ejected. It takes no more evidence, and its advice
 * keeps only what is still to do (restart the apps it took down; for next time).
 */
export function resolveIncident(incident: Incident, at: number, outcome: string): Incident {
  const { nextSteps } = withAffected(
    incident.kind,
    incident.evidence,
    incident.affected ?? [],
    true,
  );
  return { ...incident, nextSteps, updatedAt: at, resolvedAt: at, outcome };
}

/** Adds evidence; the kind only ever escalates (a fall off the bus that ends in removal). */
export function mergeIncident(
  incident: Incident,
  kind: IncidentKind,
  evidence: readonly Evidence[],
  at: number,
  affected: Affected = [],
): Incident {
  const nextKind = KIND_RANK[kind] > KIND_RANK[incident.kind] ? kind : incident.kind;
  const all = [...incident.evidence, ...evidence];
  const known = incident.affected ?? [];
  const who = [...known, ...affected.filter((a) => !known.some((k) => k.pid === a.pid))];
  return {
    ...incident,
    kind: nextKind,
    severity: severityOf(nextKind, all),
    title: titleOf(nextKind, incident.gpuName, all, who),
    updatedAt: at,
    evidence: all,
    ...withAffected(nextKind, all, who),
  };
}

export const isOpen = (incident: Incident, at: number): boolean =>
  incident.resolvedAt === undefined && at - incident.updatedAt <= MERGE_WINDOW_MS;
