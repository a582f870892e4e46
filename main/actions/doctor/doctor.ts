// The doctor: every check over one set of facts, findings in area order, and the verdict
// (`egpu doctor` exits 1 when any finding is a problem). Pure; gatherDoctorFacts does the I/O.

import { kernelChecks, eventChecks } from './checks-kernel.js';
import { gpuChecks } from './checks-gpus.js';
import { hookChecks } from './checks-hooks.js';
import { desktopTrayCheck, privilegeChecks, thunderboltChecks } from './checks-system.js';
import {
  DOCTOR_AREAS,
  SEVERITIES,
  type DoctorFacts,
  type DoctorFinding,
  type Severity,
} from './doctor-model.js';

export type DoctorResult = {
  readonly findings: readonly DoctorFinding[];
  readonly counts: Readonly<Record<Severity, number>>;
  /** 0: nothing is a problem; 1: something is. */
  readonly exitCode: 0 | 1;
};

export function runDoctorChecks(facts: DoctorFacts): DoctorResult {
  const all: DoctorFinding[] = [
    ...kernelChecks(facts),
    ...eventChecks(facts),
    ...thunderboltChecks(facts),
    ...privilegeChecks(facts),
    {
      id: 'session',
      area: 'desktop',
      severity: 'info',
      title: `Session: ${facts.session.kind}`,
      detail: facts.session.detail,
    },
    desktopTrayCheck(facts),
    ...gpuChecks(facts),
    ...hookChecks(facts),
  ];
  // Stable: by area in DOCTOR_AREAS order, then as the checks produced them.
  const findings = DOCTOR_AREAS.flatMap((a) => all.filter((x) => x.area === a));
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, findings.filter((x) => x.severity === s).length]),
  ) as Record<Severity, number>;
  return { findings, counts, exitCode: counts.problem > 0 ? 1 : 0 };
}
