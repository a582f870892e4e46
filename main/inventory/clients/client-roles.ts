// What a GPU client is, from its name and what it holds. Pure. The role decides how an eject
// treats it: a compositor or X server cannot simply be closed; a compute job must finish first.

import type { ClientRole } from '../../common/clients-model.js';

const COMPOSITORS = new Set([
  'gnome-shell',
  'mutter',
  'kwin_wayland',
  'kwin_x11',
  'kwin',
  'kwin_wayland_wrapper',
  'sway',
  'hyprland',
  'weston',
  'labwc',
  'cosmic-comp',
  'wayfire',
  'river',
  'niri',
  'gamescope',
  'cinnamon',
  'muffin',
  'budgie-wm',
  'marco',
  'xfwm4',
  'picom',
  'compton',
  'enlightenment',
  'cage',
  'kiwmi',
  'dwl',
  'hikari',
  'phoc',
  'miracle-wm',
]);
const X_SERVERS = new Set(['xorg', 'x', 'xorg.bin', 'xorg.wrap', 'xvfb', 'xephyr']);
const DISPLAY_MANAGERS = new Set([
  'gdm',
  'gdm3',
  'gdm-wayland-session',
  'gdm-x-session',
  'sddm',
  'sddm-greeter',
  'sddm-greeter-qt6',
  'sddm-helper',
  'lightdm',
  'lightdm-gtk-greeter',
  'slick-greeter',
  'greetd',
  'gtkgreet',
  'regreet',
  'lxdm',
  'ly',
  'cosmic-greeter',
  'plasma-login',
]);
const COMPUTE = new Set([
  'ollama',
  'ollama_llama_server',
  'llama-server',
  'llama-cli',
  'vllm',
  'tritonserver',
  'hashcat',
  'koboldcpp',
  'comfyui',
  'nvidia-cuda-mps-server',
  'fahcore',
  'boinc',
  'xmrig',
  'ethminer',
  't-rex',
  'lolminer',
  'nbminer',
]);
const BROWSERS = new Set([
  'firefox',
  'firefox-esr',
  'firefox-bin',
  'librewolf',
  'waterfox',
  'floorp',
  'zen',
  'chrome',
  'chromium',
  'chromium-browser',
  'google-chrome',
  'brave',
  'brave-browser',
  'msedge',
  'microsoft-edge',
  'vivaldi',
  'vivaldi-bin',
  'opera',
  'epiphany',
  'webkitwebprocess',
  'webkitwebproces',
  'falkon',
  'qutebrowser',
  'isolated web co',
  'web content',
  'gpu process',
  'rdd process',
  'utility process',
  'thorium',
  'yandex_browser',
]);

/** comm or argv[0] reduced to a comparable program name: basename, lowercase, no wrappers. */
export function programName(text: string): string {
  const base = text.split('/').pop() ?? text;
  return base
    .replace(/^\./, '') // NixOS wrappers: .kwin_wayland-wrapped
    .replace(/-wrapped$/, '')
    .toLowerCase()
    .trim();
}

export type RoleFacts = {
  readonly comm: string;
  readonly argv0: string;
  /** Holds a compute-only node: /dev/nvidia-uvm or /dev/kfd. */
  readonly holdsComputeNode: boolean;
};

export function classifyRole(facts: RoleFacts): ClientRole {
  const names = [programName(facts.comm), programName(facts.argv0)].filter((n) => n !== '');
  const any = (set: ReadonlySet<string>): boolean => names.some((n) => set.has(n));
  if (names.includes('xwayland')) return 'xwayland';
  if (any(X_SERVERS)) return 'x-server';
  if (any(COMPOSITORS)) return 'compositor';
  if (any(DISPLAY_MANAGERS)) return 'display-manager';
  if (facts.holdsComputeNode || any(COMPUTE)) return 'compute';
  if (any(BROWSERS)) return 'browser';
  return 'other';
}
