// A realistic synthetic kernel log for the `egpu explain` bench and its equivalence test: mostly
// ordinary boot and driver noise (USB, storage, network, audio, ACPI, PCI enumeration, GPU driver
// init, Thunderbolt switch dumps, systemd lines in syslog files, and near-misses such as USB
// "reset" lines and AER headers), written in sections of the formats users paste (raw dmesg,
// dmesg -T, journalctl short with and without host and in other locales, syslog with an embedded
// stamp, short-iso, grep -r output), with a small share of real event records from the corpus
// re-stamped in the section's format. Deterministic for a seed.

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = [
  'usb 3-1: new high-speed USB device number 4 using xhci_hcd',
  'usb 3-1: New USB device found, idVendor=046d, idProduct=c52b, bcdDevice=12.11',
  'usb 3-1: reset high-speed USB device number 4 using xhci_hcd',
  'usb 2-1.4: USB disconnect, device number 9',
  'EXT4-fs (nvme0n1p2): mounted filesystem with ordered data mode. Quota mode: none.',
  'audit: type=1400 audit(1714550400.123:45): apparmor="STATUS" operation="profile_load" profile="unconfined" name="snap-update-ns.firefox" pid=812 comm="apparmor_parser"',
  'wlp2s0: authenticate with 11:22:33:44:55:66',
  'wlp2s0: associated',
  'IPv6: ADDRCONF(NETDEV_CHANGE): wlp2s0: link becomes ready',
  'iwlwifi 0000:00:14.3: Detected Intel(R) Wi-Fi 6 AX201 160MHz, REV=0x354',
  'e1000e 0000:00:1f.6 enp0s31f6: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx',
  'pci 0000:00:1f.3: [8086:51c8] type 00 class 0x040100',
  'pci 0000:06:00.0: [10de:2484] type 00 class 0x030000',
  'pci 0000:06:00.0: reg 0x10: [mem 0xb2000000-0xb2ffffff]',
  'pci 0000:05:01.0: PCI bridge to [bus 06-38]',
  'pci 0000:04:00.0: enabling Extended Tags',
  'pci 0000:04:00.0: 8.000 Gb/s available PCIe bandwidth, limited by 2.5 GT/s PCIe x4 link at 0000:02:01.0 (capable of 31.504 Gb/s with 8.0 GT/s PCIe x4 link)',
  'pcieport 0000:00:1c.0: AER: enabled with IRQ 122',
  'pcieport 0000:00:1c.0: AER: Corrected error received: 0000:00:1c.0',
  'pcieport 0000:02:01.0: pciehp: Slot #1 AttnBtn- PwrCtrl- MRL- AttnInd- PwrInd- HotPlug+ Surprise+ Interlock- NoCompl+ IbPresDis- LLActRep+',
  'pcieport 0000:02:01.0: pciehp: Slot(1): Card present',
  'pcieport 0000:02:01.0: pciehp: Slot(1): Link Up',
  'nvme nvme0: 8/0/0 default/read/poll queues',
  'nvme0n1: p1 p2 p3',
  'input: Logitech USB Receiver as /devices/pci0000:00/0000:00:14.0/usb3/3-2/3-2:1.0/0003:046D:C52B.0001/input/input5',
  'hid-generic 0003:046D:C52B.0001: input,hidraw0: USB HID v1.11 Keyboard [Logitech USB Receiver] on usb-0000:00:14.0-2/input0',
  'snd_hda_intel 0000:00:1f.3: DSP detected with PCI class/subclass/prog-if info 0x040100',
  'snd_hda_codec_realtek hdaudioC0D0: autoconfig for ALC289: line_outs=1 (0x17/0x0/0x0/0x0/0x0) type:speaker',
  'ACPI: \\_SB_.PCI0.RP05.PXSX: Power Resource [WRST]',
  'ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PC00.TXHC.RHUB.SS01], AE_NOT_FOUND (20230628/dswload2-162)',
  'thunderbolt 0000:06:00.0: current switch config:',
  'thunderbolt 0000:06:00.0:  Max Port Number: 11',
  'thunderbolt 0000:00:0d.2: control channel starting...',
  'thunderbolt 0000:00:0d.2: starting TX ring 0',
  'thunderbolt 0-1: Razer Core X',
  'i915 0000:00:02.0: [drm] VT-d active for gfx access',
  'i915 0000:00:02.0: [drm] Finished loading DMC firmware i915/adlp_dmc_ver2_16.bin (v2.16)',
  '[drm] Initialized i915 1.6.0 20201103 for 0000:00:02.0 on minor 0',
  'amdgpu 0000:03:00.0: amdgpu: SMU is initialized successfully!',
  'amdgpu 0000:03:00.0: amdgpu: ring gfx_0.0.0 uses VM inv eng 0 on hub 0',
  '[drm] PCIE GART of 512M enabled (table at 0x000000F400900000).',
  'NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.78  Sun Apr 14 06:35:45 UTC 2024',
  'nvidia-modeset: Loading NVIDIA Kernel Mode Setting Driver for UNIX platforms  550.78',
  '[drm] [nvidia-drm] [GPU ID 0x00000600] Loading driver',
  'nvidia 0000:06:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,decodes=none:owns=none',
  'Bluetooth: hci0: Firmware revision 0.0 build 14 week 44 2021',
  'intel_rapl_common: Found RAPL domain package',
  'CPU0: Package temperature above threshold, cpu clock throttled (total events = 1)',
  "x86/fpu: Supporting XSAVE feature 0x001: 'x87 floating point registers'",
  'Process accounting resumed',
  'perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to 79750',
];
const SYSTEMD = [
  'systemd[1]: Started Session 3 of User alice.',
  'systemd[1]: Starting Daily apt download activities...',
  'NetworkManager[812]: <info>  [1714550401.1234] device (wlp2s0): state change: config -> ip-config',
  'gnome-shell[1920]: Window manager warning: Overwriting existing binding of keysym 31 with keysym 31',
  'boltd[733]: [6b030000-0090-... Razer Core X] connected: authorized (/sys/devices/pci0000:00/0000:00:0d.2/domain0/0-0/0-1)',
];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LOCAL_MONTHS = ['фев', 'kwi', 'avril', 'Dez', 'mar', 'set'];

