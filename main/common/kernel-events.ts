// The fixed vocabulary of kernel-log events (main/diagnose/fixtures/logcorpus/LABELING.md)
// shared by `egpu explain`, the live journal source, the state machine and the UI.

export const KERNEL_EVENT_KINDS = [
  'gpu-fell-off-bus',
  'gpu-xid',
  'gpu-hang',
  'gpu-reset',
  'driver-remove-blocked',
  'pcie-aer',
  'pcie-link-down',
  'pci-config-dead',
  'power-state-stuck',
  'tb-disconnected',
  'tb-connected',
  'display-engine-error',
] as const;

export type KernelEventKind = (typeof KERNEL_EVENT_KINDS)[number];

export type AerSeverity = 'corrected' | 'nonfatal' | 'fatal';
export type ResetOutcome = 'begin' | 'success' | 'failure';

/** One classified kernel-log record. `bdf` comes only from the record's own text. */
export type KernelEvent = {
  readonly kind: KernelEventKind;
  /** dddd:bb:dd.f, lowercase; null when the record names no PCI address. */
  readonly bdf: string | null;
  readonly xid?: number;
  readonly severity?: AerSeverity;
  readonly outcome?: ResetOutcome;
  /** Thunderbolt router name ('0-1') for tb-* events. */
  readonly router?: string;
  /** The record's message text (first line; continuation lines joined with '\n'). */
  readonly text: string;
};
