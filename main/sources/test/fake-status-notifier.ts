// Test support: a fake org.kde.StatusNotifierWatcher on a private session bus — what a panel
// with a tray (KDE, the GNOME AppIndicator extension, waybar) runs. `host` says whether a
// StatusNotifier host (the part that draws the icons) has registered with it.

import { interface as dbusInterface } from 'dbus-next';
import { connectAs } from './fake-service-bus.js';

const { Interface } = dbusInterface;

class WatcherIface extends Interface {
  IsStatusNotifierHostRegistered = false;
  ProtocolVersion = 0;
  RegisteredStatusNotifierItems: string[] = [];
  constructor() {
    super('org.kde.StatusNotifierWatcher');
  }
}
WatcherIface.configureMembers({
  properties: {
    IsStatusNotifierHostRegistered: { signature: 'b', access: 'read' },
    ProtocolVersion: { signature: 'i', access: 'read' },
    RegisteredStatusNotifierItems: { signature: 'as', access: 'read' },
  },
});

export type FakeStatusNotifierWatcher = { stop(): Promise<void> };

export async function startFakeStatusNotifierWatcher(
  address: string,
  host: boolean,
): Promise<FakeStatusNotifierWatcher> {
  const conn = await connectAs(address, 'org.kde.StatusNotifierWatcher');
  const iface = new WatcherIface();
  iface.IsStatusNotifierHostRegistered = host;
  conn.bus.export('/StatusNotifierWatcher', iface);
  return { stop: () => conn.stop() };
}