const pad2 = (n) => String(n).padStart(2, '0');

/** Line formats: each returns [prefix, continuationIndent] for the time t (seconds). */
const FORMATS = [
  (t) => `[${t.toFixed(6).padStart(12)}] `,
  (t) => {
    const s = Math.floor(t);
    return `[${DAYS[s % 7]} ${MONTHS[4]} 17 ${pad2(10 + (Math.floor(s / 3600) % 12))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)} 2024] `;
  },
  (t, host) => `${MONTHS[2]} 05 ${clock(t)} ${host} kernel: `,
  (t) => `${MONTHS[2]} 05 ${clock(t)} kernel: `,
  (t, host) => `${MONTHS[3]}  9 ${clock(t)} ${host} kernel: [${t.toFixed(6).padStart(12)}] `,
  (t, host) => `2024-05-01T${clock(t)}+0200 ${host} kernel: `,
  (t, host, r) =>
    `${LOCAL_MONTHS[Math.floor(r * LOCAL_MONTHS.length)]} 12 ${clock(t)} ${host} kernel: `,
  (t, host) =>
    `/var/log/syslog:${MONTHS[3]}  9 ${clock(t)} ${host} kernel: [${t.toFixed(6).padStart(12)}] `,
];
const clock = (t) => {
  const s = Math.floor(t);
  return `${pad2(8 + (Math.floor(s / 3600) % 14))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
};

/**
 * @param {{ lines: number, eventShare?: number, seed?: number, events: string[] }} options
 *   events: event record texts (from the corpus); continuation lines separated by '\n'.
 * @returns {string}
 */
export function generateKernelLog({ lines, eventShare = 0.005, seed = 1, events }) {
  const rand = prng(seed);
  const out = [];
  let t = 0.5;
  let format = FORMATS[0];
  let left = 0;
  const host = 'bench-laptop';
  while (out.length < lines) {
    if (left <= 0) {
      format = FORMATS[Math.floor(rand() * FORMATS.length)];
      left = 1000 + Math.floor(rand() * 20000);
    }
    t += rand() * 0.05;
    left--;
    const prefix = format(t, host, rand());
    const syslogish = /kernel: $/.test(prefix) && !/^\[/.test(prefix);
    if (events.length > 0 && rand() < eventShare) {
      const [first, ...rest] = events[Math.floor(rand() * events.length)].split('\n');
      out.push(prefix + first);
      for (const r of rest) out.push(' '.repeat(prefix.length) + r);
    } else if (syslogish && rand() < 0.1) {
      out.push(prefix.replace(/kernel: .*$/, '') + SYSTEMD[Math.floor(rand() * SYSTEMD.length)]);
    } else {
      out.push(prefix + NOISE[Math.floor(rand() * NOISE.length)]);
    }
  }
  return out.slice(0, lines).join('\n') + '\n';
}
