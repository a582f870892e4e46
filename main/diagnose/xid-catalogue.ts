// NVIDIA Xid errors in plain words for people with an external GPU. Numbers, mnemonics and
// NVIDIA's resolution buckets: NVIDIA "Xid Catalog" (docs.nvidia.com/deploy/xid-errors),
// open-gpu-kernel-modules src/common/sdk/nvidia/inc/nverror.h; eGPU readings: our own, from
// those two. `needs` is what it takes to get the GPU working again.

import { adviceText, type Step } from './advice-steps.js';

export type XidNeeds = 'nothing' | 'restart-app' | 'reset-gpu' | 'reboot';

/** Why the error matters on an eGPU: sorts incidents and picks the advice. */
export type XidClass = 'device-lost' | 'link' | 'hang' | 'firmware' | 'hardware' | 'app' | 'info';

export type XidInfo = {
  readonly xid: number;
  readonly mnemonic: string | null;
  readonly title: string;
  readonly meaning: string;
  readonly steps: readonly Step[];
  /** The steps as one paragraph. */
  readonly advice: string;
  readonly needs: XidNeeds;
  readonly class: XidClass;
};

type Row = readonly [number, string | null, string, XidClass, XidNeeds, string, readonly Step[]];

// prettier-ignore
const ROWS: readonly Row[] = [
  [8, 'ROBUST_CHANNEL_FIFO_ERROR_IDLE_TIMEOUT', 'GPU stopped processing', 'hang', 'restart-app', 'The GPU stopped working on a job and timed out.', ['restart-app', 'update-driver']],
  [13, 'ROBUST_CHANNEL_GR_EXCEPTION', 'Graphics engine exception', 'app', 'restart-app', 'A program made the graphics engine fault (usually a bug in that program: out-of-range access or a bad instruction). The GPU itself is fine.', ['restart-app']],
  [31, 'ROBUST_CHANNEL_FIFO_ERROR_MMU_ERR_FLT', 'GPU memory page fault', 'app', 'restart-app', 'A program touched GPU memory it does not own. Usually a program or driver bug, rarely hardware.', ['restart-app']],
  [32, 'ROBUST_CHANNEL_PBDMA_ERROR', 'Corrupted command stream', 'link', 'restart-app', 'The GPU received a corrupted command stream. NVIDIA names PCI signal quality as the main cause — on an eGPU that is the Thunderbolt/USB4 link.', ['check-link', 'restart-app']],
  [38, null, 'Driver firmware error', 'firmware', 'reset-gpu', 'The driver found its firmware on the GPU in a bad state.', ['reset-gpu', 'update-driver']],
  [43, 'ROBUST_CHANNEL_RESETCHANNEL_VERIF_ERROR', 'GPU stopped processing (program fault)', 'app', 'nothing', 'A program hit a fault and its work was stopped. The GPU stays healthy.', ['restart-app']],
  [45, 'ROBUST_CHANNEL_PREEMPTIVE_REMOVAL', 'Preemptive cleanup', 'info', 'nothing', 'The driver cleaned up a program’s GPU work because it was killed or an earlier error happened. Expected when programs are closed before an eject.', ['look-around']],
  [46, 'ROBUST_CHANNEL_GPU_TIMEOUT_ERROR', 'GPU stopped processing', 'hang', 'reset-gpu', 'The GPU stopped responding to work.', ['reset-gpu', 'update-driver']],
  [48, 'ROBUST_CHANNEL_GPU_ECC_DBE', 'Uncorrectable memory (ECC) error', 'hardware', 'reset-gpu', 'The GPU found a memory error it could not correct.', ['reset-gpu', 'memory-failing']],
  [61, 'PMU_BREAKPOINT', 'Internal micro-controller warning', 'firmware', 'nothing', 'An internal controller of the GPU reported a warning (older GPUs).', ['update-driver']],
  [62, 'PMU_HALT_ERROR', 'Internal micro-controller halted', 'firmware', 'reset-gpu', 'An internal controller of the GPU stopped.', ['reset-gpu', 'update-driver']],
  [63, 'INFOROM_DRAM_RETIREMENT_EVENT', 'Memory page retired', 'info', 'nothing', 'The GPU marked a memory page as bad and stopped using it.', ['memory-failing']],
  [64, 'INFOROM_DRAM_RETIREMENT_FAILURE', 'Memory page retirement failed', 'hardware', 'reset-gpu', 'The GPU could not record a bad memory page.', ['reset-gpu', 'memory-failing']],
  [69, 'ROBUST_CHANNEL_GR_CLASS_ERROR', 'Graphics engine class error', 'app', 'restart-app', 'The graphics engine rejected a command from a program or the driver.', ['restart-app']],
  [74, 'NVLINK_ERROR', 'NVLink error', 'hardware', 'reset-gpu', 'An error on NVLink, the bridge between data-centre GPUs; external GPUs do not use it.', ['reset-gpu']],
  [79, 'ROBUST_CHANNEL_GPU_HAS_FALLEN_OFF_THE_BUS', 'GPU has fallen off the bus', 'device-lost', 'reboot', 'The driver can no longer reach the GPU over PCIe: the link went down or the card lost power. On an eGPU the cable, the enclosure’s power or the enclosure itself dropped the connection (or it was unplugged while in use).', ['close-clients', 'check-link', 'reconnect']],
  [92, 'EXCESSIVE_SBE_INTERRUPTS', 'High corrected memory error rate', 'info', 'nothing', 'The GPU is correcting many single-bit memory errors.', ['memory-failing']],
  [94, 'ROBUST_CHANNEL_CONTAINED_ERROR', 'Contained memory error', 'app', 'restart-app', 'A memory error affected one program, which was stopped; reset the GPU when convenient.', ['restart-app']],
  [95, 'ROBUST_CHANNEL_UNCONTAINED_ERROR', 'Uncontained memory error', 'hardware', 'reset-gpu', 'A memory error may have affected several programs.', ['reset-gpu', 'memory-failing']],
  [109, 'ROBUST_CHANNEL_CTXSW_TIMEOUT_ERROR', 'Context switch timeout', 'hang', 'reset-gpu', 'The GPU did not switch between programs in time: it is hung. It often follows a GSP heartbeat timeout or a weak link.', ['reset-gpu', 'check-link-if-repeats']],
  [119, 'GSP_RPC_TIMEOUT', 'GSP firmware timeout', 'firmware', 'reset-gpu', 'The GPU’s own firmware processor (GSP) stopped answering the driver. Common just before or after an eGPU loses its link.', ['reset-gpu', 'check-link-if-repeats']],
  [120, 'GSP_ERROR', 'GSP firmware error', 'firmware', 'reset-gpu', 'Code running on the GPU’s firmware processor failed.', ['reset-gpu', 'update-driver']],
  [140, 'UNRECOVERABLE_ECC_ERROR_ESCAPE', 'Unrecovered memory error', 'hardware', 'reset-gpu', 'A memory error escaped the GPU’s containment.', ['reset-gpu', 'memory-failing']],
  [143, 'GPU_INIT_ERROR', 'GPU initialization failed', 'firmware', 'reset-gpu', 'The GPU could not be set up (after attach or replug).', ['reconnect', 'update-driver']],
  [154, 'GPU_RECOVERY_ACTION_CHANGED', 'GPU recovery action changed', 'info', 'nothing', 'A summary from the driver saying what it takes to recover the GPU after the errors before it.', ['look-around']],
];

