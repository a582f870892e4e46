// Test support: fake logind (PrepareForSleep), switcheroo-control (GPUs aa{sv}) and a desktop
// notification server (Notify/CloseNotification/GetCapabilities, ActionInvoked and
// NotificationClosed), exported with dbus-next on a test bus.

import { Variant, interface as dbusInterface } from 'dbus-next';
import { connectAs, type ServiceConnection } from './fake-service-bus.js';

const { Interface } = dbusInterface;

// ---- logind ---------------------------------------------------------------------------------

class LogindManagerIface extends Interface {
  PreparingForSleep = false;
  constructor() {
    super('org.freedesktop.login1.Manager');
  }
  PrepareForSleep(start: boolean): boolean {
    return start;
  }
}
LogindManagerIface.configureMembers({
  properties: { PreparingForSleep: { signature: 'b', access: 'read' } },
  signals: { PrepareForSleep: { signature: 'b' } },
});

export type FakeLogind = { prepareForSleep(start: boolean): void; stop(): Promise<void> };

/** `name` null: an impostor connection that emits the same signal without owning the name. */
export async function startFakeLogind(
  address: string,
  name: string | null = 'org.freedesktop.login1',
): Promise<FakeLogind> {
  const conn: ServiceConnection = await connectAs(address, name);
  const manager = new LogindManagerIface();
  conn.bus.export('/org/freedesktop/login1', manager);
  return {
    prepareForSleep(start) {
      manager.PreparingForSleep = start;
      manager.PrepareForSleep(start);
    },
    stop: () => conn.stop(),
  };
}

// ---- switcheroo-control ----------------------------------------------------------------------

export type FakeGpu = { name: string; environment: string[]; default: boolean };

const toWireGpus = (gpus: readonly FakeGpu[]): Record<string, Variant>[] =>
  gpus.map((g) => ({
    Name: new Variant('s', g.name),
    Environment: new Variant('as', g.environment),
    Default: new Variant('b', g.default),
  }));

class SwitcherooIface extends Interface {
  HasDualGpu = false;
  NumGPUs = 0;
  GPUs: Record<string, Variant>[] = [];
  constructor() {
    super('net.hadess.SwitcherooControl');
  }
}
SwitcherooIface.configureMembers({
  properties: {
    HasDualGpu: { signature: 'b', access: 'read' },
    NumGPUs: { signature: 'u', access: 'read' },
    GPUs: { signature: 'aa{sv}', access: 'read' },
  },
});

export type FakeSwitcheroo = { setGpus(gpus: readonly FakeGpu[]): void; stop(): Promise<void> };

export async function startFakeSwitcheroo(
  address: string,
  gpus: readonly FakeGpu[],
): Promise<FakeSwitcheroo> {
  const conn = await connectAs(address, 'net.hadess.SwitcherooControl');
  const iface = new SwitcherooIface();
  const set = (list: readonly FakeGpu[]): void => {
    iface.GPUs = toWireGpus(list);
    iface.NumGPUs = list.length;
    iface.HasDualGpu = list.length > 1;
  };
  set(gpus);
  conn.bus.export('/net/hadess/SwitcherooControl', iface);
  return {
    setGpus(list) {
      set(list);
      // switcheroo-control announces both, like its "GPUs added or removed" path does.
      Interface.emitPropertiesChanged(iface, { GPUs: iface.GPUs, NumGPUs: iface.NumGPUs }, []);
    },
    stop: () => conn.stop(),
  };
}

// ---- notification server ---------------------------------------------------------------------

export type NotifyCall = {
  appName: string;
  replacesId: number;
  icon: string;
  summary: string;
  body: string;
  actions: string[];
  hints: Record<string, unknown>;
  expire: number;
  id: number;
};

class NotificationsIface extends Interface {
  calls: NotifyCall[] = [];
  closed: number[] = [];
  private next = 1;
  constructor(private readonly caps: string[]) {
    super('org.freedesktop.Notifications');
  }
  Notify(
    appName: string,
    replacesId: number,
    icon: string,
    summary: string,
    body: string,
    actions: string[],
    hints: Record<string, Variant>,
    expire: number,
  ): number {
    const id = replacesId !== 0 ? replacesId : this.next++;
    const plain = Object.fromEntries(Object.entries(hints).map(([k, v]) => [k, v.value]));
    this.calls.push({
      appName,
      replacesId,
      icon,
      summary,
      body,
      actions,
      hints: plain,
      expire,
      id,
    });
    return id;
  }
  CloseNotification(id: number): void {
    this.closed.push(id);
    this.NotificationClosed(id, 3);
  }
  GetCapabilities(): string[] {
    return this.caps;
  }
  GetServerInformation(): string[] {
    return ['fake-notifyd', 'eGPU Guard tests', '1.0', '1.2'];
  }
  NotificationClosed(id: number, reason: number): [number, number] {
    return [id, reason];
  }
  ActionInvoked(id: number, key: string): [number, string] {
    return [id, key];
  }
}
NotificationsIface.configureMembers({
  methods: {
    Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
    CloseNotification: { inSignature: 'u', outSignature: '' },
    GetCapabilities: { inSignature: '', outSignature: 'as' },
    GetServerInformation: { inSignature: '', outSignature: 'ssss' },
  },
  signals: {
    NotificationClosed: { signature: 'uu' },
    ActionInvoked: { signature: 'us' },
  },
});

export type FakeNotificationServer = {
  readonly calls: NotifyCall[];
  readonly closed: number[];
  invokeAction(id: number, key: string): void;
  /** The user dismissed it (reason 2). */
  dismiss(id: number): void;
  stop(): Promise<void>;
};

export async function startFakeNotificationServer(
  address: string,
  capabilities: string[] = ['actions', 'body', 'persistence'],
): Promise<FakeNotificationServer> {
  const conn = await connectAs(address, 'org.freedesktop.Notifications');
  const iface = new NotificationsIface(capabilities);
  conn.bus.export('/org/freedesktop/Notifications', iface);
  return {
    calls: iface.calls,
    closed: iface.closed,
    invokeAction: (id, key) => iface.ActionInvoked(id, key),
    dismiss: (id) => iface.NotificationClosed(id, 2),
    stop: () => conn.stop(),
  };
}
