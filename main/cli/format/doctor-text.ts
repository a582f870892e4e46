// Human output of `egpu doctor`: what needs attention first (problems, then warnings, each with
// its area, details and fix), then everything else grouped by area in the order the checks run,
// which follows the path of an eGPU (kernel → events → Thunderbolt → privileges → desktop →
// GPUs → power). Details and fixes only where there is something to know.

import {
  AREA_TITLES,
  DOCTOR_AREAS,
  type DoctorFinding,
  type Severity,
} from '../../actions/doctor/doctor-model.js';
import type { DoctorResult } from '../../actions/doctor/doctor.js';
import { wrapText } from '../../common/text-wrap.js';

const WIDTH = 96;
const LABEL: Readonly<Record<Severity, string>> = {
  ok: 'ok',
  info: 'info',
  warning: 'WARNING',
  problem: 'PROBLEM',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function doctorSummary(r: DoctorResult): string {
  const c = r.counts;
  return `${plural(c.problem, 'problem')}, ${plural(c.warning, 'warning')}, ${c.info} info, ${c.ok} ok`;
}

function finding(f: DoctorFinding, area: boolean): string[] {
  // In the list of what needs attention, each finding says where it belongs ("Privileges: …").
  const title = area ? `${AREA_TITLES[f.area].replace(/ \(.*\)$/, '')}: ${f.title}` : f.title;
  const out = [`  ${LABEL[f.severity].padEnd(8)} ${title}`];
  if (f.severity === 'ok') return out;
  out.push(...wrapText(f.detail, WIDTH, '           '));
  if (f.fix !== undefined) out.push(...wrapText(`Fix: ${f.fix}`, WIDTH, '           '));
  return out;
}

export function formatDoctor(r: DoctorResult): string {
  const out: string[] = [`eGPU Guard doctor: ${doctorSummary(r)}`];
  const attention = [
    ...r.findings.filter((f) => f.severity === 'problem'),
    ...r.findings.filter((f) => f.severity === 'warning'),
  ];
  if (attention.length > 0) {
    out.push('', 'Needs attention');
    for (const f of attention) out.push(...finding(f, true));
  }
  const rest = r.findings.filter((f) => f.severity === 'ok' || f.severity === 'info');
  for (const area of DOCTOR_AREAS) {
    const items = rest.filter((f) => f.area === area);
    if (items.length === 0) continue;
    out.push('', AREA_TITLES[area]);
    for (const f of items) out.push(...finding(f, false));
  }
  out.push(
    '',
    r.exitCode === 0
      ? 'Nothing here stops eGPU Guard from doing its job.'
      : 'Fix the problems at the top: eGPU Guard or the eGPU cannot work fully until then.',
  );
  return out.join('\n') + '\n';
}
