// The classification rules, in precedence order (first match wins), following
// fixtures/logcorpus/LABELING.md. Each rule names the literal keywords without which it cannot
// match; classify.ts runs a rule only when one of them is in the text, and keywords.ts derives
// the fast scanner's keyword list from these — so the fast path finds every event by
// construction. Message shapes: the code that prints them (NVIDIA nv-pci.c, kernel_rc.c;
// amdgpu; i915/xe; drivers/pci/pcie/aer.c, dpc.c, hotplug/pciehp_*.c, pci.c, probe.c;
// thunderbolt/switch.c). Every quantifier is bounded: a hostile 1 MB message costs linear time.

import type {
  AerSeverity,
  KernelEvent,
  KernelEventKind,
  ResetOutcome,
} from '../common/kernel-events.js';
import { addressToken, gpuAddressIn, normalizeBdf } from './bdf.js';

/** What a rule finds: the event without its text (classify.ts adds the record's text). */
export type Found = Omit<KernelEvent, 'text'>;

export type RuleContext = {
  readonly text: string;
  /** The device of the dev_printk prefix, if the message has one. */
  readonly bdf: string | null;
  /** Printed by a GPU driver (LABELING §2.4: gpu-* and display kinds only for GPU drivers). */
  readonly gpu: boolean;
};

export type Rule = {
  /** Literal, case-sensitive, ASCII, at least MIN_KEYWORD_LENGTH long; one must be present. */
  readonly keys: readonly string[];
  /** Only for records printed by a GPU driver. */
  readonly gpuOnly?: boolean;
  readonly match: (c: RuleContext) => Found | null;
};

const test =
  (re: RegExp, found: (c: RuleContext) => Found) =>
  (c: RuleContext): Found | null =>
    re.test(c.text) ? found(c) : null;

const reset = (outcome: ResetOutcome) => (c: RuleContext) => ({
  kind: 'gpu-reset' as const,
  bdf: c.bdf,
  outcome,
});
const kind = (k: KernelEventKind) => (c: RuleContext) => ({ kind: k, bdf: c.bdf });

/** `NVRM: Xid (PCI:dddd:bb:dd[ GPU-I:nn[ GPU-CI:nn]]): N, …`; very old drivers omit `PCI:`. */
const XID =
  /NVRM: Xid \((?:PCI:)?([0-9a-fA-F]{4,5}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\.[0-7])?)[^)\n]{0,64}\):\s{0,4}(\d{1,6})/;
/**
 * NVRM assertion reports quote error names ("GPU lost from the bus"); never events
 * (LABELING.md §4).
 */
const NV_ASSERT = /Assertion failed|Check failed|nvAssert|nvCheck/;
const NV_REMOVE_BUSY = /Attempting to remove (minor )?device (\S{1,64}) with non-zero usage count/;
/** aer.c: "Corrected"/"Uncorrected (…)"; newer kernels say "Correctable"/"Uncorrectable (…)". */
const AER =
  /PCIe Bus Error: severity=(Correct(?:ed|able)|Uncorrect(?:ed|able) \(Non-Fatal\)|Uncorrect(?:ed|able) \(Fatal\))?/;
const NOT_READY = /\bnot ready \d{1,9}ms after ([^;\n]{1,40}); giving up/;
const LIBVIRT_HEADER = /Unknown PCI header type '127'(?: for device '([^'\n]{1,32})')?/;
const TB = /^thunderbolt ([^\s:]{1,32}): (new device found, vendor=|device disconnected\b)/;
/** nvidia-drm logs every error as DRM_ERROR("[nvidia-drm] [GPU ID 0x…] …"); only display ones. */
const NV_DRM_DISPLAY =
  /flip|modeset|mode set|plane|head|crtc|semaphore|fence|commit|display|cursor|layer|vblank/i;

const aerSeverity = (s: string | undefined): AerSeverity | undefined =>
  s === undefined
    ? undefined
    : s.startsWith('Correct')
      ? 'corrected'
      : s.endsWith('(Fatal)')
        ? 'fatal'
        : 'nonfatal';

