// Which device each kernel event is about, for grouping events into incidents: the PCI address
// a record names, the Thunderbolt router, or — for a GPU event whose line names no address
// (`minor device 0`, `GPU:0`, a legacy DRM_ERROR) — the one GPU of the same vendor that the log
// does name; else a per-vendor "address not in the log" group, and "unknown" for the rest.

import type { KernelEvent } from '../common/kernel-events.js';
import { parseDevicePrefix } from './bdf.js';
import type { LocatedEvent } from './classify.js';

export type GpuVendor = 'nvidia' | 'amd' | 'intel';

export type DeviceRef = {
  /** Stable grouping key: `pci:<bdf>`, `tb:<router>`, `gpu:<vendor>` or `unknown`. */
  readonly key: string;
  readonly bdf: string | null;
  readonly router: string | null;
  readonly vendor: GpuVendor | null;
  readonly role: 'gpu' | 'pci' | 'thunderbolt' | 'unknown';
  /** For people: "GPU 0000:06:00.0 (NVIDIA)", "pcieport 0000:00:1c.0", "Thunderbolt device 0-1". */
  readonly label: string;
  /** The driver the log names for a PCI device (`sdhci-pci 0000:2f:00.0: …`), when it does. */
  readonly driver?: string;
};

const VENDOR_NAME: Record<GpuVendor, string> = { nvidia: 'NVIDIA', amd: 'AMD', intel: 'Intel' };
const GPU_DRIVER_VENDOR: Readonly<Record<string, GpuVendor>> = {
  nvidia: 'nvidia',
  nouveau: 'nvidia',
  amdgpu: 'amd',
  radeon: 'amd',
  i915: 'intel',
  xe: 'intel',
};
const GPU_KINDS = new Set([
  'gpu-fell-off-bus',
  'gpu-xid',
  'gpu-hang',
  'gpu-reset',
  'display-engine-error',
]);

export function vendorOf(text: string): GpuVendor | null {
  if (/NVRM|nvidia|nouveau/i.test(text)) return 'nvidia';
  if (/amdgpu|radeon/.test(text)) return 'amd';
  if (/\bi915\b|^xe /.test(text)) return 'intel';
  return null;
}

const isGpuEvent = (e: KernelEvent): boolean =>
  GPU_KINDS.has(e.kind) || (e.kind === 'driver-remove-blocked' && vendorOf(e.text) !== null);

export function deviceFor(events: readonly LocatedEvent[], key: string): DeviceRef {
  const e = events[0]!;
  const anyVendor = events.map((x) => vendorOf(x.text)).find((v) => v !== null) ?? null;
  const anyGpuEvent = events.some(isGpuEvent);
  if (key.startsWith('tb:')) {
    const router = e.router ?? key.slice(3);
    return {
      key,
      bdf: null,
      router,
      vendor: null,
      role: 'thunderbolt',
      label: `Thunderbolt device ${router}`,
    };
  }
  if (key.startsWith('pci:')) {
    const bdf = key.slice(4);
    const driver = events
      .map((x) => parseDevicePrefix(x.text)?.driver)
      .find((d) => d !== undefined);
    // `nvidia 0000:03:00.0: Refused to change power state` is about a GPU too.
    const driverVendor =
      driver !== undefined && Object.hasOwn(GPU_DRIVER_VENDOR, driver)
        ? GPU_DRIVER_VENDOR[driver]!
        : null;
    const gpu = anyGpuEvent || driverVendor !== null;
    const vendor = anyVendor ?? driverVendor;
    const label = gpu
      ? `GPU ${bdf}${vendor ? ` (${VENDOR_NAME[vendor]})` : ''}`
      : `${driver ?? 'PCI device'} ${bdf}`;
    return {
      key,
      bdf,
      router: null,
      vendor: gpu ? vendor : null,
      role: gpu ? 'gpu' : 'pci',
      label,
      ...(driver === undefined ? {} : { driver }),
    };
  }
  if (key.startsWith('gpu:')) {
    const v = key.slice(4) as GpuVendor | 'other';
    const name = v === 'other' ? 'GPU' : `${VENDOR_NAME[v]} GPU`;
    return {
      key,
      bdf: null,
      router: null,
      vendor: v === 'other' ? null : v,
      role: 'gpu',
      label: `${name} (address not in the log)`,
    };
  }
  return { key, bdf: null, router: null, vendor: null, role: 'unknown', label: 'Unknown device' };
}

/** Groups events by device key, attaching address-less GPU events where that is unambiguous. */
export function groupEvents(events: readonly LocatedEvent[]): Map<string, LocatedEvent[]> {
  const groups = new Map<string, LocatedEvent[]>();
  const add = (key: string, e: LocatedEvent): void => {
    const list = groups.get(key);
    if (list) list.push(e);
    else groups.set(key, [e]);
  };
  const gpuByVendor = new Map<GpuVendor, Set<string>>();
  for (const e of events) {
    const v = vendorOf(e.text);
    if (e.bdf !== null && v !== null && isGpuEvent(e)) {
      gpuByVendor.set(v, (gpuByVendor.get(v) ?? new Set()).add(e.bdf));
    }
  }
  for (const e of events) {
    if (e.bdf !== null) add(`pci:${e.bdf}`, e);
    else if (e.router !== undefined) add(`tb:${e.router}`, e);
    else if (isGpuEvent(e)) {
      const v = vendorOf(e.text);
      const known = v === null ? undefined : gpuByVendor.get(v);
      add(known?.size === 1 ? `pci:${[...known][0]!}` : `gpu:${v ?? 'other'}`, e);
    } else add('unknown', e);
  }
  return groups;
}
