// The configuration that keeps a compositor or X off the eGPU next time, as exact text to copy
// (mutter src/backends/meta-udev.c, wlroots docs/env_vars.md, aquamarine docs/env.md, xorg.conf(5)
// BusID). Pure. Facts behind the choices:
// - mutter reads the udev tag `mutter-device-ignore` on the DRM card, and only when it adds a GPU;
//   60-drm.rules imports ID_PATH, so a 61-*.rules file can match on it.
// - KWIN_DRM_DEVICES, WLR_DRM_DEVICES and AQ_DRM_DEVICES are colon-separated lists, first entry
//   primary: /dev/dri/by-path/pci-0000:…-card names contain colons and cannot be used. cardN
//   numbers can change between boots (an eGPU attached at boot may be probed first), so a
//   colon-free udev SYMLINK for each internal GPU is the stable name.
// - Xorg's BusID is decimal: PCI:<bus>@<domain>:<device>:<function>.

import type { ConfigSnippet } from '../../common/actions-model.js';
import { BugError } from '../../common/errors.js';
import type { DisplayGpu } from './gpu-roles.js';

export const UDEV_RELOAD =
  '`sudo udevadm control --reload-rules && sudo udevadm trigger --subsystem-match=drm`';

/** `0000:0a:00.0` → `PCI:10@0:0:0` (every field decimal, Xorg's format). */
export function xorgBusId(bdf: string): string {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(bdf);
  if (!m) throw new BugError(`not a PCI address: ${bdf}`);
  const [bus, domain, dev, fn] = [m[2]!, m[1]!, m[3]!, m[4]!].map((h) => parseInt(h, 16));
  return `PCI:${bus}@${domain}:${dev}:${fn}`;
}

/** The colon-free name the SYMLINK rule gives the n-th internal GPU. */
export const stableName = (n: number): string => `/dev/dri/egpu-guard-internal${n}`;

const internalWithCards = (internal: readonly DisplayGpu[]): DisplayGpu[] =>
  internal.filter((g) => g.card !== null);

/** A DRM device list: never an entry with a colon in it (it would split the entry). */
export function drmList(paths: readonly string[]): string {
  for (const p of paths) if (p.includes(':')) throw new BugError(`colon in a DRM list entry: ${p}`);
  return paths.join(':');
}

export function symlinkRule(internal: readonly DisplayGpu[]): ConfigSnippet | null {
  const gpus = internalWithCards(internal);
  if (gpus.length === 0) return null;
  const lines = [
    '# Colon-free names for the internal GPUs, for KWIN_DRM_DEVICES, WLR_DRM_DEVICES and',
    '# AQ_DRM_DEVICES (colon-separated lists: /dev/dri/by-path names cannot be used in them).',
    ...gpus.flatMap((g, i) => [
      `# ${g.name} (${g.bdf}, now ${g.card})`,
      `SUBSYSTEM=="drm", KERNEL=="card[0-9]*", ENV{ID_PATH}=="${g.idPath}", SYMLINK+="${stableName(i).slice('/dev/'.length)}"`,
    ]),
  ];
  return {
    title: 'Stable names for the internal GPUs (udev symlinks without colons)',
    path: '/etc/udev/rules.d/61-egpu-guard-drm-names.rules',
    text: lines.join('\n') + '\n',
    apply: `${UDEV_RELOAD}; then \`ls -l ${stableName(0)}\` shows the link.`,
  };
}

/** The value of a DRM device list: stable names, internal GPUs only, boot display first. */
function listValues(internal: readonly DisplayGpu[]): { stable: string; cards: string } | null {
  const gpus = internalWithCards(internal);
  if (gpus.length === 0) return null;
  return {
    stable: drmList(gpus.map((_, i) => stableName(i))),
    cards: drmList(gpus.map((g) => g.card!)),
  };
}

const cardsNote = (cards: string): string =>
  `Without the symlink rule, use ${cards} instead (card numbers can change between boots, e.g. when the eGPU is attached at boot).`;

export function kwinEnvSnippet(internal: readonly DisplayGpu[]): ConfigSnippet | null {
  const v = listValues(internal);
  if (v === null) return null;
  return {
    title: 'KWin: use only the internal GPU (KWIN_DRM_DEVICES, first entry is primary)',
    path: '~/.config/plasma-workspace/env/egpu-guard-kwin.sh',
    text:
      [
        '# Sourced by startplasma before KWin starts. KWin opens only the listed GPUs.',
        `export KWIN_DRM_DEVICES=${v.stable}`,
      ].join('\n') + '\n',
    apply: `Log out and back in: KWin reads the list only when it starts. ${cardsNote(v.cards)} For every user: \`KWIN_DRM_DEVICES=${v.stable}\` in /etc/environment.d/90-egpu-guard.conf.`,
  };
}

export function wlrEnvSnippet(
  internal: readonly DisplayGpu[],
  compositor: string,
): ConfigSnippet | null {
  const v = listValues(internal);
  if (v === null) return null;
  return {
    title: `${compositor}: use only the internal GPU (WLR_DRM_DEVICES, first entry is primary)`,
    path: `the script or profile that starts ${compositor} (e.g. ~/.profile, before \`exec ${compositor}\`)`,
    text: `export WLR_DRM_DEVICES=${v.stable}\n`,
    apply: `${compositor} reads it only when it starts: exit ${compositor} and start it again. ${cardsNote(v.cards)} With a display manager, set it in the session's launch script or as \`WLR_DRM_DEVICES=${v.stable}\` in ~/.config/environment.d/90-egpu-guard.conf.`,
  };
}

