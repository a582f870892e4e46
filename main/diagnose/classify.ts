// Kernel message → KernelEvent: one event per record that itself states the condition, the
// fixed vocabulary only, bdf only from the record's own text (fixtures/logcorpus/LABELING.md).
// The rules live in classify-rules.ts. Pure and independent of the log reader: the live journal
// source calls classifyMessage on each MESSAGE (only a type comes from the reader).

import type { KernelEvent } from '../common/kernel-events.js';
import { parseDevicePrefix } from './bdf.js';
import { RULES, type Found, type RuleContext } from './classify-rules.js';
import { KEYWORD_PATTERN, KEYWORDS } from './keywords.js';
import { MAX_RECORD_CHARS } from './limits.js';
import type { LogRecord } from './log-reader.js';

export type LocatedEvent = KernelEvent & { readonly line: number };

const GPU_DRIVERS = new Set(['amdgpu', 'radeon', 'i915', 'xe', 'nouveau', 'nvidia', 'nvidia-drm']);
const GPU_TEXT = /^NVRM:|^nvidia(?:-modeset|-drm)?:|\[drm[:\]]|\bamdgpu\b|\bi915\b|\[nvidia-drm\]/;

// Which rules may run on a text: one pass of the keyword regex finds where keywords start
// (lastIndex moves one character past each match, so overlapping keywords are seen too), and at
// each such place every keyword is tried with startsWith — a few cheap comparisons instead of
// one `includes` scan of the whole text per keyword of every rule.
const KEYWORD_SCAN = new RegExp(KEYWORD_PATTERN.source, 'g');
/** For each keyword, the rules (as a bit mask; RULES has fewer than 32) it lets run. */
const KEYWORD_RULES: readonly (readonly [string, number])[] = KEYWORDS.map((k) => [
  k,
  RULES.reduce((mask, r, i) => (r.keys.includes(k) ? mask | (1 << i) : mask), 0),
]);
if (RULES.length > 31) throw new Error('classify.ts: rule masks hold 31 rules');

function candidateRules(t: string): number {
  let mask = 0;
  KEYWORD_SCAN.lastIndex = 0;
  for (let m = KEYWORD_SCAN.exec(t); m !== null; m = KEYWORD_SCAN.exec(t)) {
    const at = m.index;
    for (const [k, rules] of KEYWORD_RULES) if (t.startsWith(k, at)) mask |= rules;
    KEYWORD_SCAN.lastIndex = at + 1;
  }
  return mask;
}

/** What the first matching rule finds in a text, or null (the text is already clamped). */
function findIn(t: string): Found | null {
  // A rule runs only when one of its keywords is present: this is what lets the fast scan look
  // at keyword lines only (keywords.ts).
  const mask = candidateRules(t);
  if (mask === 0) return null;
  const prefix = parseDevicePrefix(t);
  let c: RuleContext | null = null;
  for (let i = 0; i < RULES.length; i++) {
    if ((mask & (1 << i)) === 0) continue;
    const rule = RULES[i]!;
    // No closures or spreads here: this runs for every event of a dense log (an AER storm),
    // where they showed up as garbage collection.
    c ??= {
      text: t,
      bdf: prefix?.bdf ?? null,
      gpu: (prefix !== null && GPU_DRIVERS.has(prefix.driver)) || GPU_TEXT.test(t),
    };
    if (rule.gpuOnly === true && !c.gpu) continue;
    const found = rule.match(c);
    if (found !== null) return found;
  }
  return null;
}

const clampText = (text: string): string =>
  text.length > MAX_RECORD_CHARS ? text.slice(0, MAX_RECORD_CHARS) : text;

/** The event a kernel message states, or null. `text` may span lines (continuations). */
export function classifyMessage(text: string): KernelEvent | null {
  if (typeof text !== 'string') return null;
  const t = clampText(text);
  const found = findIn(t);
  // Each rule returns a fresh object: completing it in place keeps the key order of
  // `{ ...found, text }` without a copy.
  return found === null ? null : Object.assign(found, { text: t });
}

type Mutable = Found & { text?: string; line?: number };

/** Events of records, in record order, each with its record's first line. */
export function classifyRecords(records: Iterable<LogRecord>): LocatedEvent[] {
  const events: LocatedEvent[] = [];
  for (const r of records) {
    const t = clampText(r.text);
    const found: Mutable | null = findIn(t);
    if (found === null) continue;
    found.text = t;
    found.line = r.line;
    events.push(found as LocatedEvent);
  }
  return events;
}
