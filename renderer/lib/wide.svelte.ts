// Whether the window is wide (a desktop window) or popover-sized (the tray's 420 px). Collapsed
// rows start open when wide and closed at tray size, and follow the window across the breakpoint
// (svelte/reactivity MediaQuery: https://svelte.dev/docs/svelte/svelte-reactivity#MediaQuery).
// jsdom has no matchMedia: tests see the tray-size layout.

import { MediaQuery } from 'svelte/reactivity';

export const WIDE_QUERY = '(min-width: 48rem)';

export function wideWindow(): { readonly current: boolean } {
  return typeof window.matchMedia === 'function'
    ? new MediaQuery(WIDE_QUERY, false)
    : { current: false };
}
