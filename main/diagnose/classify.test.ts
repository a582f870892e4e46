// classifyMessage on journal MESSAGE texts (no stamps): every kind of LABELING.md §3, the bdf
// rules of §2.3, and the hard negatives of §3 ("Not labelled") and §4.

import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '../common/kernel-events.js';
import { classifyMessage } from './classify.js';
import { RULES } from './classify-rules.js';
import { KEYWORDS, MIN_KEYWORD_LENGTH } from './keywords.js';

type Shape = Omit<KernelEvent, 'text'>;
const shape = (text: string): Shape | null => {
  const e = classifyMessage(text);
  if (e === null) return null;
  const { text: _t, ...rest } = e;
  return rest;
};

const positives: [string, Shape][] = [
  // gpu-fell-off-bus
  ['NVRM: Xid (PCI:0000:06:00): 79, GPU has fallen off the bus.', { kind: 'gpu-fell-off-bus', bdf: '0000:06:00.0', xid: 79 }],
  ["NVRM: Xid (PCI:0000:2b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.", { kind: 'gpu-fell-off-bus', bdf: '0000:2b:00.0', xid: 79 }],
  ['NVRM: GPU at 0000:01:00.0 has fallen off the bus.', { kind: 'gpu-fell-off-bus', bdf: '0000:01:00.0' }],
  ['NVRM: GPU at PCI:0000:01:00.0 has fallen off the bus.', { kind: 'gpu-fell-off-bus', bdf: '0000:01:00.0' }],
  ['NVRM: GPU 0000:06:00.0: GPU has fallen off the bus.', { kind: 'gpu-fell-off-bus', bdf: '0000:06:00.0' }],
  ['NVRM: The NVIDIA GPU 0000:B3:00.0\nNVRM: (PCI ID: 10de:26b5) installed in this system has\nNVRM: fallen off the bus and is not responding to commands.', { kind: 'gpu-fell-off-bus', bdf: '0000:b3:00.0' }],
  ['amdgpu 0000:03:00.0: amdgpu: device lost from bus!', { kind: 'gpu-fell-off-bus', bdf: '0000:03:00.0' }],
  ['amdgpu: device lost from bus!', { kind: 'gpu-fell-off-bus', bdf: null }],
  ['Unable to determine the device handle for GPU0000:02:00.0: GPU is lost. Reboot the system to recover this GPU', { kind: 'gpu-fell-off-bus', bdf: '0000:02:00.0' }],
  // gpu-xid: the number right after the address; the bdf from the address (bus/device, no function)
  ['NVRM: Xid (PCI:0000:07:00): 109, pid=326, name=modprobe, channel 0x00000007, errorString CTX SWITCH TIMEOUT, Info 0x74007', { kind: 'gpu-xid', bdf: '0000:07:00.0', xid: 109 }],
  ['NVRM: Xid (PCI:0000:00:0b): 45, pid=1234, name=python, Ch 00000010, caused by previous Xid 149', { kind: 'gpu-xid', bdf: '0000:00:0b.0', xid: 45 }],
  ['NVRM: Xid (PCI:0001:6c:00): 119, pid=5, name=x, Timeout after 6s of waiting for RPC response from GPU0 GSP!', { kind: 'gpu-xid', bdf: '0001:6c:00.0', xid: 119 }],
  ['NVRM: Xid (PCI:0000:01:00 GPU-I:01 GPU-CI:00): 13, pid=1, name=a, Graphics Exception', { kind: 'gpu-xid', bdf: '0000:01:00.0', xid: 13 }],
  ['NVRM: Xid (0000:01:00): 3, Ch 00000001', { kind: 'gpu-xid', bdf: '0000:01:00.0', xid: 3 }],
  ['NVRM: Xid (PCI:0000:01:00): 154, GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)', { kind: 'gpu-xid', bdf: '0000:01:00.0', xid: 154 }],
  // gpu-hang
  ['amdgpu 0000:c5:00.0: amdgpu: ring gfx_0.0.0 timeout, signaled seq=2662395, emitted seq=2662397', { kind: 'gpu-hang', bdf: '0000:c5:00.0' }],
  ['[drm:amdgpu_job_timedout [amdgpu]] *ERROR* ring gfx_0.0.0 timeout, signaled seq=228661, emitted seq=228662', { kind: 'gpu-hang', bdf: null }],
  ['i915 0000:00:02.0: [drm] GPU HANG: ecode 12:1:85dffffb, in Xorg [1234]', { kind: 'gpu-hang', bdf: '0000:00:02.0' }],
  ['NVRM: _kgspIsHeartbeatTimedOut: Heartbeat timed out, time since last heartbeat: 6.3 seconds', { kind: 'gpu-hang', bdf: null }],
  ['NVRM: GPU0 _kgspRpcRecvPoll: GSP RM heartbeat timed out', { kind: 'gpu-hang', bdf: null }],
  ['amdgpu 0000:c5:00.0: amdgpu: MES failed to respond to msg=REMOVE_QUEUE', { kind: 'gpu-hang', bdf: '0000:c5:00.0' }],
  ['amdgpu 0000:c5:00.0: amdgpu: MES(0) failed to respond to msg=SUSPEND', { kind: 'gpu-hang', bdf: '0000:c5:00.0' }],
  // gpu-reset
  ['amdgpu 0000:03:00.0: amdgpu: GPU reset begin!. Source:  1', { kind: 'gpu-reset', bdf: '0000:03:00.0', outcome: 'begin' }],
  ['amdgpu 0000:c5:00.0: amdgpu: Starting gfx_0.0.0 ring reset', { kind: 'gpu-reset', bdf: '0000:c5:00.0', outcome: 'begin' }],
  ['i915 0000:00:02.0: [drm] Resetting rcs0 for preemption time out', { kind: 'gpu-reset', bdf: '0000:00:02.0', outcome: 'begin' }],
  ['[drm] Resetting chip for stopped heartbeat on rcs0', { kind: 'gpu-reset', bdf: null, outcome: 'begin' }],
  ['amdgpu 0000:05:00.0: amdgpu: GPU reset succeeded, trying to resume', { kind: 'gpu-reset', bdf: '0000:05:00.0', outcome: 'success' }],
  ['amdgpu 0000:c5:00.0: amdgpu: Ring gfx_0.0.0 reset succeeded', { kind: 'gpu-reset', bdf: '0000:c5:00.0', outcome: 'success' }],
  ['amdgpu 0000:c5:00.0: [drm] device wedged, but recovered through reset', { kind: 'gpu-reset', bdf: '0000:c5:00.0', outcome: 'success' }],
  ['amdgpu 0000:c5:00.0: amdgpu: GPU reset(2) succeeded!', { kind: 'gpu-reset', bdf: '0000:c5:00.0', outcome: 'success' }],
  ['amdgpu 0000:c5:00.0: amdgpu: Ring gfx_0.0.0 reset failed', { kind: 'gpu-reset', bdf: '0000:c5:00.0', outcome: 'failure' }],
  ['amdgpu 0000:03:00.0: amdgpu: GPU reset end with ret = -19', { kind: 'gpu-reset', bdf: '0000:03:00.0', outcome: 'failure' }],
  ['amdgpu 0000:03:00.0: amdgpu: GPU reset end with ret = 0', { kind: 'gpu-reset', bdf: '0000:03:00.0', outcome: 'success' }],
  ['amdgpu 0000:03:00.0: amdgpu: GPU Recovery Failed: -19', { kind: 'gpu-reset', bdf: '0000:03:00.0', outcome: 'failure' }],
  ['i915 0000:00:02.0: [drm] *ERROR* rcs0 reset request timed out: {request: 00000001}', { kind: 'gpu-reset', bdf: '0000:00:02.0', outcome: 'failure' }],
  ['i915 0000:03:00.0: [drm] *ERROR* GuC: Engine reset failed on 0:0 (rcs0)', { kind: 'gpu-reset', bdf: '0000:03:00.0', outcome: 'failure' }],
  // driver-remove-blocked
  ['NVRM: Attempting to remove minor device 0 with non-zero usage count!', { kind: 'driver-remove-blocked', bdf: null }],
  ['NVRM: Attempting to remove device 0000:06:00.0 with non-zero usage count!', { kind: 'driver-remove-blocked', bdf: '0000:06:00.0' }],
  ['pciDriver - wait_for_clients: waiting for completion. user_refcount = 1', { kind: 'driver-remove-blocked', bdf: null }],
  // pcie-aer: bdf of the device that prints the record
  ['pcieport 0000:00:03.1: PCIe Bus Error: severity=Correctable, type=Data Link Layer, (Transmitter ID)', { kind: 'pcie-aer', bdf: '0000:00:03.1', severity: 'corrected' }],
  ['nvme 0000:03:00.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)', { kind: 'pcie-aer', bdf: '0000:03:00.0', severity: 'corrected' }],
  ['pcieport 0000:00:07.0: AER: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction Layer, (Requester ID)', { kind: 'pcie-aer', bdf: '0000:00:07.0', severity: 'nonfatal' }],
  ['pcieport 0000:00:07.0: AER: PCIe Bus Error: severity=Uncorrectable (Fatal), type=Inaccessible, (Unregistered Agent ID)', { kind: 'pcie-aer', bdf: '0000:00:07.0', severity: 'fatal' }],
  // pcie-link-down
  ['pcieport 0000:00:07.0: pciehp: Slot(4): Link Down', { kind: 'pcie-link-down', bdf: '0000:00:07.0' }],
  ['pcieport 0000:00:07.0: pciehp: Slot(4-1): Card not present', { kind: 'pcie-link-down', bdf: '0000:00:07.0' }],
  ['pciehp 0000:02:05.0:pcie24: slot(6): Link Down event', { kind: 'pcie-link-down', bdf: '0000:02:05.0' }],
  ['pcieport 0000:00:07.0: DPC: containment event, status:0x1f01 source:0x0000', { kind: 'pcie-link-down', bdf: '0000:00:07.0' }],
  // pci-config-dead, power-state-stuck
  ["pcieport 0000:02:00.0: can't change power state from D3cold to D0 (config space inaccessible)", { kind: 'pci-config-dead', bdf: '0000:02:00.0' }],
  ['nvidia 0000:06:00.0: Unable to change power state from D3cold to D0, device inaccessible', { kind: 'pci-config-dead', bdf: '0000:06:00.0' }],
  ["libvirt.libvirtError: internal error: Unknown PCI header type '127' for device '0000:0a:00.0'", { kind: 'pci-config-dead', bdf: '0000:0a:00.0' }],
  ["error : virPCIDeviceRead: Unknown PCI header type '127'", { kind: 'pci-config-dead', bdf: null }],
  ['pci 0000:06:00.0: unknown header type 7f, ignoring device', { kind: 'pci-config-dead', bdf: '0000:06:00.0' }],
  ['nvidia 0000:03:00.0: Refused to change power state, currently in D3', { kind: 'power-state-stuck', bdf: '0000:03:00.0' }],
  ['pcieport 0000:00:1c.0: Refused to change power state from D3hot to D0', { kind: 'power-state-stuck', bdf: '0000:00:1c.0' }],
  ['pci 0000:05:00.0: not ready 65535ms after resume; giving up', { kind: 'power-state-stuck', bdf: '0000:05:00.0' }],
  // Thunderbolt: router, no bdf
  ['thunderbolt 0-1: new device found, vendor=0x8 device=0x38', { kind: 'tb-connected', bdf: null, router: '0-1' }],
  ['thunderbolt 0-301: device disconnected', { kind: 'tb-disconnected', bdf: null, router: '0-301' }],
  // display-engine-error
  ['nvidia-modeset: ERROR: GPU:0: Failed to query display engine channel state: 0x0000ca7e:2:0:0x00000062', { kind: 'display-engine-error', bdf: null }],
  ['nvidia-modeset: ERROR: GPU:0: DP-0: Failed to disable DisplayPort audio stream-3', { kind: 'display-engine-error', bdf: null }],
  ['[drm:nv_drm_atomic_commit [nvidia_drm]] *ERROR* [nvidia-drm] [GPU ID 0x00000100] Flip event timeout on head 0', { kind: 'display-engine-error', bdf: null }],
  ['[drm:__nv_drm_plane_atomic_check [nvidia_drm]] *ERROR* [nvidia-drm] [GPU ID 0x00000100] Failed to initialize semaphore for plane fence', { kind: 'display-engine-error', bdf: null }],
  ['[drm:drm_atomic_helper_wait_for_flip_done [drm_kms_helper]] *ERROR* [CRTC:82:crtc-0] flip_done timed out', { kind: 'display-engine-error', bdf: null }],
  ['i915 0000:00:02.0: [drm] *ERROR* [CRTC:82:pipe A] hw_done or flip_done timed out', { kind: 'display-engine-error', bdf: '0000:00:02.0' }],
  ['[drm:drm_atomic_helper_wait_for_dependencies [drm_kms_helper]] *ERROR* [PLANE:31:plane-0] commit wait timed out', { kind: 'display-engine-error', bdf: null }],
  ['[drm:amdgpu_dm_commit_planes [amdgpu]] *ERROR* Waiting for fences timed out!', { kind: 'display-engine-error', bdf: null }],
]; // prettier-ignore

