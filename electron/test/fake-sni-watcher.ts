// Test support: a fake org.kde.StatusNotifierWatcher (what a panel such as KDE's or the GNOME
// AppIndicator extension runs), exported with dbus-next on a private session bus.

import { interface as dbusInterface } from 'dbus-next';
import { connectAs } from '../../main/sources/test/fake-service-bus.js';

const { Interface } = dbusInterface;

class WatcherIface extends Interface {
  IsStatusNotifierHostRegistered = false;
  ProtocolVersion = 0;
  constructor() {
    super('org.kde.StatusNotifierWatcher');
  }
  RegisterStatusNotifierHost(_service: string): void {
    this.IsStatusNotifierHostRegistered = true;
    this.StatusNotifierHostRegistered();
  }
  StatusNotifierHostRegistered(): void {}
}
WatcherIface.configureMembers({
  properties: {
    IsStatusNotifierHostRegistered: { signature: 'b', access: 'read' },
    ProtocolVersion: { signature: 'i', access: 'read' },
  },
  methods: { RegisterStatusNotifierHost: { inSignature: 's', outSignature: '' } },
  signals: { StatusNotifierHostRegistered: { signature: '' } },
});

export type FakeWatcher = { registerHost(): void; stop(): Promise<void> };

export async function startFakeWatcher(address: string, withHost: boolean): Promise<FakeWatcher> {
  const conn = await connectAs(address, 'org.kde.StatusNotifierWatcher');
  const iface = new WatcherIface();
  iface.IsStatusNotifierHostRegistered = withHost;
  conn.bus.export('/StatusNotifierWatcher', iface);
  return {
    registerHost: () => iface.RegisterStatusNotifierHost('org.kde.StatusNotifierHost-1'),
    stop: () => conn.stop(),
  };
}
