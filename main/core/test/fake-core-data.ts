// The scripted machine FakeCore shows: an Intel iGPU driving the desktop and an NVIDIA RTX 3070
// in a Razer Core X over Thunderbolt 3 (the tb3-nvidia sim scenario, as `egpu status --json`
// reports it), plus the clients, kernel lines and compositor advice the fake hands out.

import type { CompositorAdvice } from '../../common/actions-model.js';
import type { ClientInfo } from '../../common/clients-model.js';
import type { GpuInfo, ThunderboltDomain } from '../../common/inventory-model.js';
import type { Evidence, GpuEntry, IncidentKind, SourceHealth } from '../../common/snapshot.js';

export const IGPU_BDF = '0000:00:02.0';
export const EGPU_BDF = '0000:0a:00.0';

const gen3x4 = { speed: 8, width: 4 };

export const IGPU_INFO: GpuInfo = {
  bdf: IGPU_BDF,
  vendorId: '0x8086',
  deviceId: '0x9a49',
  subsystemId: '0x1028:0x0a01',
  classCode: '0x030000',
  name: 'Intel Iris Xe Graphics',
  driver: 'i915',
  external: false,
  externalEvidence: [],
  enclosureTop: null,
  enclosure: null,
  thunderboltDomain: null,
  bootVga: true,
  drm: { card: '/dev/dri/card0', render: '/dev/dri/renderD128' },
  nvidia: null,
  functions: [],
  link: { current: null, max: null, port: null, degraded: false, hops: [] },
  runtimeStatus: 'active',
  powerState: 'D0',
  health: 'ok',
  healthReason: 'responds on the bus',
  sysfsPath: '/sys/devices/pci0000:00/0000:00:02.0',
};

export const EGPU_INFO: GpuInfo = {
  bdf: EGPU_BDF,
  vendorId: '0x10de',
  deviceId: '0x2484',
  subsystemId: '0x1458:0x404c',
  classCode: '0x030000',
  name: 'NVIDIA GeForce RTX 3070',
  driver: 'nvidia',
  external: true,
  externalEvidence: [
    {
      kind: 'removable',
      device: '0000:08:00.0',
      detail:
        'the kernel marks 0000:08:00.0 and the devices below it removable (behind an external-facing port)',
    },
    {
      kind: 'thunderbolt-bridge',
      device: '0000:05:00.0',
      detail: '0000:05:00.0 is a Thunderbolt bridge (JHL7540 Thunderbolt 3 Bridge [Titan Ridge])',
    },
  ],
  enclosureTop: '0000:08:00.0',
  enclosure: {
    name: 'Razer Core X',
    router: '0-1',
    uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
    domain: 'domain0',
    authorized: 1,
  },
  thunderboltDomain: 'domain0',
  bootVga: false,
  drm: { card: '/dev/dri/card1', render: '/dev/dri/renderD129' },
  nvidia: { minor: 0, node: '/dev/nvidia0' },
  functions: [
    {
      bdf: '0000:0a:00.1',
      classCode: '0x040300',
      kind: 'audio',
      name: 'NVIDIA GA104 High Definition Audio Controller',
      driver: 'snd_hda_intel',
    },
  ],
  link: {
    current: gen3x4,
    max: { speed: 16, width: 16 },
    port: { bdf: '0000:09:01.0', current: gen3x4, max: gen3x4 },
    degraded: false,
    hops: [
      {
        device: EGPU_BDF,
        port: '0000:09:01.0',
        current: gen3x4,
        capable: gen3x4,
        degradedBy: [],
      },
    ],
  },
  runtimeStatus: 'active',
  powerState: 'D0',
  health: 'ok',
  healthReason: 'responds on the bus',
  sysfsPath:
    '/sys/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:01.0/0000:08:00.0/0000:09:01.0/0000:0a:00.0',
};

/** What the eGPU looks like after it fell off the bus: config space reads all ones. */
export const EGPU_INFO_DEAD: GpuInfo = {
  ...EGPU_INFO,
  link: { ...EGPU_INFO.link, current: { speed: null, width: null }, hops: [] },
  health: 'unreachable',
  healthReason: 'config space reads all ones (the device no longer answers)',
};

export const THUNDERBOLT: readonly ThunderboltDomain[] = [
  {
    domain: 'domain0',
    security: 'user',
    deauthorization: true,
    iommuDmaProtection: true,
    hostInterface: '0000:07:00.0',
    routers: [
      {
        router: '0-1',
        host: false,
        vendorId: '0x27',
        vendorName: 'Razer',
        deviceId: '0x5',
        deviceName: 'Core X',
        authorized: 1,
        uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
        generation: 3,
      },
    ],
  },
];

const client = (
  pid: number,
  comm: string,
  cmdline: string,
  gpu: string,
  nodes: readonly string[],
  role: ClientInfo['role'],
): ClientInfo => ({ pid, comm, cmdline, uid: 1000, user: 'alex', gpu, nodes, via: ['fd'], role });

export const DESKTOP_CLIENTS: readonly ClientInfo[] = [
  client(1712, 'gnome-shell', '/usr/bin/gnome-shell', IGPU_BDF, ['/dev/dri/card0'], 'compositor'),
];