const negatives: string[] = [
  // gpu-hang "Not labelled"
  '[drm:amdgpu_job_timedout [amdgpu]] *ERROR* Process information: process Xorg pid 2184 thread Xorg:cs0 pid 2284',
  'amdgpu 0000:03:00.0: [drm:amdgpu_ring_test_helper [amdgpu]] *ERROR* ring kiq_2.1.0 test failed (-110)',
  '[drm:gfx_v10_0_hw_fini [amdgpu]] *ERROR* KGQ disable failed',
  '[drm:gfx_v11_0_cp_gfx_enable.isra.0 [amdgpu]] *ERROR* failed to halt cp gfx',
  'amdgpu 0000:c5:00.0: amdgpu: [gfxhub] page fault (src_id:0 ring:24 vmid:3 pasid:32773)',
  'NVRM: _kgspLogXid119: ********************************* GSP Timeout **********************************',
  'NVRM: _kgspLogXid119: Note: Please also check logs above.',
  // gpu-reset "Not labelled"
  'amdgpu 0000:05:00.0: amdgpu: MODE2 reset',
  'amdgpu 0000:03:00.0: amdgpu: BACO reset',
  'amdgpu 0000:c5:00.0: amdgpu: reset compute queue (1:1:0)',
  'amdgpu 0000:c5:00.0: amdgpu: failed to reset legacy queue',
  'amdgpu 0000:c5:00.0: amdgpu: reset via MES failed and try pipe reset',
  '[drm] VRAM is lost due to GPU reset!',
  'i915 0000:00:02.0: [drm] chrome[1818] context reset due to GPU hang',
  'xhci_hcd 0000:3a:00.0: Host not accessible, reset failed.',
  'pcieport 0000:00:1c.0: AER: Root Port link has been reset (0)',
  'usb 3-1: reset high-speed USB device number 4 using xhci_hcd',
  'e1000e 0000:00:1f.6: Resetting adapter for a hang',
  // pcie-aer parts of the report
  'pcieport 0000:00:03.1: AER: Correctable error message received from 0000:00:00.0',
  'pcieport 0000:00:1d.0: AER: Multiple Corrected error received: 0000:03:00.0',
  'pcieport 0000:00:03.1:   device [1022:1453] error status/mask=00001000/00006000',
  'pcieport 0000:00:03.1:    [12] Timeout               ',
  'pcieport 0000:00:07.0: AER: device recovery failed',
  'pcieport 0000:00:07.0: DPC: ERR_FATAL detected',
  // pciehp
  'pcieport 0000:02:01.0: pciehp: Slot(1): Card present',
  'pcieport 0000:02:01.0: pciehp: Slot(1): Link Up',
  'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down/Up ignored (recovered by DPC)',
  'pci 0000:05:00.0: not ready 1023ms after resume; waiting',
  // display warning level
  'nvidia-modeset: WARNING: GPU:0: Lost display notification (0:0x00000000); continuing.',
  '[drm] [nvidia-drm] [GPU ID 0x00000600] Loading driver',
  // §4
  'NVRM: loading NVIDIA UNIX x86_64 Kernel Module  390.87  Tue Aug 21 12:33:05 PDT 2018',
  'nvidia-modeset: Loading NVIDIA Kernel Mode Setting Driver for UNIX platforms  390.87',
  'bbswitch: disabling discrete graphics',
  'NVRM: GPU at PCI:0000:06:00: GPU-9fe1319c-8dd3-44e4-2b74-de93f8b02c6a',
  'NVRM: A GPU crash dump has been created. If possible, please run\nNVRM: nvidia-bug-report.sh as root to collect this data before',
  'NVRM: GPU Board Serial Number: 1234',
  'nvidia: probe of 0000:03:00.0 failed with error -1',
  'NVRM: RmInitAdapter failed! (0x26:0x56:1474)',
  'amdgpu 0000:03:00.0: amdgpu: Fatal error during GPU init',
  'amdgpu 0000:06:00.0: amdgpu: amdgpu: finishing device.',
  'NVRM: krcRcAndNotifyAllChannels_IMPL: RC all channels for critical error 79.',
  'NVRM: API_GPU_ATTACHED_SANITY_CHECK failed!',
  'NVRM: GPU0 nvAssertOkFailedNoLog: Assertion failed: GPU lost from the bus [NV_ERR_GPU_IS_LOST] (0x0000000F) returned from x',
  'NVRM: nvCheckOkFailedNoLog: Check failed: GPU is lost [NV_ERR_GPU_IS_LOST]',
  'mlx5_core 0000:3b:00.0: Port: 1 Link INIT',
  'usb 3-1: USB disconnect, device number 17',
  'iommu: Removing device 0000:06:00.0 from group 13',
  'pci_bus 0000:06: busn_res: [bus 06] is released',
  'thunderbolt 0000:06:00.0: current switch config:',
  'thunderbolt 0-1: Sonnet Technologies, Inc. eGFX Breakaway Box 550',
  'thunderbolt 0-0:1.1: retimer disconnected',
  // GPU-only kinds need a GPU driver
  'mydriver 0000:01:00.0: GPU reset begin!',
  'sound 0000:01:00.1: Waiting for fences timed out!',
];