export const RULES: readonly Rule[] = [
  // --- NVIDIA ------------------------------------------------------------------------------
  {
    keys: ['NVRM: Xid ('],
    match(c) {
      const m = XID.exec(c.text);
      if (!m) return null;
      const xid = Number(m[2]);
      return { kind: xid === 79 ? 'gpu-fell-off-bus' : 'gpu-xid', bdf: normalizeBdf(m[1]!), xid };
    },
  },
  {
    // NVRM `GPU at <bdf> has fallen off the bus`, `GPU <bdf>: GPU has fallen off the bus`, the
    // multi-line probe message `The NVIDIA GPU <bdf> … fallen off the bus`; "GPU is lost".
    keys: ['fallen off the bus', 'GPU is lost'],
    match(c) {
      if (NV_ASSERT.test(c.text)) return null;
      const fallen = c.text.includes('fallen off the bus') && /GPU|NVRM/.test(c.text);
      if (!fallen && !/\bGPU is lost\b/.test(c.text)) return null;
      return { kind: 'gpu-fell-off-bus', bdf: c.bdf ?? gpuAddressIn(c.text) };
    },
  },
  {
    // nv-pci.c: the driver then loops until /dev/nvidia* is closed.
    keys: ['non-zero usage count'],
    match(c) {
      const m = NV_REMOVE_BUSY.exec(c.text);
      if (!m) return null;
      const bdf = m[1] === undefined ? addressToken(m[2]!) : null;
      return { kind: 'driver-remove-blocked', bdf: c.bdf ?? bdf };
    },
  },
  // --- amdgpu, i915, xe, DRM ---------------------------------------------------------------
  {
    keys: ['device lost from bus'],
    match: test(/\bdevice lost from bus\b/, kind('gpu-fell-off-bus')),
  },
  { keys: ['GPU reset begin!'], gpuOnly: true, match: test(/\bGPU reset begin!/, reset('begin')) },
  {
    keys: [' ring reset'],
    gpuOnly: true,
    match: test(/\bStarting \S{1,64} ring reset\b/, reset('begin')),
  },
  // i915 intel_reset.c: "Resetting chip for <reason>", "Resetting <engine> for <reason>"
  {
    keys: ['Resetting '],
    gpuOnly: true,
    match: test(/\bResetting (?:chip|\S{1,32}) for\b/, reset('begin')),
  },
  {
    keys: ['reset succeeded'],
    gpuOnly: true,
    match: test(/\bGPU reset succeeded\b|\bRing \S{1,64} reset succeeded\b/, reset('success')),
  },
  {
    keys: ['through reset'],
    gpuOnly: true,
    match: test(/\bdevice wedged, but recovered through reset\b/, reset('success')),
  },
  {
    keys: ['GPU reset('],
    gpuOnly: true,
    match(c) {
      const m = /\bGPU reset\(\d{1,10}\) (succeeded|failed)\b/.exec(c.text);
      return m ? reset(m[1] === 'failed' ? 'failure' : 'success')(c) : null;
    },
  },
  {
    keys: ['GPU reset end with ret'],
    gpuOnly: true,
    match(c) {
      const m = /\bGPU reset end with ret = (-?\d{1,10})\b/.exec(c.text);
      return m ? reset(Number(m[1]) === 0 ? 'success' : 'failure')(c) : null;
    },
  },
  {
    keys: [' reset failed'],
    gpuOnly: true,
    match: test(
      /\bRing \S{1,64} reset failed\b|\bASIC reset failed with error\b|\bGuC: Engine reset failed\b/,
      reset('failure'),
    ),
  },
  {
    keys: ['GPU Recovery Failed'],
    gpuOnly: true,
    match: test(/\bGPU Recovery Failed\b/, reset('failure')),
  },
  {
    keys: ['reset request timed out'],
    gpuOnly: true,
    match: test(/\breset request timed out\b/, reset('failure')),
  },
  {
    keys: ['Failed to reset chip'],
    gpuOnly: true,
    match: test(/\bFailed to reset chip\b/, reset('failure')),
  },
  // amdgpu_job_timedout; i915_gpu_error.c; NVIDIA GSP (not an Xid); AMD's firmware scheduler
  {
    keys: ['timeout, signaled seq='],
    gpuOnly: true,
    match: test(/\bring \S{1,64} timeout, signaled seq=\d/, kind('gpu-hang')),
  },
  { keys: ['GPU HANG: ecode'], gpuOnly: true, match: test(/\bGPU HANG: ecode/, kind('gpu-hang')) },
  {
    keys: ['eartbeat timed out'],
    gpuOnly: true,
    match: test(/(?:\b_kgsp\w{1,64}|\bGSP\b)[^\n]{0,128}?eartbeat timed out/, kind('gpu-hang')),
  },
  {
    keys: ['failed to respon'],
    gpuOnly: true,
    match: test(/\bMES(?:\(\d{1,3}\))? failed to respon(?:d to|se) msg=/, kind('gpu-hang')),
  },
  { keys: ['nvidia-modeset: ERROR:'], gpuOnly: true, match: kind('display-engine-error') },
  {
    keys: ['flip_done timed out', 'commit wait timed out', 'Waiting for fences timed out'],
    gpuOnly: true,
    match: kind('display-engine-error'), // drm_atomic_helper.c; amdgpu_dm_commit_planes
  },
  {
    keys: ['*ERROR* [nvidia-drm]'],
    gpuOnly: true,
    match: test(NV_DRM_DISPLAY, kind('display-engine-error')),
  },
  // --- PCI core, AER, DPC, pciehp ----------------------------------------------------------
  {
    // pci.c: the config-space wording wins over the power-state one (LABELING pci-config-dead).
    keys: ['change power state'],
    match: (c) =>
      /change power state[^\n]{0,48}?(?:config space|device) inaccessible/.test(c.text)
        ? { kind: 'pci-config-dead', bdf: c.bdf }
        : /\bRefused to change power state\b/.test(c.text)
          ? { kind: 'power-state-stuck', bdf: c.bdf }
          : null,
  },
  {
    keys: ['header type '],
    match(c) {
      if (/\bunknown header type 7f\b/.test(c.text)) return { kind: 'pci-config-dead', bdf: c.bdf };
      const m = LIBVIRT_HEADER.exec(c.text); // libvirt, not the kernel (LABELING)
      if (!m) return null;
      return {
        kind: 'pci-config-dead',
        bdf: c.bdf ?? (m[1] === undefined ? null : addressToken(m[1])),
      };
    },
  },
  {
    // Not `; giving up`: a mail client may wrap the record right before it (log-reader.ts).
    keys: ['not ready '],
    match(c) {
      const m = NOT_READY.exec(c.text);
      return m && /resume|D[0-3]/.test(m[1]!) ? { kind: 'power-state-stuck', bdf: c.bdf } : null;
    },
  },
  {
    // The key stops before `severity=`: a mail client may wrap the record there (log-reader.ts).
    keys: ['PCIe Bus Error:'],
    match(c) {
      const m = AER.exec(c.text);
      if (!m) return null;
      const severity = aerSeverity(m[1]);
      return severity === undefined
        ? { kind: 'pcie-aer', bdf: c.bdf }
        : { kind: 'pcie-aer', bdf: c.bdf, severity };
    },
  },
  {
    // pciehp_ctrl.c; "Link Down/Up ignored (recovered by DPC)" echoes the DPC event, not a loss.
    keys: ['): Link Down', 'Card not present', 'DPC: containment event'],
    match: test(
      /\b[Ss]lot\([^)\n]{1,32}\): (?:Link Down\b(?!\/Up ignored)|Card not present\b)|\bCard not present on Slot\(|\bDPC: containment event\b/,
      kind('pcie-link-down'),
    ),
  },
  // pciDriver blocks remove the same way NVIDIA does.
  {
    keys: ['wait_for_clients: waiting'],
    match: test(/\bwait_for_clients: waiting for completion/, kind('driver-remove-blocked')),
  },
  // --- Thunderbolt -------------------------------------------------------------------------
  {
    keys: ['new device found, vendor=', ': device disconnected'],
    match(c) {
      const m = TB.exec(c.text);
      if (!m) return null;
      const k = m[2]!.startsWith('new') ? 'tb-connected' : 'tb-disconnected';
      return { kind: k, bdf: null, router: m[1]! };
    },
  },
];
