// Pure, total conversions of D-Bus property values (already unwrapped by the DbusPort) into the
// event shapes. Unknown keys are ignored and wrong types fall back to empty values, because
// services add properties over time (bolt's data/org.freedesktop.bolt.xml and
// switcheroo-control's NEWS show them growing).

import type { BoltDevice, SwitcherooGpu } from '../common/source-events.js';

type Dict = Readonly<Record<string, unknown>>;

export const isDict = (v: unknown): v is Dict =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

const str = (d: Dict, key: string): string => {
  const v = d[key];
  return typeof v === 'string' ? v : '';
};

/** bolt's AuthFlags: '|'-separated from none, nopcie, secure, nokey, boot ("secure | boot"). */
export const splitAuthFlags = (flags: string): string[] =>
  flags
    .split('|')
    .map((f) => f.trim())
    .filter((f) => f !== '');

/** bolt escapes every character outside [A-Za-z0-9_] of the uid as '_' in the object path. */
export const boltDevicePath = (uid: string): string =>
  `/org/freedesktop/bolt/devices/${uid.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** A bolt1.Device property dictionary → BoltDevice; null when it has no Uid. */
export function parseBoltDevice(props: unknown, objectPath?: string): BoltDevice | null {
  if (!isDict(props)) return null;
  const uid = str(props, 'Uid');
  if (uid === '') return null;
  const device: BoltDevice = {
    uid,
    name: str(props, 'Name'),
    vendor: str(props, 'Vendor'),
    type: str(props, 'Type'),
    status: str(props, 'Status'),
    authFlags: splitAuthFlags(str(props, 'AuthFlags')),
    stored: props['Stored'] === true,
    policy: str(props, 'Policy'),
    sysfsPath: str(props, 'SysfsPath'),
    domain: str(props, 'Domain'),
  };
  const gen = props['Generation'];
  if (typeof gen === 'number' && Number.isInteger(gen) && gen >= 0) device.generation = gen;
  if (objectPath !== undefined) device.objectPath = objectPath;
  return device;
}

/** 'pci-0000_06_00_0' (udev's ID_PATH_TAG, used as DRI_PRIME by switcheroo) → '0000:06:00.0'. */
export function bdfFromDriPrime(value: string): string | null {
  const m = /^pci-([0-9a-f]{4})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$/i.exec(value.trim());
  if (m === null) return null;
  const [, domain, bus, dev, fn] = m;
  return `${domain}:${bus}:${dev}.${fn}`.toLowerCase();
}

/** switcheroo's Environment: a flat, even-length list of name/value pairs → record. */
export function environmentRecord(list: unknown): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (!Array.isArray(list)) return out;
  for (let i = 0; i + 1 < list.length; i += 2) {
    const k: unknown = list[i];
    const v: unknown = list[i + 1];
    if (typeof k === 'string' && typeof v === 'string' && k !== '') out[k] = v;
  }
  return out;
}

/** switcheroo's GPUs property (aa{sv}: Name s, Environment as, Default b) → SwitcherooGpu[]. */
export function parseSwitcherooGpus(value: unknown): SwitcherooGpu[] {
  if (!Array.isArray(value)) return [];
  const gpus: SwitcherooGpu[] = [];
  for (const entry of value as unknown[]) {
    if (!isDict(entry)) continue;
    const environment = environmentRecord(entry['Environment']);
    const prime = environment['DRI_PRIME'];
    gpus.push({
      name: str(entry, 'Name'),
      default: entry['Default'] === true,
      environment,
      bdf: prime === undefined ? null : bdfFromDriPrime(prime),
    });
  }
  return gpus;
}
