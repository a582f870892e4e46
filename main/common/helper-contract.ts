// The privileged helper's public contract, shared by the helper itself, the pkexec port
// (main/platform/privileged.ts), the polkit policy test and packaging: where the helper is
// installed, its fixed verbs, the allow-lists and its exit codes. Pure data, no I/O.

/**
 * Where packaging installs the helper. The polkit `org.freedesktop.policykit.exec.path`
 * annotation must equal this path: pkexec realpath()s the program and looks the action up by it
 * (pkexec(1), its example action; polkit's src/programs/pkexec.c).
 */
export const HELPER_INSTALL_PATH = '/usr/libexec/egpu-guard/egpu-guard-helper';

export const PKEXEC_PATH = '/usr/bin/pkexec';

/** Where packaging installs the polkit policy (assets/polkit/io.github.egpuguard.policy). */
export const POLICY_INSTALL_PATH = '/usr/share/polkit-1/actions/io.github.egpuguard.policy';

/** polkit action ids: one per verb, routed by `org.freedesktop.policykit.exec.argv1`. */
export const POLKIT_ACTION_PREFIX = 'io.github.egpuguard.';

export const HELPER_VERBS = [
  'unbind',
  'remove',
  'rescan',
  'bind',
  'tb-authorize',
  'tb-deauthorize',
  'module-unload',
  'module-load',
  'drm-release',
  'restart-unit',
] as const;

export type HelperVerb = (typeof HELPER_VERBS)[number];

/**
 * Verbs whose polkit actions imply one another (`org.freedesktop.policykit.imply`), so that one
 * authentication covers a whole eject, or a whole recovery. Each verb keeps its own action — the
 * dialog names what is being done — but `auth_admin_keep` retains an authorization per action id,
 * so without these an eject (unbind, remove, module-unload, tb-deauthorize) asked for the
 * password four times. polkitd honours an implication one level deep, from an authorization
 * (temporary or from a rule) held for the implying action (polkitbackendinteractiveauthority.c,
 * check_authorization_sync), so mutual implication within a group is safe. restart-unit stands
 * alone: restarting the display manager closes every app and always gets its own question.
 */
export const POLKIT_IMPLY_GROUPS: readonly (readonly HelperVerb[])[] = [
  ['unbind', 'remove', 'module-unload', 'tb-deauthorize', 'drm-release'],
  ['rescan', 'bind', 'module-load', 'tb-authorize'],
  ['restart-unit'],
];

export const isHelperVerb = (value: string): value is HelperVerb =>
  (HELPER_VERBS as readonly string[]).includes(value);

/**
 * Verbs whose kernel write can block for ever (NVIDIA waits for its usage count, amdgpu for its
 * fences; NVIDIA's kernel-open/nvidia/nv-pci.c loops on it): the port runs them under a watchdog.
 */
export const BLOCKING_VERBS: readonly HelperVerb[] = ['unbind', 'remove', 'module-unload'];

/** GPU kernel modules the helper may load or unload — the ones the inventory lists, too. */
export const MODULE_ALLOW_LIST = [
  'nvidia',
  'nvidia_modeset',
  'nvidia_drm',
  'nvidia_uvm',
  'amdgpu',
  'radeon',
  'nouveau',
  'i915',
  'xe',
] as const;

/**
 * PCI drivers `bind` accepts: the GPU drivers among the modules (nvidia_drm, nvidia_modeset and
 * nvidia_uvm are not PCI drivers) plus snd_hda_intel, which drives the GPU's HDMI/DP audio
 * function (class 0x0403) and must be re-bound after a recovery like the display function.
 */
export const GPU_PCI_DRIVERS = ['nvidia', 'amdgpu', 'radeon', 'nouveau', 'i915', 'xe'] as const;
export const AUDIO_PCI_DRIVERS = ['snd_hda_intel'] as const;
export const BIND_DRIVER_ALLOW_LIST: readonly string[] = [...GPU_PCI_DRIVERS, ...AUDIO_PCI_DRIVERS];

/** systemd units `restart-unit` accepts (with or without `.service`). */
export const UNIT_ALLOW_LIST = ['display-manager', 'bumblebeed', 'nvidia-persistenced'] as const;

/** Absolute program paths: the helper never looks anything up in PATH. */
export const MODPROBE_PATH = '/usr/sbin/modprobe';
export const SYSTEMCTL_PATH = '/usr/bin/systemctl';

/**
 * Exit codes. 126 and 127 are pkexec's own (dismissed / not authorized) and never used here;
 * 70 is sysexits' EX_SOFTWARE for a bug inside the helper.
 */
export const HELPER_EXIT = { ok: 0, failed: 1, invalid: 2, internal: 70 } as const;

/**
 * The helper's first stdout line. The port starts the step watchdog only when it sees this line,
 * so the time a person spends in the polkit password dialog never counts as a stuck driver.
 */
export const HELPER_READY_LINE = 'egpu-guard-helper: ready';

/** Test-root mode: the helper appends the argv it would have run here (one JSON array a line). */
export const HELPER_COMMAND_LOG = '/run/egpu-guard/helper-commands.log';
