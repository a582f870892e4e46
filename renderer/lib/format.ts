// Pure formatters: PCIe links, times, durations. No DOM, no locale objects (Intl is avoided so
// tests are stable everywhere; the window shows times in the user's 24-hour clock).

import type { GpuLink, LinkState } from '../../main/common/inventory-model.js';
import { linkFault, linkPathWords } from '../../main/common/link-words.js';

/** PCIe generation by transfer rate (PCI Express Base Specification, per-lane GT/s). */
const GENERATIONS: readonly (readonly [number, string])[] = [
  [2.5, '1.0'],
  [5, '2.0'],
  [8, '3.0'],
  [16, '4.0'],
  [32, '5.0'],
  [64, '6.0'],
];

export function formatLinkState(state: LinkState | null): string | null {
  if (state === null || (state.speed === null && state.width === null)) return null;
  const gen = GENERATIONS.find(([speed]) => speed === state.speed)?.[1];
  const speed = state.speed === null ? '? GT/s' : `${state.speed} GT/s`;
  const width = state.width === null ? 'x?' : `x${state.width}`;
  return gen === undefined ? `${speed} ${width}` : `PCIe ${gen} ${width} (${speed})`;
}

export type LinkSummary = {
  readonly text: string;
  /** Set only for a real fault: a link narrower than both its ends, or a slower part in the path. */
  readonly warning: string | null;
};

/**
 * The link in the words `egpu status` uses (main/common/link-words.ts): the path's narrowest link
 * first and how it runs now — a lower speed while idle is said, never warned about.
 */
export function summarizeLink(link: GpuLink, external = true): LinkSummary {
  const fault = linkFault(link);
  return {
    text: linkPathWords(link, external),
    warning:
      fault === null
        ? null
        : `Degraded link: ${fault}. Check the cable and port (a slower or longer cable, or a USB-C port without Thunderbolt, limits it).`,
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function formatClock(at: number): string {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "just now", "5 min ago", "2 h ago", then the date. */
export function formatAgo(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
