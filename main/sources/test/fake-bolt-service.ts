// Test support: a fake boltd (org.freedesktop.bolt) with the 0.9 API shape of bolt's
// data/org.freedesktop.bolt.xml: Manager with ListDevices/DeviceByUid, DeviceAdded/DeviceRemoved,
// and Device objects whose Status changes are announced with PropertiesChanged. Stored devices
// keep their object when unplugged, as boltd does.

import { DBusError, interface as dbusInterface } from 'dbus-next';
import { connectAs, type ServiceConnection } from './fake-service-bus.js';

const { Interface } = dbusInterface;

export const FAKE_BOLT_NAME = 'org.freedesktop.bolt';

export type FakeBoltDevice = {
  uid: string;
  name: string;
  vendor: string;
  type?: string;
  status: string;
  authFlags?: string;
  stored?: boolean;
  policy?: string;
  sysfsPath?: string;
  domain?: string;
  generation?: number;
};

const devicePath = (uid: string): string =>
  `/org/freedesktop/bolt/devices/${uid.replace(/[^A-Za-z0-9_]/g, '_')}`;

class BoltDeviceIface extends Interface {
  Uid: string;
  Name: string;
  Vendor: string;
  Type: string;
  Generation: number;
  Status: string;
  AuthFlags: string;
  Parent = '';
  SysfsPath: string;
  Domain: string;
  Stored: boolean;
  Policy: string;
  Key = 'missing';
  Label: string;
  constructor(d: FakeBoltDevice) {
    super('org.freedesktop.bolt1.Device');
    this.Uid = d.uid;
    this.Name = d.name;
    this.Vendor = d.vendor;
    this.Type = d.type ?? 'peripheral';
    this.Generation = d.generation ?? 3;
    this.Status = d.status;
    this.AuthFlags = d.authFlags ?? 'none';
    this.SysfsPath = d.sysfsPath ?? '';
    this.Domain = d.domain ?? 'domain0';
    this.Stored = d.stored ?? false;
    this.Policy = d.policy ?? 'default';
    this.Label = d.name;
  }
  Authorize(_flags: string): void {
    this.Status = 'authorized';
    Interface.emitPropertiesChanged(this, { Status: 'authorized' }, []);
  }
}
BoltDeviceIface.configureMembers({
  properties: Object.fromEntries(
    (
      [
        ['Uid', 's'],
        ['Name', 's'],
        ['Vendor', 's'],
        ['Type', 's'],
        ['Generation', 'u'],
        ['Status', 's'],
        ['AuthFlags', 's'],
        ['Parent', 's'],
        ['SysfsPath', 's'],
        ['Domain', 's'],
        ['Stored', 'b'],
        ['Policy', 's'],
        ['Key', 's'],
        ['Label', 's'],
      ] as const
    ).map(([k, signature]) => [k, { signature, access: 'read' as const }]),
  ),
  methods: { Authorize: { inSignature: 's', outSignature: '' } },
});

class BoltManagerIface extends Interface {
  Version = 1;
  Probing = false;
  DefaultPolicy = 'auto';
  SecurityLevel: string;
  AuthMode = 'enabled';
  PowerState = 'on';
  Generation = 3;
  constructor(
    securityLevel: string,
    private readonly paths: () => string[],
  ) {
    super('org.freedesktop.bolt1.Manager');
    this.SecurityLevel = securityLevel;
  }
  ListDevices(): string[] {
    return this.paths();
  }
  DeviceByUid(uid: string): string {
    const p = devicePath(uid);
    if (!this.paths().includes(p))
      throw new DBusError('org.freedesktop.bolt.Error.Failed', 'no such device');
    return p;
  }
  DeviceAdded(path: string): string {
    return path;
  }
  DeviceRemoved(path: string): string {
    return path;
  }
}
BoltManagerIface.configureMembers({
  properties: {
    Version: { signature: 'u', access: 'read' },
    Probing: { signature: 'b', access: 'read' },
    DefaultPolicy: { signature: 's', access: 'read' },
    SecurityLevel: { signature: 's', access: 'read' },
    AuthMode: { signature: 's', access: 'read' },
    PowerState: { signature: 's', access: 'read' },
    Generation: { signature: 'u', access: 'read' },
  },
  methods: {
    ListDevices: { inSignature: '', outSignature: 'ao' },
    DeviceByUid: { inSignature: 's', outSignature: 'o' },
  },
  signals: { DeviceAdded: { signature: 'o' }, DeviceRemoved: { signature: 'o' } },
});

export type FakeBolt = {
  /** Exports the device; announces it with DeviceAdded unless announce is false. */
  addDevice(device: FakeBoltDevice, announce?: boolean): void;
  /** Unplug: a stored device only turns 'disconnected'; others disappear with DeviceRemoved. */
  unplug(uid: string): void;
  setStatus(uid: string, status: string): void;
  stop(): Promise<void>;
};

export async function startFakeBolt(
  address: string,
  devices: readonly FakeBoltDevice[] = [],
  securityLevel = 'user',
): Promise<FakeBolt> {
  const conn: ServiceConnection = await connectAs(address, FAKE_BOLT_NAME);
  const objects = new Map<string, BoltDeviceIface>();
  const manager = new BoltManagerIface(securityLevel, () => [...objects.keys()]);
  conn.bus.export('/org/freedesktop/bolt', manager);
  const add = (d: FakeBoltDevice, announce: boolean): void => {
    const iface = new BoltDeviceIface(d);
    const path = devicePath(d.uid);
    objects.set(path, iface);
    conn.bus.export(path, iface);
    if (announce) manager.DeviceAdded(path);
  };
  for (const d of devices) add(d, false);
  const find = (uid: string): BoltDeviceIface => {
    const iface = objects.get(devicePath(uid));
    if (iface === undefined) throw new Error(`fake bolt: no device ${uid}`);
    return iface;
  };
  return {
    addDevice: (d, announce = true) => add(d, announce),
    unplug(uid) {
      const iface = find(uid);
      if (iface.Stored) {
        iface.Status = 'disconnected';
        Interface.emitPropertiesChanged(iface, { Status: 'disconnected' }, []);
        return;
      }
      const path = devicePath(uid);
      objects.delete(path);
      conn.bus.unexport(path, iface);
      manager.DeviceRemoved(path);
    },
    setStatus(uid, status) {
      const iface = find(uid);
      iface.Status = status;
      Interface.emitPropertiesChanged(iface, { Status: status }, []);
    },
    stop: () => conn.stop(),
  };
}
