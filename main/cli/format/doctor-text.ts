// Human output of `egpu doctor`: findings grouped by area, worst first within nothing — in the
// order the checks run, which follows the path of an eGPU (kernel → events → Thunderbolt →
// privileges → desktop → GPUs → power). Details and fixes only where there is something to know.

import { AREA_TITLES, DOCTOR_AREAS, type Severity } from '../../actions/doctor/doctor-model.js';
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

export function formatDoctor(r: DoctorResult): string {
  const out: string[] = [`eGPU Guard doctor: ${doctorSummary(r)}`];
  for (const area of DOCTOR_AREAS) {
    const items = r.findings.filter((f) => f.area === area);
    if (items.length === 0) continue;
    out.push('', AREA_TITLES[area]);
    for (const f of items) {
      out.push(`  ${LABEL[f.severity].padEnd(8)} ${f.title}`);
      if (f.severity === 'ok') continue;
      out.push(...wrapText(f.detail, WIDTH, '           '));
      if (f.fix !== undefined) out.push(...wrapText(`Fix: ${f.fix}`, WIDTH, '           '));
    }
  }
  out.push(
    '',
    r.exitCode === 0
      ? 'Nothing here stops eGPU Guard from doing its job.'
      : 'Fix the problems above: eGPU Guard or the eGPU cannot work fully until then.',
  );
  return out.join('\n') + '\n';
}
