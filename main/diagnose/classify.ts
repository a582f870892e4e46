// Kernel message → KernelEvent: one event per record that itself states the condition, the
// fixed vocabulary only, bdf only from the record's own text (../shared/logcorpus/LABELING.md).
// The rules live in classify-rules.ts. Pure and independent of the log reader: the live journal
// source calls classifyMessage on each MESSAGE (only a type comes from the reader).

import type { KernelEvent } from '../common/kernel-events.js';
import { parseDevicePrefix } from './bdf.js';
import { RULES, type RuleContext } from './classify-rules.js';
import { hasKeyword } from './keywords.js';
import { MAX_RECORD_CHARS } from './limits.js';
import type { LogRecord } from './log-reader.js';

export type LocatedEvent = KernelEvent & { readonly line: number };

const GPU_DRIVERS = new Set(['amdgpu', 'radeon', 'i915', 'xe', 'nouveau', 'nvidia', 'nvidia-drm']);
const GPU_TEXT = /^NVRM:|^nvidia(?:-modeset|-drm)?:|\[drm[:\]]|\bamdgpu\b|\bi915\b|\[nvidia-drm\]/;

/** The event a kernel message states, or null. `text` may span lines (continuations). */
export function classifyMessage(text: string): KernelEvent | null {
  if (typeof text !== 'string') return null;
  const t = text.length > MAX_RECORD_CHARS ? text.slice(0, MAX_RECORD_CHARS) : text;
  if (!hasKeyword(t)) return null;
  const prefix = parseDevicePrefix(t);
  let gpu: boolean | undefined;
  const context = (): RuleContext => {
    gpu ??= (prefix !== null && GPU_DRIVERS.has(prefix.driver)) || GPU_TEXT.test(t);
    return { text: t, bdf: prefix?.bdf ?? null, gpu };
  };
  for (const rule of RULES) {
    // A rule runs only when one of its keywords is present: this is what lets the fast scan
    // look at keyword lines only (keywords.ts).
    if (!rule.keys.some((k) => t.includes(k))) continue;
    const c = context();
    if (rule.gpuOnly === true && !c.gpu) continue;
    const found = rule.match(c);
    if (found !== null) return { ...found, text: t };
  }
  return null;
}

/** Events of records, in record order, each with its record's first line. */
export function classifyRecords(records: Iterable<LogRecord>): LocatedEvent[] {
  const events: LocatedEvent[] = [];
  for (const r of records) {
    const e = classifyMessage(r.text);
    if (e !== null) events.push({ ...e, line: r.line });
  }
  return events;
}
