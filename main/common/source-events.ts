// The typed events every live source delivers to the core (the state machine consumes them; no
// decisions are made in main/sources/). Sources only listen: each turns one OS stream into these
// values and reports its own health as SourceStatusEvent.

export type UdevEvent = {
  source: 'udev';
  origin: 'UDEV' | 'KERNEL'; // from the udevadm header
  action: string; // add remove bind unbind change move online offline
  devpath: string; // '/devices/pci0000:00/…/0000:06:00.0'
  subsystem: string; // 'pci' | 'drm' | 'thunderbolt' | …
  properties: Readonly<Record<string, string>>;
  /** For pci unbind events: the driver remembered from earlier bind/add/coldplug (unbind has no DRIVER=). */
  previousDriver?: string;
  seqnum?: number;
  /** The header timestamp: CLOCK_MONOTONIC µs when udevadm received the event (not event time). */
  monitorUs?: number;
  receivedAt: number; // Clock.now() when parsed
};

export type KernelRecord = {
  source: 'kernel';
  message: string; // MESSAGE text ('\n' joins array parts)
  transport: 'journal' | 'kmsg' | 'text';
  cursor?: string; // journal __CURSOR
  realtimeUs?: string;
  monotonicUs?: string;
  priority?: number;
  kernelDevice?: string; // _KERNEL_DEVICE, e.g. '+pci:0000:06:00.0'
  /** _KERNEL_SUBSYSTEM (journal) or SUBSYSTEM= (kmsg), e.g. 'pci'. */
  kernelSubsystem?: string;
  /** _BOOT_ID (journal). */
  bootId?: string;
  /** /dev/kmsg sequence number (decimal string; resets at boot). */
  sequence?: string;
  /** True when MESSAGE was not valid UTF-8 (decoded with U+FFFD replacement characters). */
  lossy?: boolean;
  /** True when the journal printed MESSAGE as null (field above its size threshold). */
  messageMissing?: boolean;
  receivedAt: number;
};

export type BoltDevice = {
  uid: string;
  name: string;
  vendor: string;
  type: string;
  status: string;
  authFlags: string[];
  stored: boolean;
  policy: string;
  sysfsPath: string;
  domain: string;
  generation?: number;
  /** The D-Bus object path, '/org/freedesktop/bolt/devices/<escaped uid>'. */
  objectPath?: string;
};

export type BoltEvent =
  | {
      source: 'bolt';
      type: 'snapshot';
      devices: BoltDevice[];
      securityLevel?: string;
      receivedAt: number;
    }
  | {
      source: 'bolt';
      type: 'device-added' | 'device-changed' | 'device-removed';
      device: BoltDevice;
      receivedAt: number;
    };

export type LogindEvent = {
  source: 'logind';
  type: 'prepare-for-sleep';
  start: boolean;
  receivedAt: number;
};

export type SwitcherooGpu = {
  name: string;
  default: boolean;
  environment: Record<string, string>;
  bdf: string | null;
};

export type SwitcherooEvent = { source: 'switcheroo'; gpus: SwitcherooGpu[]; receivedAt: number };

export type SourceState =
  'starting' | 'running' | 'degraded' | 'restarting' | 'stopped' | 'unavailable';

export type SourceStatusEvent = {
  source: 'status';
  name: string;
  state: SourceState;
  detail: string;
  /** kernel-log only: which transport is in use ('journal' | 'kmsg' | 'text'). */
  via?: string;
  receivedAt: number;
};

export type SourceEvent =
  UdevEvent | KernelRecord | BoltEvent | LogindEvent | SwitcherooEvent | SourceStatusEvent;

/** Every source: start() begins delivering events; dispose() stops children and timers. */
export type EventSource = { readonly name: string; start(): void; dispose(): void };

export type OnSourceEvent = (e: SourceEvent) => void;

/** Builds a status event (every source reports its health the same way). */
export const statusEvent = (
  name: string,
  state: SourceState,
  detail: string,
  receivedAt: number,
  via?: string,
): SourceStatusEvent =>
  via === undefined
    ? { source: 'status', name, state, detail, receivedAt }
    : { source: 'status', name, state, detail, via, receivedAt };
