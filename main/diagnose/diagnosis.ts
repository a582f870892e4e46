// Events → incidents: grouped by device (diagnosis-devices.ts), each with what it means and what
// to do next. Pure; the same Diagnosis feeds `egpu explain`, the live state machine and the UI,
// so all say the same.

import { orderSteps, otherDeviceStepText, stepText, type Step } from './advice-steps.js';
import type { LocatedEvent } from './classify.js';
import { deviceFor, groupEvents, type DeviceRef } from './diagnosis-devices.js';
import { explainEvent, type EventLevel } from './kind-catalogue.js';
import type { XidNeeds } from './xid-catalogue.js';

/** Events of one incident that share a title (kind, Xid, outcome or severity). */
export type Finding = {
  readonly title: string;
  readonly level: EventLevel;
  readonly lines: readonly number[];
  /** Findings with one topic share their meaning (Xid 79 and "fell off the bus"). */
  readonly topic: string;
  readonly meaning: string;
  readonly steps: readonly Step[];
  readonly weight: number;
  /** Events whose own line names no address but that were attached to this device. */
  readonly inferred: number;
};

export type LogIncident = {
  readonly device: DeviceRef;
  readonly level: EventLevel;
  readonly needs: XidNeeds;
  readonly firstLine: number;
  readonly lastLine: number;
  /** The most telling finding, in a few words. */
  readonly headline: string;
  readonly findings: readonly Finding[];
  /** One paragraph per distinct topic of the findings. */
  readonly meanings: readonly string[];
  /** What to do next, most urgent first. */
  readonly nextSteps: readonly string[];
  readonly events: readonly LocatedEvent[];
};

export type Diagnosis = {
  /** Ordered by where each incident first appears in the log. */
  readonly incidents: readonly LogIncident[];
  readonly eventCount: number;
  readonly level: EventLevel | 'ok';
  readonly needs: XidNeeds;
  /** Physical lines read, when known (for "… in N lines"). */
  readonly lineCount: number | null;
  /** One line for people. */
  readonly summary: string;
};

const LEVEL_RANK: Record<EventLevel, number> = { critical: 3, warning: 2, info: 1 };
const NEEDS_RANK: Record<XidNeeds, number> = {
  reboot: 4,
  'reset-gpu': 3,
  'restart-app': 2,
  nothing: 1,
};
const worst = <T extends string>(values: readonly T[], rank: Record<T, number>, none: T): T =>
  values.reduce((a, b) => (rank[b] > rank[a] ? b : a), none);

function findingsOf(events: readonly LocatedEvent[]): Finding[] {
  const byTitle = new Map<string, Finding & { lines: number[]; inferred: number }>();
  for (const e of events) {
    const x = explainEvent(e);
    const f = byTitle.get(x.title) ?? {
      title: x.title,
      level: x.level,
      topic: x.topic,
      meaning: x.meaning,
      steps: x.steps,
      weight: x.weight,
      lines: [],
      inferred: 0,
    };
    f.lines.push(e.line);
    if (e.bdf === null && e.router === undefined) f.inferred++;
    byTitle.set(x.title, f);
  }
  return [...byTitle.values()];
}

/** Drivers of the bridges and ports on a GPU's path: their trouble is an eGPU's trouble. */
const PATH_DRIVERS: ReadonlySet<string> = new Set(['pcieport', 'shpchp', 'thunderbolt']);

/** A PCI device whose driver the log names and that is neither a GPU nor a bridge on a path. */
const isOtherDevice = (device: DeviceRef): boolean =>
  device.role === 'pci' && device.driver !== undefined && !PATH_DRIVERS.has(device.driver);

function nextSteps(
  device: DeviceRef,
  events: readonly LocatedEvent[],
  findings: readonly Finding[],
): string[] {
  // Commands such as `egpu recover <address>` take a GPU's address, not a bridge port's.
  const address = device.role === 'gpu' ? device.bdf : null;
  const ordered = orderSteps(findings.flatMap((f) => f.steps));
  const steps = isOtherDevice(device)
    ? ordered.flatMap((s) => otherDeviceStepText(s) ?? [])
    : ordered.map((s) => stepText(s, address));
  const corrected = events.filter(
    (e) => e.kind === 'pcie-aer' && e.severity === 'corrected',
  ).length;
  if (corrected >= 5) {
    steps.push(
      `${corrected} corrected PCIe errors on ${device.label} mean a marginal link: try another cable or port, without docks or hubs.`,
    );
  }
  return steps;
}

const weightOf = (i: LogIncident): number => Math.max(...i.findings.map((f) => f.weight));

function incidentOf(key: string, events: LocatedEvent[]): LogIncident {
  const device = deviceFor(events, key);
  const findings = findingsOf(events);
  const level = worst(
    findings.map((f) => f.level),
    LEVEL_RANK,
    'info',
  );
  const needs = worst(
    events.map((e) => explainEvent(e).needs),
    NEEDS_RANK,
    'nothing',
  );
  const top = findings.reduce((a, b) => (b.weight > a.weight ? b : a));
  const lines = events.map((e) => e.line);
  const meanings = new Map<string, string>();
  for (const f of findings) if (!meanings.has(f.topic)) meanings.set(f.topic, f.meaning);
  return {
    device,
    level,
    needs,
    firstLine: Math.min(...lines),
    lastLine: Math.max(...lines),
    headline: top.title,
    findings,
    meanings: [...meanings.values()],
    nextSteps: nextSteps(device, events, findings),
    events,
  };
}

export function diagnose(
  events: readonly LocatedEvent[],
  options: { lineCount?: number } = {},
): Diagnosis {
  const lineCount = options.lineCount ?? null;
  const incidents = [...groupEvents(events)]
    .map(([key, list]) => incidentOf(key, list))
    .sort((a, b) => a.firstLine - b.firstLine);
  const level =
    incidents.length === 0
      ? 'ok'
      : worst(
          incidents.map((i) => i.level),
          LEVEL_RANK,
          'info',
        );
  const needs = worst(
    incidents.map((i) => i.needs),
    NEEDS_RANK,
    'nothing',
  );
  const inLines = lineCount === null ? '' : ` in ${lineCount} line${lineCount === 1 ? '' : 's'}`;
  let summary: string;
  if (incidents.length === 0) summary = `No GPU or PCIe trouble found${inLines}.`;
  else {
    const top = incidents
      .filter((i) => i.level === level)
      .reduce((a, b) => (weightOf(b) > weightOf(a) ? b : a));
    const n = events.length;
    const d = incidents.length;
    summary =
      `${n} event${n === 1 ? '' : 's'} on ${d} device${d === 1 ? '' : 's'}${inLines}. ` +
      `Most serious (${level}): ${top.headline} — ${top.device.label}.`;
  }
  return { incidents, eventCount: events.length, level, needs, lineCount, summary };
}

export { formatDiagnosis } from './diagnosis-format.js';
export { vendorOf, type DeviceRef, type GpuVendor } from './diagnosis-devices.js';