export function aquamarineSnippet(internal: readonly DisplayGpu[]): ConfigSnippet | null {
  const v = listValues(internal);
  if (v === null) return null;
  return {
    title: 'Hyprland: use only the internal GPU (AQ_DRM_DEVICES, first entry is primary)',
    path: '~/.config/hypr/hyprland.conf',
    text: `env = AQ_DRM_DEVICES,${v.stable}\n`,
    apply: `Hyprland reads it only when it starts: exit Hyprland (\`hyprctl dispatch exit\`) and start it again. ${cardsNote(v.cards)} Hyprland before 0.42 (wlroots) reads WLR_DRM_DEVICES instead.`,
  };
}

/**
 * mutter-device-ignore, two ways. By ID_PATH: exactly this eGPU at this address, but the address
 * changes when it is plugged into another port or dock. By `removable`: any GPU behind an external
 * port, wherever it is plugged, but also any other DRM device there (a USB display adapter).
 */
export function mutterSnippets(external: readonly DisplayGpu[]): ConfigSnippet[] {
  const apply = `${UDEV_RELOAD}; then log out and back in — mutter reads the tag only when it adds a GPU (\`udevadm info /dev/dri/cardN | grep TAGS\` shows it). Monitors plugged into an ignored GPU stay dark; never tag the GPU your built-in screen is on. The GDM greeter honours the tag too.`;
  const byPath = external.filter((g) => g.card !== null);
  const out: ConfigSnippet[] = [];
  if (byPath.length > 0) {
    out.push({
      title: 'Mutter: ignore this eGPU, matched by its PCI address (ID_PATH)',
      path: '/etc/udev/rules.d/61-egpu-guard-mutter.rules',
      text:
        [
          '# mutter (GNOME Shell) does not open these GPUs. Exact, but the address changes when',
          '# the enclosure is plugged into another port or dock; then the rule no longer matches.',
          ...byPath.flatMap((g) => [
            `# ${g.name} (${g.bdf})`,
            `SUBSYSTEM=="drm", KERNEL=="card[0-9]*", ENV{ID_PATH}=="${g.idPath}", TAG+="mutter-device-ignore"`,
          ]),
        ].join('\n') + '\n',
      apply,
    });
  }
  out.push({
    title: 'Mutter: ignore every GPU behind an external (removable) port',
    path: '/etc/udev/rules.d/61-egpu-guard-mutter.rules',
    text:
      [
        '# mutter (GNOME Shell) does not open any GPU the kernel marks removable: every eGPU on',
        '# every port. Also matches other DRM devices behind such ports (USB display adapters).',
        'SUBSYSTEM=="drm", KERNEL=="card[0-9]*", ATTRS{removable}=="removable", TAG+="mutter-device-ignore"',
      ].join('\n') + '\n',
    apply: byPath.length > 0 ? `Use this instead of the rule above, not with it. ${apply}` : apply,
  });
  return out;
}

/** The X driver name for a Device section: nvidia for NVIDIA's driver, else modesetting. */
const xDriver = (g: DisplayGpu): string => (g.driver === 'nvidia' ? 'nvidia' : 'modesetting');

export function xorgSnippet(
  internal: readonly DisplayGpu[],
  external: readonly DisplayGpu[],
): ConfigSnippet {
  const primary = internal[0];
  const lines = [
    '# Xorg does not add GPUs that appear while it runs (an eGPU plugged in later).',
    'Section "ServerFlags"',
    '    Option "AutoAddGPU" "false"',
    'EndSection',
  ];
  if (primary !== undefined) {
    lines.push(
      '',
      `# The X screen runs on ${primary.name} (${primary.bdf}); BusID is decimal.`,
      ...external.map((g) => `# (The eGPU ${g.bdf} would be ${xorgBusId(g.bdf)}.)`),
      'Section "Device"',
      '    Identifier "egpu-guard-internal"',
      `    Driver     "${xDriver(primary)}"`,
      `    BusID      "${xorgBusId(primary.bdf)}"`,
      'EndSection',
    );
  }
  return {
    title: 'Xorg: keep the X server on the internal GPU',
    path: '/etc/X11/xorg.conf.d/20-egpu-guard.conf',
    text: lines.join('\n') + '\n',
    apply:
      'Takes effect when the X server starts again: log out and back in (or restart the display manager). The Device section matters when the eGPU is attached while X starts; AutoAddGPU when it is plugged in later.',
  };
}

export function bumblebeeSnippet(gpu: DisplayGpu): ConfigSnippet {
  return {
    title: `Bumblebee: the BusID of ${gpu.name} in decimal`,
    path: '/etc/bumblebee/xorg.conf.nvidia (or xorg.conf.nouveau), in its Device section',
    text: `    BusID "${xorgBusId(gpu.bdf)}"\n`,
    apply:
      'Restart bumblebeed (the restart-bumblebeed action, or `sudo systemctl restart bumblebeed`). lspci prints the address in hex; Xorg wants decimal.',
  };
}
