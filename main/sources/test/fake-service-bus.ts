// Test support: a connection that owns a well-known name on a test bus, for fake services
// exported with dbus-next (Interface.configureMembers, no decorators). stop() drops the
// connection, so the name vanishes the way it does when a daemon exits.

import type { Socket } from 'node:net';
import { NameFlag, RequestNameReply, sessionBus, type MessageBus } from 'dbus-next';

export type ServiceConnection = {
  readonly bus: MessageBus;
  stop(): Promise<void>;
};

export async function connectAs(address: string, name: string | null): Promise<ServiceConnection> {
  const bus = sessionBus({ busAddress: address });
  bus.on('error', () => undefined);
  if (name !== null) {
    const reply = await bus.requestName(name, NameFlag.DO_NOT_QUEUE);
    if (reply !== RequestNameReply.PRIMARY_OWNER)
      throw new Error(`could not own ${name} (${reply})`);
  } else {
    await new Promise<void>((resolve) => bus.once('connect', () => resolve()));
  }
  let stopped = false;
  return {
    bus,
    stop() {
      if (stopped) return Promise.resolve();
      stopped = true;
      const stream = (bus as unknown as { _connection: { stream: Socket } })._connection.stream;
      if (stream.closed || stream.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        stream.once('close', () => resolve());
        bus.disconnect();
      });
    },
  };
}
