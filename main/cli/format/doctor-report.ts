// `egpu doctor --report FILE`: one Markdown file to attach to a bug report — the findings, the
// GPUs as `egpu status` shows them, who uses them (`egpu clients`), this boot's kernel incidents
// with their journal lines, and the versions. Redacted by default (redact.ts). Pure.

import { AREA_TITLES, DOCTOR_AREAS, type DoctorFacts } from '../../actions/doctor/doctor-model.js';
import type { DoctorResult } from '../../actions/doctor/doctor.js';
import type { Redactor } from '../../actions/doctor/redact.js';
import { formatDiagnosis } from '../../diagnose/diagnosis.js';
import { formatClients } from './clients-text.js';
import { doctorSummary } from './doctor-text.js';
import { formatStatus } from './status-text.js';

export type ReportInput = {
  readonly result: DoctorResult;
  readonly facts: DoctorFacts;
  readonly versions: {
    readonly app: string | null;
    readonly node: string;
  };
  /** ISO time the report was made. */
  readonly generatedAt: string;
  /** null: not redacted (--no-redact). */
  readonly redactor: Redactor | null;
};

/** A fenced block whose fence is longer than any run of backticks inside. */
export function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** Markdown table cells must not break the row. */
const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function findingsSection(r: DoctorResult): string[] {
  const out = ['## Findings', '', doctorSummary(r) + '.'];
  for (const area of DOCTOR_AREAS) {
    const items = r.findings.filter((f) => f.area === area);
    if (items.length === 0) continue;
    out.push('', `### ${AREA_TITLES[area]}`, '');
    for (const f of items) {
      out.push(`- **${f.severity}** — ${f.title}`);
      if (f.severity !== 'ok') out.push(`  ${f.detail}`);
      if (f.fix !== undefined && f.severity !== 'ok') out.push(`  *Fix:* ${f.fix}`);
    }
  }
  return out;
}

function incidentsSection(facts: DoctorFacts): string[] {
  const k = facts.kernelLog;
  const out = ['## Kernel incidents this boot', '', `Source: ${k.source}.`];
  if (k.diagnosis === null) return out;
  out.push(
    '',
    'Line numbers count the kernel messages read, oldest first.',
    '',
    fenced(formatDiagnosis(k.diagnosis)),
  );
  const lines = [...k.lines].sort(([a], [b]) => a - b);
  if (lines.length > 0) {
    out.push('', 'Journal lines:', '');
    const shown = lines.slice(-200);
    const text = shown.map(([n, l]) => `[${n}] ${l.time ?? '-'} ${l.text}`).join('\n');
    out.push(fenced(text));
    if (lines.length > shown.length)
      out.push('', `(${lines.length - shown.length} earlier lines left out.)`);
  }
  return out;
}

function versionsSection(input: ReportInput): string[] {
  const f = input.facts;
  const drivers = [...new Set(f.inventory.gpus.map((g) => g.driver ?? '(none)'))].join(', ');
  const rows: [string, string][] = [
    ['eGPU Guard', input.versions.app ?? 'unknown'],
    ['Kernel', f.kernelRelease ?? 'unknown'],
    ['GPU drivers', drivers || 'none'],
    [
      'NVIDIA',
      f.nvidia.versionLine ??
        (f.inventory.gpus.some((g) => g.driver === 'nvidia')
          ? 'unknown (/proc/driver/nvidia/version not readable)'
          : 'not loaded'),
    ],
    ['Node.js', input.versions.node],
    ['Distribution', f.osRelease ?? 'unknown'],
    ['Session', `${f.session.kind} (${f.session.detail})`],
  ];
  return [
    '## Versions',
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
  ];
}

export function formatDoctorReport(input: ReportInput): string {
  const red = input.redactor;
  const inventory = red ? red.inventory(input.facts.inventory) : input.facts.inventory;
  const clients = red ? red.clients(input.facts.clients) : input.facts.clients;
  const parts = [
    '# eGPU Guard report',
    '',
    `Made by \`egpu doctor --report\` at ${input.generatedAt}.` +
      (red
        ? ' Thunderbolt unique IDs, user names, home folders and program arguments are replaced by placeholders (`--no-redact` keeps them).'
        : ' Not redacted: it contains unique IDs, user names and program arguments.'),
    '',
    ...findingsSection(input.result),
    '',
    '## GPUs (`egpu status`)',
    '',
    fenced(formatStatus(inventory)),
    '',
    '## Processes using GPUs (`egpu clients`)',
    '',
    fenced(formatClients(clients, inventory)),
    '',
    ...incidentsSection(input.facts),
    '',
    ...versionsSection(input),
  ];
  const text = parts.join('\n') + '\n';
  return red ? red.text(text) : text;
}
