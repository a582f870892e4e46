// The things eGPU Guard tells people to do, as a small vocabulary. Explanations name steps
// instead of carrying free text, so an incident with several events (Xid 79, then "fallen off
// the bus", then a blocked remove) gives one short, ordered, de-duplicated "what to do next".
// The order of STEPS is the order in which they are shown. stepText(step, bdf) puts the device's
// PCI address into commands that take one; STEP_TEXT is the text without an address.

export const STEPS = [
  'reboot-now',
  'close-clients',
  'eject-next-time',
  'check-link',
  'check-link-if-unplanned',
  'reconnect',
  'rescan',
  'reset-gpu',
  'wait-reset',
  'restart-app',
  'restart-display',
  'runtime-pm',
  'update-driver',
  'memory-failing',
  'check-authorized',
  'check-link-if-repeats',
  'check-link-on-repeat',
  'look-around',
] as const;

export type Step = (typeof STEPS)[number];

const LINK =
  'reseat or replace the Thunderbolt/USB4 cable (short, certified), plug the enclosure straight into the computer rather than a dock or hub, and make sure the enclosure has power.';

/** `<address>` stands for ' <bdf>' when the device is known, nothing otherwise. */
const TEMPLATES: Readonly<Record<Step, string>> = {
  'reboot-now': 'Save your work and reboot: the GPU cannot recover without a restart.',
  'close-clients':
    'Run `egpu clients` and close every program still using the GPU (games, browsers, compositors, CUDA jobs, nvidia-persistenced): the driver waits until they are gone.',
  'eject-next-time':
    'Next time, run `egpu eject` before unplugging: it shows the programs using the GPU and releases it cleanly.',
  'check-link': `Check the connection: ${LINK}`,
  'check-link-if-unplanned': `If you did not unplug it, check the connection: ${LINK}`,
  reconnect:
    'Reconnect the enclosure and run `egpu status` to see whether the GPU is back; if it is not, `egpu recover --yes` brings it up. Reboot only if that fails.',
  rescan:
    'If the device stays dead, `egpu recover<address> --dry-run` shows how eGPU Guard would bring it back (authorize the enclosure, rescan PCI, rebind or reload the driver where needed); run it with --yes, or reboot.',
  'reset-gpu':
    'Reset the GPU: close the programs using it, eject it (`egpu eject`) and replug the enclosure, or reboot.',
  'wait-reset': 'Wait a few seconds for the driver to finish resetting the GPU.',
  'restart-app':
    'Restart the program that was using the GPU; if the same program keeps causing this, update it or the driver.',
  'restart-display':
    'Re-plug the monitor, or switch to a text console (Ctrl+Alt+F3) and back; log out and in if the screen stays frozen.',
  'runtime-pm':
    'If it repeats, keep the enclosure’s ports awake (their power/control set to "on") or update the enclosure or dock firmware.',
  'update-driver': 'If it repeats, update the kernel and the GPU driver.',
  'memory-failing':
    'Memory errors are rare on consumer cards; if they repeat, the card may be failing.',
  'check-authorized':
    'If the GPU behind it does not appear, check that the device is authorized (boltctl list).',
  'check-link-if-repeats': `Nothing to do if this is rare. If it repeats: ${LINK}`,
  // check-link-if-repeats without its "nothing to do", next to a step that asks for action now.
  'check-link-on-repeat': `If it repeats, check the connection: ${LINK}`,
  'look-around': 'Nothing to do by itself; look at the errors logged just before it.',
};

/** Steps that ask for something to be done now (the others are "if it repeats" or "nothing"). */
const ACT_NOW: ReadonlySet<Step> = new Set<Step>([
  'reboot-now',
  'close-clients',
  'check-link',
  'check-link-if-unplanned',
  'reconnect',
  'rescan',
  'reset-gpu',
  'wait-reset',
  'restart-app',
  'restart-display',
]);

/**
 * Steps in display order, each once, without contradictions: when one event asks for action
 * now (reset the GPU) and another says there is nothing to do, the stronger advice stands. The
 * "nothing to do" steps are dropped, and "nothing to do if rare; if it repeats, check the
 * cable" keeps its cable advice ("if it repeats, check the connection") unless a link check is
 * already asked for.
 */
export function orderSteps(steps: Iterable<Step>): Step[] {
  const set = new Set(steps);
  if ([...set].some((s) => ACT_NOW.has(s))) {
    set.delete('look-around');
    if (set.delete('check-link-if-repeats') && !set.has('check-link')) {
      if (!set.has('check-link-if-unplanned')) set.add('check-link-on-repeat');
    }
  }
  return STEPS.filter((s) => set.has(s));
}

/**
 * The steps for a device that is neither a GPU nor on a GPU's path — an SD card reader, a network
 * card (`sdhci-pci …`, `r8169 …`): the same failures happen to them, but an enclosure, a GPU and
 * `egpu recover` are not theirs. null: the step does not apply to such a device.
 */
const OTHER_DEVICE: Readonly<Partial<Record<Step, string | null>>> = {
  'close-clients': null,
  'eject-next-time': null,
  rescan: null,
  'check-authorized': null,
  reconnect:
    'If this device is in a dock or an external enclosure, reconnect it; otherwise a reboot brings it back.',
  'check-link': `If this device is in a dock or an external enclosure, check the connection: ${LINK}`,
  'check-link-if-unplanned': `If this device is in a dock or an external enclosure and you did not unplug it, check the connection: ${LINK}`,
  'check-link-if-repeats': `Nothing to do if this is rare. If it repeats and the device is in a dock or an external enclosure: ${LINK}`,
  'check-link-on-repeat': `If it repeats and the device is in a dock or an external enclosure, check the connection: ${LINK}`,
  'runtime-pm':
    'If it repeats, keep the device awake (its power/control set to "on") or update the firmware of the computer or the dock it sits in.',
};

/** A step's text for a device that is neither a GPU nor on a GPU's path; null: not for it. */
export const otherDeviceStepText = (step: Step): string | null =>
  step in OTHER_DEVICE ? (OTHER_DEVICE[step] ?? null) : TEMPLATES[step];

/** A step's text for a device (or for none: the address is then left out). */
export const stepText = (step: Step, bdf: string | null = null): string =>
  TEMPLATES[step].replaceAll('<address>', bdf === null ? '' : ` ${bdf}`);

/** Each step's text without a device address. */
export const STEP_TEXT: Readonly<Record<Step, string>> = Object.fromEntries(
  STEPS.map((s) => [s, stepText(s)]),
) as Record<Step, string>;

/** One paragraph of advice for a single event (a notification, a tooltip). */
export const adviceText = (steps: readonly Step[], bdf: string | null = null): string =>
  orderSteps(steps)
    .map((s) => stepText(s, bdf))
    .join(' ');