export const OLLAMA = client(
  4242,
  'ollama',
  '/usr/local/bin/ollama serve',
  EGPU_BDF,
  ['/dev/nvidia0', '/dev/nvidiactl', '/dev/nvidia-uvm'],
  'compute',
);

/** The app the demo panel's "start an app on the eGPU" launches. */
export const DEMO_APP = client(
  5150,
  'blender',
  '/usr/bin/blender --gpu-backend vulkan',
  EGPU_BDF,
  ['/dev/dri/renderD129', '/dev/nvidia0', '/dev/nvidiactl'],
  'other',
);

export const SOURCES: readonly SourceHealth[] = [
  { name: 'kernel-log', state: 'running', detail: 'following the kernel journal', via: 'journal' },
  { name: 'udev', state: 'running', detail: 'replaying a recorded transcript', via: 'replay' },
  { name: 'bolt', state: 'running', detail: 'org.freedesktop.bolt on the system bus' },
];

const XID79 =
  "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.";

/** Kernel and udev lines of each scripted incident (text only; times are filled in). */
export const INCIDENT_LINES: Readonly<
  Record<'surprise-removal' | 'fell-off-bus', readonly Omit<Evidence, 'at'>[]>
> = {
  'surprise-removal': [
    { source: 'kernel', text: 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down' },
    { source: 'kernel', text: 'pcieport 0000:06:01.0: pciehp: Slot(1): Card not present' },
    { source: 'kernel', text: XID79 },
    { source: 'bolt', text: 'Razer Core X (0-1) disconnected' },
    { source: 'udev', text: 'remove /devices/…/0000:0a:00.0 (pci)' },
  ],
  'fell-off-bus': [
    { source: 'kernel', text: XID79 },
    { source: 'kernel', text: 'NVRM: GPU 0000:0a:00.0: GPU has fallen off the bus.' },
    { source: 'sysfs', text: '0000:0a:00.0 config space reads ffff ffff' },
  ],
};

/** Titles and explanations, in the words the state machine (main/state/incidents.ts) uses. */
export const INCIDENT_TEXT: Readonly<
  Record<
    'surprise-removal' | 'fell-off-bus',
    { kind: IncidentKind; title: string; meaning: readonly string[]; nextSteps: readonly string[] }
  >
> = {
  'surprise-removal': {
    kind: 'surprise-removal',
    title: 'unplugged while in use',
    meaning: [
      'The eGPU disappeared without being ejected first: the cable was pulled, the enclosure lost power, or the link dropped. Programs that were using it may have crashed or hung.',
      'Xid 79: the NVIDIA driver lost contact with the GPU (it fell off the bus).',
    ],
    nextSteps: [
      'Reconnect the enclosure, then use Recover to bring the GPU back.',
      'If you did not unplug it, check the cable and the enclosure power supply.',
    ],
  },
  'fell-off-bus': {
    kind: 'fell-off-bus',
    title: 'fell off the bus',
    meaning: [
      'The GPU stopped answering on the PCIe bus while it was still listed there (its config space read all ones).',
    ],
    nextSteps: [
      'Close the apps that still use the GPU.',
      'Reconnect the enclosure, then use Recover to bring the GPU back.',
      'Check the cable and the link: a Thunderbolt cable that is too long or damaged drops the link.',
    ],
  },
};

export const COMPOSITOR_ADVICE: CompositorAdvice = {
  session: 'gnome-wayland',
  sessionDetail: 'GNOME on Wayland (mutter); the desktop runs on the Intel iGPU',
  actions: [
    {
      id: 'logout',
      title: 'Log out and back in',
      detail: 'mutter opens every GPU when the session starts; a new session picks up the change.',
      privileged: false,
      command: ['gnome-session-quit', '--logout'],
    },
    {
      id: 'restart-display-manager',
      title: 'Restart the display manager',
      detail: 'Restarts GDM when logging out is not enough.',
      warning: 'This closes every app in every session. Save your work first.',
      privileged: true,
      command: ['systemctl', 'restart', 'gdm'],
    },
  ],
  config: [
    {
      title: 'Keep mutter off the eGPU',
      path: '/etc/udev/rules.d/61-egpu-mutter.rules',
      text: 'SUBSYSTEM=="drm", KERNEL=="card*", KERNELS=="0000:0a:00.0", TAG+="mutter-device-ignore"\n',
      apply: 'Run `sudo udevadm control --reload`, then log out and back in.',
    },
  ],
};

/** The machine as the fake starts (and resets to): ollama on the eGPU, the desktop on the iGPU. */
export function initialGpus(at: number): GpuEntry[] {
  const entry = (info: GpuInfo, clients: readonly ClientInfo[]): GpuEntry => ({
    bdf: info.bdf,
    name: info.name,
    vendorId: info.vendorId,
    deviceId: info.deviceId,
    external: info.external,
    enclosure: info.enclosure,
    state: clients.length > 0 ? 'in-use' : 'attached',
    since: at,
    present: true,
    info,
    clients,
    clientsAt: at,
    incident: null,
    departure: null,
  });
  return [entry(EGPU_INFO, [OLLAMA]), entry(IGPU_INFO, DESKTOP_CLIENTS)];
}
