// DbusConnection over dbus-next 0.10.2, loaded lazily by dbus.ts. Only the low-level API is used
// (Message, bus.call, the 'message' event): no introspection round trips, and our own match-rule
// bookkeeping, because dbus-next's _addMatch/_removeMatch refcount has its hasOwnProperty
// arguments swapped (rules are never removed). dbus-next also never settles a pending call when
// the socket dies, so every call here has a timeout and is failed on close. What this program
// sends as a service (replies, errors, signals) it marshals itself (dbus-marshal.ts).

import { Message, MessageType, sessionBus, type MessageBus } from 'dbus-next';
import { toDisposable } from '../common/disposable.js';
import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import type {
  BusKind,
  CallReply,
  DbusConnection,
  DbusSignal,
  IncomingCall,
  NameReply,
  SignalMatch,
  Watch,
} from './dbus.js';
import {
  DBUS,
  DBUS_PATH,
  PROPS,
  fromWire,
  mapDbusError,
  matchRule,
  signalMatches,
  toWire,
} from './dbus-wire.js';
import { MessageKind, marshalMessage, type OutgoingMessage } from './dbus-marshal.js';

type Internal = { _connection?: { stream?: NodeJS.WritableStream & NodeJS.EventEmitter } };

type Options = { connectTimeoutMs: number; callTimeoutMs: number };

const errorMessage = (
  to: { replySerial: number; destination: string },
  name: string,
  text: string,
): Omit<OutgoingMessage, 'serial'> => ({
  kind: MessageKind.error,
  ...to,
  errorName: name,
  signature: 's',
  body: [text],
});

export function connectDbusNext(
  kind: BusKind,
  address: string,
  options: Options,
): Promise<Result<DbusConnection>> {
  let bus: MessageBus;
  try {
    bus = sessionBus({ busAddress: address });
  } catch (e) {
    return Promise.resolve(err(mapDbusError(e, `cannot connect to the ${kind} bus at ${address}`)));
  }
  return new Promise((resolve) => {
    let settled = false;
    const fail = (e: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        bus.disconnect();
      } catch {
        // The socket is already gone.
      }
      resolve(err(mapDbusError(e, `cannot connect to the ${kind} bus at ${address}`)));
    };
    const timer = setTimeout(() => fail({ code: 'ETIMEDOUT' }), options.connectTimeoutMs);
    bus.on('error', (e: unknown) => fail(e));
    bus.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok(wrapBus(kind, address, bus, options)));
    });
  });
}

