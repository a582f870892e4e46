// Lines `egpu watch` prints: one per state change, incident update, notice or source change,
// as text for people or one JSON object per line for scripts. Pure.

import type { GpuWords } from '../../common/gpu-words.js';
import type { Evidence, Incident, Notice, Transition } from '../../common/snapshot.js';
import type { SourceHealth } from '../../common/snapshot.js';

const iso = (at: number): string => new Date(at).toISOString();
const pad = (n: number): string => String(n).padStart(2, '0');
/** People read their own clock: local date and time to the second (JSON keeps ISO UTC). */
export const local = (at: number): string => {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

const evidenceJson = (
  e: readonly Evidence[],
): { at: string; source: string; text: string; kind?: string }[] =>
  e.map((x) => ({
    at: iso(x.at),
    source: x.source,
    text: x.text,
    ...(x.kernel ? { kind: x.kernel.kind } : {}),
  }));

/**
 * The shared words in a terminal: they name the window's buttons ("choose Recover"), which a
 * terminal has none of — it names the command instead. JSON keeps the shared words (state_text).
 */
export function terminalWords(text: string, bdf: string): string {
  // --yes: the command that does what the button does (a plan first, then the run).
  const recover = `\`egpu recover ${bdf} --yes\``;
  return text
    .replace(/\bChoose (Recover|Use it again)\b/g, `Run ${recover}`)
    .replace(/\bchoose (Recover|Use it again)\b/g, `run ${recover}`);
}

/**
 * One state change. `words` (main/common/gpu-words.ts, from the GPU's entry after the change) is
 * what the window and the tray say about it; `watch` prints the same badge and sentence — not the
 * state keys, which can read false ("unplugged" for a GPU a recovery took off the bus with its
 * cable still in) — and --json names the state and the sub-case (`unplugged-after-eject` vs
 * `unplugged`) so scripts need not re-derive it.
 */
export function transitionLine(t: Transition, json: boolean, words?: GpuWords): string {
  if (json) {
    return JSON.stringify({
      ts: iso(t.at),
      type: 'state',
      gpu: t.gpu,
      name: t.name,
      from: t.from,
      state: t.to,
      ...(words === undefined ? {} : { case: words.key, text: words.explanation }),
      evidence: evidenceJson(t.evidence),
    });
  }
  const why = t.evidence[0] ? `  (${t.evidence[0].text})` : '';
  const said = words === undefined ? '' : ` ${terminalWords(words.explanation, t.gpu)}`;
  return `${local(t.at)}  ${t.gpu}  ${t.name} [${words?.short ?? t.to}]${said}${why}`;
}

/** "Run `egpu clients` and close every program still using the GPU …" */
const CLOSE_CLIENTS = /^Run `egpu clients` and close every program/;

/**
 * `appsFound`: the incident's GPU was scanned and nothing holds it (the window drops the same
 * step then): no "close every program still using it" when there is none.
 */
export function incidentLine(i: Incident, json: boolean, appsFound = true): string {
  if (json) {
    return JSON.stringify({
      ts: iso(i.updatedAt),
      type: 'incident',
      gpu: i.gpu,
      incident: i.kind,
      id: i.id,
      severity: i.severity,
      title: i.title,
      evidence: evidenceJson(i.evidence),
      meaning: i.meaning,
      nextSteps: i.nextSteps,
      ...(i.affected === undefined ? {} : { affected: i.affected }),
      ...(i.resolvedAt === undefined
        ? {}
        : { resolvedAt: iso(i.resolvedAt), outcome: i.outcome ?? null }),
    });
  }
  if (i.resolvedAt !== undefined)
    return `${local(i.resolvedAt)}  ${i.gpu ?? '-'}  RESOLVED: ${i.title} — ${i.outcome ?? 'ended'}`;
  const last = i.evidence[i.evidence.length - 1];
  const head = `${local(i.updatedAt)}  ${i.gpu ?? '-'}  INCIDENT ${i.severity}: ${i.title}`;
  const lines = [head, ...(last ? [`    evidence: ${last.text}`] : [])];
  for (const m of i.meaning.slice(0, 1)) lines.push(`    ${m}`);
  const steps = appsFound ? i.nextSteps : i.nextSteps.filter((t) => !CLOSE_CLIENTS.test(t));
  for (const s of steps.slice(0, 2)) lines.push(`    → ${s}`);
  return lines.join('\n');
}

export function noticeLine(n: Notice, json: boolean): string {
  return json
    ? JSON.stringify({ ts: iso(n.at), type: 'notice', gpu: n.gpu, notice: n.kind, text: n.text })
    : `${local(n.at)}  ${n.gpu}  NOTICE: ${n.text}`;
}

export function sourceLine(s: SourceHealth, at: number, json: boolean): string {
  return json
    ? JSON.stringify({
        ts: iso(at),
        type: 'source',
        source: s.name,
        state: s.state,
        detail: s.detail,
        ...(s.via ? { via: s.via } : {}),
      })
    : `${local(at)}  source ${s.name}: ${s.state}${s.via ? ` (${s.via})` : ''} — ${s.detail}`;
}
