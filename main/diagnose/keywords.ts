// The literal strings without which no record can be an event: the union of the keywords of
// the classification rules (classify-rules.ts), each of which runs only when one of its own
// keywords is in the text. The fast scanner (log-scan.ts) therefore only has to look at lines
// that contain one of these, and both paths give the same events by construction.
//
// Every keyword must be printable ASCII (the byte scanner matches UTF-8 bytes, where an ASCII
// byte is always that character) and at least MIN_KEYWORD_LENGTH long (longer keywords let the
// multi-pattern search skip further); createMultiSearch and classify.test.ts check both.

import { RULES } from './classify-rules.js';

export const MIN_KEYWORD_LENGTH = 10;

export const KEYWORDS: readonly string[] = [...new Set(RULES.flatMap((r) => r.keys))];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One regex for "could this text be an event at all?" (short texts; see log-scan.ts). */
export const KEYWORD_PATTERN = new RegExp(KEYWORDS.map(escape).join('|'));

export const hasKeyword = (text: string): boolean => KEYWORD_PATTERN.test(text);