function wrapBus(
  kind: BusKind,
  address: string,
  bus: MessageBus,
  options: Options,
): DbusConnection {
  type Sub = { match: SignalMatch; onSignal: (s: DbusSignal) => void };
  const subs = new Set<Sub>();
  const closeListeners = new Set<(reason: string) => void>();
  const pending = new Set<(e: AppError) => void>();
  let closed = false;
  let lastError = '';

  const markClosed = (reason: string): void => {
    if (closed) return;
    closed = true;
    subs.clear();
    for (const fail of [...pending]) fail(appError('io', `the ${kind} bus connection closed`));
    for (const l of [...closeListeners]) l(reason);
    closeListeners.clear();
  };
  bus.on('error', (e: unknown) => {
    lastError = e instanceof Error ? e.message : String(e);
  });
  const stream = (bus as unknown as Internal)._connection?.stream;
  stream?.on('close', () => markClosed(lastError || 'the bus closed the connection'));

  /**
   * Sends a reply or signal marshalled here (dbus-marshal.ts), on the socket dbus-next writes its
   * own messages to, in order with them; throws, sending nothing, on a value that does not fit.
   */
  const write = (m: Omit<OutgoingMessage, 'serial'>): void => {
    const bytes = marshalMessage({ ...m, serial: bus.newSerial() });
    if (stream?.writable !== true) return; // closing: dbus-next would throw, the caller is gone
    // As dbus-next writes (lib/connection.js): a socket that passes fds takes {data, fds}.
    if ((stream as { supportsUnixFd?: boolean }).supportsUnixFd === true)
      (stream as unknown as { write(x: { data: Buffer; fds: number[] }): void }).write({
        data: bytes,
        fds: [],
      });
    else stream.write(bytes);
  };

  bus.on('message', (msg: Message) => {
    if (msg.type !== MessageType.SIGNAL) return;
    for (const sub of [...subs]) {
      if (!subs.has(sub) || !signalMatches(sub.match, msg)) continue;
      const signal: DbusSignal = {
        sender: msg.sender,
        path: msg.path,
        iface: msg.interface,
        member: msg.member,
        body: (msg.body ?? []).map(fromWire),
      };
      try {
        sub.onSignal(signal);
      } catch (e) {
        // dbus-next would swallow it and answer the signal with an error message: rethrow
        // outside its handler so a bug in a listener stays a visible bug.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  });

  const call: DbusConnection['call'] = (c) => {
    if (closed) return Promise.resolve(err(appError('io', `the ${kind} bus connection is closed`)));
    const what = `${c.destination} ${c.iface}.${c.member}`;
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: Result<unknown[]>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        pending.delete(failPending);
        resolve(r);
      };
      const failPending = (e: AppError): void => finish(err(e));
      const timer = setTimeout(
        () => finish(err(appError('timeout', `${what}: no reply`))),
        c.timeoutMs ?? options.callTimeoutMs,
      );
      pending.add(failPending);
      try {
        const msg = new Message({
          destination: c.destination,
          path: c.path,
          interface: c.iface,
          member: c.member,
          signature: c.signature ?? '',
          body: (c.body ?? []).map(toWire),
        });
        bus.call(msg).then(
          (reply) => finish(ok((reply?.body ?? []).map(fromWire))),
          (e: unknown) => finish(err(mapDbusError(e, what))),
        );
      } catch (e) {
        finish(err(mapDbusError(e, what)));
      }
    });
  };

  const daemon = (member: string, signature: string, body: unknown[]): Promise<Result<unknown[]>> =>
    call({ destination: DBUS, path: DBUS_PATH, iface: DBUS, member, signature, body });

  const watchSignal: DbusConnection['watchSignal'] = (match, onSignal): Watch => {
    const sub: Sub = { match, onSignal };
    const rule = matchRule(match);
    subs.add(sub);
    const ready = daemon('AddMatch', 's', [rule]).then((r) => (r.ok ? ok(undefined) : r));
    let disposed = false;
    return {
      ready,
      dispose() {
        if (disposed) return;
        disposed = true;
        subs.delete(sub);
        if (!closed) void daemon('RemoveMatch', 's', [rule]);
      },
    };
  };

  return {
    bus: kind,
    address,
    uniqueName: (bus as unknown as { name?: string | null }).name ?? '',
    get closed() {
      return closed;
    },
    call,
    async getProperty(destination, path, iface, name) {
      const r = await call({
        destination,
        path,
        iface: PROPS,
        member: 'Get',
        signature: 'ss',
        body: [iface, name],
      });
      return r.ok ? ok(r.value[0]) : r;
    },
    async getAllProperties(destination, path, iface) {
      const r = await call({
        destination,
        path,
        iface: PROPS,
        member: 'GetAll',
        signature: 's',
        body: [iface],
      });
      if (!r.ok) return r;
      const dict = r.value[0];
      return typeof dict === 'object' && dict !== null && !Array.isArray(dict)
        ? ok(dict as Record<string, unknown>)
        : err(appError('invalid-input', `${destination} ${path}: GetAll returned no dictionary`));
    },
    watchSignal,
    watchPropertiesChanged(m, onChange) {
      return watchSignal(
        { ...m, iface: PROPS, member: 'PropertiesChanged', arg0: m.iface },
        (s) => {
          const [iface, changed, invalidated] = s.body;
          if (typeof iface !== 'string' || typeof changed !== 'object' || changed === null) return;
          const inv = Array.isArray(invalidated)
            ? invalidated.filter((x): x is string => typeof x === 'string')
            : [];
          onChange({
            sender: s.sender,
            path: s.path,
            iface,
            changed: changed as Record<string, unknown>,
            invalidated: inv,
          });
        },
      );
    },
    watchNameOwner(name, onOwner) {
      let known: string | null | undefined;
      let changesSeen = 0;
      let disposed = false;
      const set = (owner: string | null): void => {
        if (disposed || owner === known) return;
        known = owner;
        onOwner(owner);
      };
      const w = watchSignal(
        { sender: DBUS, path: DBUS_PATH, iface: DBUS, member: 'NameOwnerChanged', arg0: name },
        (s) => {
          changesSeen++;
          const owner = s.body[2];
          set(typeof owner === 'string' && owner !== '' ? owner : null);
        },
      );
      // Sent after AddMatch on the same connection, so the daemon answers with the rule in place.
      // A NameOwnerChanged seen after sending is at least as new as the reply: then it wins.
      const seenAtSend = changesSeen;
      void daemon('GetNameOwner', 's', [name]).then((r) => {
        if (changesSeen !== seenAtSend) return;
        const owner = r.ok ? r.value[0] : null;
        set(typeof owner === 'string' && owner !== '' ? owner : null);
      });
      return {
        ready: w.ready,
        dispose() {
          disposed = true;
          w.dispose();
        },
      };
    },
    serve(handler) {
      const onCall = (msg: Message): boolean => {
        const incoming: IncomingCall = {
          sender: msg.sender,
          path: msg.path,
          iface: msg.interface ?? '',
          member: msg.member,
          signature: msg.signature ?? '',
          body: (msg.body ?? []).map(fromWire),
        };
        const answer = handler(incoming);
        if (answer === null) return false;
        const send = (reply: CallReply): void => {
          if (closed) return;
          // NO_REPLY_EXPECTED (0x1): the caller asked for no answer (D-Bus specification).
          if (((msg.flags ?? 0) & 1) !== 0) return;
          // An incoming call always has a serial (dbus-next fills it from the header).
          const to = { replySerial: msg.serial ?? 0, destination: msg.sender };
          try {
            write(
              'error' in reply
                ? errorMessage(to, reply.error, reply.message)
                : {
                    kind: MessageKind.methodReturn,
                    ...to,
                    signature: reply.signature,
                    body: reply.body,
                  },
            );
          } catch (e) {
            // A reply that does not match its signature is our bug: say so to the caller.
            write(
              errorMessage(
                to,
                'org.freedesktop.DBus.Error.Failed',
                `internal error: ${e instanceof Error ? e.message : String(e)}`,
              ),
            );
          }
        };
        answer.then(send, (e: unknown) =>
          send({
            error: 'org.freedesktop.DBus.Error.Failed',
            message: `internal error: ${e instanceof Error ? e.message : String(e)}`,
          }),
        );
        return true;
      };
      bus.addMethodHandler(onCall);
      return toDisposable(() => bus.removeMethodHandler(onCall));
    },
    async requestName(name, flags = {}) {
      const bits =
        (flags.allowReplacement ? 1 : 0) | (flags.replaceExisting ? 2 : 0) | (flags.queue ? 0 : 4);
      const r = await daemon('RequestName', 'su', [name, bits]);
      if (!r.ok) return r;
      const replies: Record<number, NameReply> = {
        1: 'primary-owner',
        2: 'in-queue',
        3: 'exists',
        4: 'already-owner',
      };
      const reply = replies[Number(r.value[0])];
      return reply === undefined
        ? err(
            appError(
              'invalid-input',
              `RequestName ${name}: unexpected answer ${String(r.value[0])}`,
            ),
          )
        : ok(reply);
    },
    async releaseName(name) {
      const r = await daemon('ReleaseName', 's', [name]);
      return r.ok ? ok(undefined) : r;
    },
    emitSignal(s) {
      if (closed) return;
      write({
        kind: MessageKind.signal,
        path: s.path,
        iface: s.iface,
        member: s.member,
        signature: s.signature,
        body: s.body,
      });
    },
    async peerUid(name) {
      const r = await daemon('GetConnectionUnixUser', 's', [name]);
      if (!r.ok) return r;
      const uid = Number(r.value[0]);
      return Number.isInteger(uid)
        ? ok(uid)
        : err(appError('invalid-input', `GetConnectionUnixUser ${name}: no uid`));
    },
    onClose(listener) {
      closeListeners.add(listener);
      return toDisposable(() => closeListeners.delete(listener));
    },
    close() {
      if (closed) return;
      closed = true;
      subs.clear();
      closeListeners.clear();
      for (const fail of [...pending])
        fail(appError('cancelled', 'the D-Bus connection was closed'));
      try {
        bus.disconnect();
      } catch {
        // Already disconnected.
      }
    },
  };
}