describe('classifyMessage', () => {
  for (const [text, expected] of positives) {
    it(`${expected.kind}: ${text.slice(0, 70)}`, () => {
      expect(shape(text)).toStrictEqual(expected);
    });
  }
  for (const text of negatives) {
    it(`not an event: ${text.slice(0, 70)}`, () => {
      expect(classifyMessage(text)).toBeNull();
    });
  }

  it('keeps the record text, bounded', () => {
    const text = 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down';
    expect(classifyMessage(text)?.text).toBe(text);
    expect(classifyMessage(`${text} ${'x'.repeat(100_000)}`)?.text.length).toBe(16 * 1024);
  });

  it('is total on non-strings from untyped callers', () => {
    expect(classifyMessage(undefined as unknown as string)).toBeNull();
  });
});

describe('keywords', () => {
  it('are printable ASCII and long enough for the multi-pattern search', () => {
    for (const k of KEYWORDS) {
      expect(k).toMatch(/^[\x20-\x7e]+$/);
      // JSON escapes other than \u make only these: the fast scan relies on it (log-scan.ts).
      expect(k).not.toMatch(/["\\/]/);
      expect(k.length).toBeGreaterThanOrEqual(MIN_KEYWORD_LENGTH);
    }
  });

  it('every positive example holds a keyword of the rule that matched it', () => {
    // The gate in classifyMessage enforces this; the test shows the examples exercise it.
    for (const [text] of positives) {
      expect(RULES.some((r) => r.keys.some((k) => text.includes(k)))).toBe(true);
    }
  });
});
