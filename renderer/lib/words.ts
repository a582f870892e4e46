// The window's own wording for text that comes from elsewhere in a form meant for a terminal:
// incident advice that names `egpu` commands, compositor snippets with placeholders, event-source
// health, and the one-sentence summary of an eject or recovery plan. Pure functions, no DOM: the
// components only render what these return. GPU state words are not made here — they come from
// main/common/gpu-words.ts.

import type { ActionPlan, StepId } from '../../main/common/actions-model.js';
import type { SourceHealth } from '../../main/common/snapshot.js';

/** A run of plain text or of code (what a terminal user would type or read verbatim). */
export type Segment = { readonly code: boolean; readonly text: string };

/**
 * Splits `text` on backticks into plain and code runs, so the window shows code as code and never
 * a literal backtick. An unpaired backtick is dropped.
 */
export function segments(text: string): Segment[] {
  const parts = text.split('`');
  const out: Segment[] = [];
  parts.forEach((part, i) => {
    if (part === '') return;
    // An odd count of backticks leaves the last part unpaired: plain text, not code.
    const code = i % 2 === 1 && i < parts.length - 1;
    out.push({ code, text: part });
  });
  return out;
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

/** A sentence's first letter in capitals — except the product's own name, always "eGPU Guard". */
const upperFirst = (s: string): string =>
  s.startsWith('eGPU') ? s : s.charAt(0).toUpperCase() + s.slice(1);

// CLI advice (main/diagnose/advice-steps.ts, the words `egpu explain` prints) said the way a
// person reads it in this window, where the apps list, Safely eject and Recover are on the page.
// Matched on the command each piece names, so a reworded sentence around it still translates;
// anything unmatched is shown as it is, with its commands as code.
const WINDOW_ADVICE: readonly (readonly [RegExp, string])[] = [
  [
    /^Run `egpu clients` and close every program still using the GPU/,
    'Close every app still using the GPU — the GPU’s card lists them under “Apps using it”',
  ],
  [/run `egpu eject` before unplugging/, 'choose Safely eject before unplugging'],
  [/eject it \(`egpu eject`\)/, 'eject it (Safely eject)'],
  [
    /and run `egpu status` to see whether the GPU is back/,
    'and watch its card in this window to see whether the GPU is back',
  ],
  [
    /; if it is not, `egpu recover --yes` brings it up\./,
    '; if it is not, choose Recover on its card.',
  ],
  [
    /`egpu recover[^`]*--dry-run` shows how eGPU Guard would bring it back/,
    'choose Recover on its card: it shows how eGPU Guard would bring it back',
  ],
  [/; run it with --yes, or reboot\./, ' before anything runs; or reboot.'],
  [
    /check that the device is authorized \(boltctl list\)/,
    'check whether this window says it is waiting for authorization',
  ],
  [/`egpu eject [^`]*` again or `egpu recover [^`]*`/, 'Safely eject again, or Recover'],
  [/`egpu recover [^`]*` undoes it/, 'Recover undoes it'],
];

/**
 * One piece of advice in the window's words: the things to click instead of commands to run.
 * `recoverOffered: false` — the GPU's card offers no Recover now (it is not responding and must
 * be reconnected first): the advice must not send the person to a button that is not there.
 */
export function windowAdvice(text: string, recoverOffered = true): string {
  let out = recoverOffered
    ? text
    : text.replace(
        /`egpu recover[^`]*--dry-run` shows how eGPU Guard would bring it back[^;]*; run it with --yes, or reboot\./,
        'reconnect the enclosure: unplug it, wait ten seconds and plug it back in, then choose Recover on its card; if the GPU does not come back, reboot.',
      );
  for (const [pattern, words] of WINDOW_ADVICE) out = out.replace(pattern, words);
  return out;
}

const RESCAN = /`egpu recover[^`]*--dry-run` shows how eGPU Guard would bring it back/;
const RECONNECT = /^Reconnect the enclosure and run `egpu status`/;
const RECONNECT_NOW =
  'Reconnect the enclosure: unplug it, wait ten seconds and plug it back in, then choose Recover on its card; if the GPU does not come back, reboot.';

const CLOSE_CLIENTS = /^Run `egpu clients` and close every program still using the GPU/;

/** What the incident's GPU card offers now (IncidentTimeline works it out from the card). */
export type CardNow = {
  /** Recover is on the card (not while a GPU taken off the bus waits for a reconnect). */
  readonly recoverOffered: boolean;
  /** The card lists apps using it (the GPU is on the bus and its scan found some). */
  readonly appsListed: boolean;
  /** The enclosure is back and the card waits for Recover: reconnecting is done. */
  readonly reconnected?: boolean;
};

/**
 * An incident's steps in the window's words, for the card as it is now. A card that lists no
 * apps (off the bus, or nobody found) gives none to close: no "close every app still using it".
 * Once the enclosure is back (the card waits for Recover), "reconnect it" is done.
 * Without Recover on the card, "reconnect the enclosure" and "if it stays dead, recover it"
 * would be two ways of saying reconnect: they become one step, where the first of them stood.
 */
export function windowSteps(
  steps: readonly string[],
  card: CardNow = { recoverOffered: true, appsListed: true },
): string[] {
  const { recoverOffered } = card;
  if (!card.appsListed) steps = steps.filter((t) => !CLOSE_CLIENTS.test(t));
  if (card.reconnected === true) steps = steps.filter((t) => !RECONNECT.test(t));
  const merge =
    !recoverOffered && steps.some((t) => RESCAN.test(t)) && steps.some((t) => RECONNECT.test(t));
  if (!merge) return steps.map((t) => windowAdvice(t, recoverOffered));
  const out: string[] = [];
  for (const t of steps) {
    if (RESCAN.test(t) || RECONNECT.test(t)) {
      if (!out.includes(RECONNECT_NOW)) out.push(RECONNECT_NOW);
    } else out.push(windowAdvice(t, recoverOffered));
  }
  return out;
}

// Compositor snippets for a desktop eGPU Guard could not name carry a lower-case stand-in for
// the compositor's name (main/actions/compositor/advice.ts); the window says it plainly.
const PLACEHOLDER = 'your wlroots compositor';

/** Compositor advice text without stand-in names, as a sentence (capital first letter). */
export const compositorWords = (text: string): string => upperFirst(compositorPhrase(text));

/** The same inside a sentence ("In the script or profile that starts the compositor …:"). */
export function compositorPhrase(text: string): string {
  return text
    .replace(
      /\s*\(e\.g\. ([^,()]+), before `exec your wlroots compositor`\)/,
      ' (e.g. $1, before the line that starts it)',
    )
    .replace(new RegExp(`^${PLACEHOLDER}:`), 'Other wlroots compositors (river, labwc, Wayfire …):')
    .replaceAll(`exec ${PLACEHOLDER}`, 'exec the compositor')
    .replaceAll(PLACEHOLDER, 'the compositor');
}

// Event sources in words: what each one is, and what still works when it does not.
const KERNEL_WORDS = {
  what: 'Kernel messages',
  without: 'driver errors (such as a GPU falling off the bus) are not seen',
};

const SOURCE_WORDS: Readonly<Record<string, { readonly what: string; readonly without: string }>> =
  {
    bolt: {
      what: 'Thunderbolt (bolt)',
      without: 'plugging is still seen through udev',
    },
    udev: {
      what: 'Device events (udev)',
      without: 'plugging and unplugging may be noticed late',
    },
    // The core's kernel source (main/sources/kernel-log-source.ts), and the followers a replay
    // (--journal-file, --kernel-log) uses on their own: the same thing to a reader.
    'kernel-log': KERNEL_WORDS,
    journal: KERNEL_WORDS,
    kmsg: KERNEL_WORDS,
    'text-log': KERNEL_WORDS,
    logind: {
      what: 'Sleep and sessions (logind)',
      without: 'no warning before the computer sleeps with an eGPU in use',
    },
    switcheroo: {
      what: 'GPU switching (switcheroo-control)',
      without: 'ejecting works without it',
    },
  };

const STATE_WORDS: Readonly<Record<string, string>> = {
  running: 'working',
  ok: 'working',
  starting: 'starting',
  degraded: 'working, with gaps',
  restarting: 'restarting',
  stopped: 'stopped',
  unavailable: 'not running',
};

export const sourceWorks = (s: SourceHealth): boolean =>
  s.state === 'running' || s.state === 'ok' || s.state === 'starting';

/**
 * One event source in a line: "Thunderbolt (bolt): not running — plugging is still seen through
 * udev"; a working one says how it reads ("Kernel messages: working (journal)").
 */
export function sourceLine(s: SourceHealth): string {
  const known = SOURCE_WORDS[s.name];
  const what = known?.what ?? upperFirst(s.name);
  const state = STATE_WORDS[s.state] ?? s.state;
  if (sourceWorks(s)) return `${what}: ${state}${s.via === undefined ? '' : ` (${s.via})`}`;
  if (s.state === 'degraded') return `${what}: ${state}`;
  return known === undefined ? `${what}: ${state}` : `${what}: ${state} — ${known.without}`;
}

/** The collapsed row's words: "all working", or how many are not. */
export function sourcesSummary(sources: readonly SourceHealth[]): string {
  const bad = sources.filter((s) => !sourceWorks(s)).length;
  if (bad === 0) return 'all working';
  return `${bad} of ${sources.length} not working`;
}

const RECOVER_WORDS: Partial<Record<StepId, string>> = {
  authorize: 'authorizes the Thunderbolt enclosure',
  remove: 'takes the GPU off the bus',
  rescan: 'looks for the GPU on the PCI bus',
  bind: 'attaches its driver',
  'reload-modules': 'loads its driver',
  verify: 'checks that it answers',
};

/**
 * The plan in one plain sentence, before any technical step: "Close ollama, then eGPU Guard
 * releases the GPU and tells you when to unplug the Razer Core X." `unplug` names what to pull.
 * Null when nothing can run (the blockers say why).
 */
export function planSentence(plan: ActionPlan, unplug: string): string | null {
  if (plan.steps.length === 0 || plan.blockers.some((b) => !b.closable)) return null;
  if (plan.action === 'eject') {
    const apps = [
      ...new Set([
        ...plan.blockers.filter((b) => b.closable).map((b) => b.comm ?? `pid ${b.pid ?? '?'}`),
        ...plan.steps
          .filter((s) => s.step === 'close-app')
          .map((s) => s.comm ?? `pid ${s.pid ?? '?'}`),
      ]),
    ];
    const rest = `eGPU Guard releases the GPU and tells you when to unplug ${unplug}.`;
    // "eGPU Guard" keeps its lower-case e at the start of a sentence.
    return apps.length === 0 ? rest : `Close ${listWords(apps)}, then ${rest}`;
  }
  const what = [
    ...new Set(plan.steps.map((s) => RECOVER_WORDS[s.step]).filter((x) => x !== undefined)),
  ];
  return what.length === 0 ? 'eGPU Guard brings the GPU back.' : `eGPU Guard ${listWords(what)}.`;
}