const CATALOGUE: ReadonlyMap<number, XidInfo> = new Map(
  ROWS.map(([xid, mnemonic, title, cls, needs, meaning, steps]) => [
    xid,
    { xid, mnemonic, title, class: cls, needs, meaning, steps, advice: adviceText(steps) },
  ]),
);

/** Every catalogued Xid, ascending. */
export const KNOWN_XIDS: readonly number[] = ROWS.map((r) => r[0]);

/** What an Xid means; unknown numbers get a generic entry pointing at NVIDIA's catalogue. */
export function xidInfo(xid: number): XidInfo {
  return (
    CATALOGUE.get(xid) ?? {
      xid,
      mnemonic: null,
      title: `Xid ${xid}`,
      class: 'info',
      needs: 'nothing',
      meaning: `The NVIDIA driver reported error ${xid}, which eGPU Guard does not describe; NVIDIA's Xid catalogue (docs.nvidia.com/deploy/xid-errors) does.`,
      steps: ['look-around'],
      advice: adviceText(['look-around']),
    }
  );
}

export type RecoveryAction = {
  /** As printed, e.g. "Node Reboot Required". */
  readonly name: string;
  readonly code: number;
  readonly needs: XidNeeds;
};

/** `GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)` → the new action. */
const XID_154 =
  /recovery action changed from 0x[0-9a-fA-F]{1,8} \([^)\n]{0,40}\) to 0x([0-9a-fA-F]{1,8}) \(([^)\n]{1,40})\)/;

export function parseRecoveryAction(text: string): RecoveryAction | null {
  const m = XID_154.exec(text);
  if (!m) return null;
  const name = m[2]!.trim();
  const lower = name.toLowerCase();
  const needs: XidNeeds = lower.includes('reboot')
    ? 'reboot'
    : lower.includes('reset') || lower.includes('flr') || lower.includes('drain')
      ? 'reset-gpu'
      : 'nothing';
  return { name, code: Number.parseInt(m[1]!, 16), needs };
}
