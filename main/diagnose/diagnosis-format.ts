// A Diagnosis as plain text for a terminal (`egpu explain`) or a notification body: per device,
// what was seen (with log line numbers), what it means, what to do next; then the summary.

import { wrapText } from '../common/text-wrap.js';
import type { Diagnosis, Finding, LogIncident } from './diagnosis.js';

const WIDTH = 96;

/** "line 6", "lines 6, 7", "12 times, lines 3–120". */
export function describeLines(lines: readonly number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  if (lines.length <= 4) return `lines ${lines.join(', ')}`;
  return `${lines.length} times, lines ${lines[0]}–${lines[lines.length - 1]}`;
}

const MARK = { critical: '✗', warning: '!', info: '·' } as const;

function findingLine(f: Finding): string {
  const note =
    f.inferred === 0
      ? ''
      : f.inferred === f.lines.length
        ? '; the line names no address'
        : `; ${f.inferred} of them name no address`;
  return `  ${MARK[f.level]} ${f.title} (${describeLines(f.lines)}${note})`;
}

const sameAdvice = (a: LogIncident, b: LogIncident): boolean =>
  a.meanings.join('\n') === b.meanings.join('\n') &&
  a.nextSteps.join('\n').replaceAll(a.device.bdf ?? '\0', '') ===
    b.nextSteps.join('\n').replaceAll(b.device.bdf ?? '\0', '');

/** `previous`: the last incident printed in full; its advice is not repeated. */
function formatIncident(incident: LogIncident, previous: LogIncident | undefined): string[] {
  const where =
    incident.firstLine === incident.lastLine
      ? `line ${incident.firstLine}`
      : `lines ${incident.firstLine}–${incident.lastLine}`;
  const out = [`${incident.device.label} — ${incident.level}, ${where}`];
  out.push(...incident.findings.map(findingLine));
  // Many ports with the same trouble (a cascade of dead bridges) need not repeat the advice.
  if (previous !== undefined && sameAdvice(previous, incident)) {
    out.push(`  Same meaning and next steps as for ${previous.device.label} above.`);
    return out;
  }
  out.push('  What it means:');
  for (const m of incident.meanings) out.push(...wrapText(m, WIDTH, '    '));
  out.push('  What to do next:');
  incident.nextSteps.forEach((step, i) => {
    const [first, ...rest] = wrapText(step, WIDTH, '       ');
    out.push(`    ${String(i + 1)}. ${(first ?? '').trimStart()}`, ...rest);
  });
  return out;
}

export function formatDiagnosis(d: Diagnosis): string {
  let lastInFull: LogIncident | undefined;
  const blocks = d.incidents.map((incident) => {
    const lines = formatIncident(incident, lastInFull);
    if (lastInFull === undefined || !sameAdvice(lastInFull, incident)) lastInFull = incident;
    return lines.join('\n');
  });
  return [...blocks, d.summary].join('\n\n') + '\n';
}
