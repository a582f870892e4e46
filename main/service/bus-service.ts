// The session's core on the session bus: io.github.EgpuGuard1's object, answering the Manager
// interface for integrators and the Faces interface for eGPU Guard's own windows and CLI — both
// through the one router (main/core/router.ts), so a D-Bus eject and a window's eject are the
// same operation and "one guided action at a time" holds across them. Signals and
// PropertiesChanged come from the core's events. Every call but introspection must come from
// this session's own user (the session bus is theirs already; the check makes it explicit).

import type { ActionProgressMessage, IpcResult } from '../common/ipc/contract.js';
import type { Disposable } from '../common/disposable.js';
import { DisposableStore, toDisposable } from '../common/disposable.js';
import type { AppError } from '../common/errors.js';
import { INVOKE_CHANNELS, type InvokeChannel } from '../common/ipc/channels.js';
import { parseInput } from '../common/ipc/schemas.js';
import type { Result } from '../common/result.js';
import type { Incident, Notice, Snapshot, Transition } from '../common/snapshot.js';
import type { Core } from '../core/api.js';
import type { HandlerMap } from '../core/router.js';
import {
  DbusVariant,
  type CallReply,
  type DbusConnection,
  type IncomingCall,
} from '../platform/dbus.js';
import { ERROR_PREFIX, FACES_IFACE, MANAGER_IFACE, OBJECT_PATH } from './bus-names.js';
import { INTERFACES, MANAGER, objectXml, parentXml, type MethodSpec } from './interface-spec.js';
import {
  adviceDict,
  clientDict,
  gpusValue,
  incidentsValue,
  parseEjectOptions,
  planDict,
  stateKeys,
} from './manager-values.js';

const PROPS = 'org.freedesktop.DBus.Properties';
const INTROSPECTABLE = 'org.freedesktop.DBus.Introspectable';
const PEER = 'org.freedesktop.DBus.Peer';

export type BusService = Disposable & {
  /** Hand every action progress message of the router's runs here (RunProgress, RunFinished). */
  progress(message: ActionProgressMessage): void;
};

export type BusServiceOptions = {
  readonly conn: DbusConnection;
  readonly core: Core;
  /** The router the host's other transports use too (one set of action runs). */
  readonly handlers: HandlerMap;
  readonly version: string;
  /** The only user allowed to call (this process's uid); null skips the check. */
  readonly uid: number | null;
  readonly onBug?: (what: string, error: unknown) => void;
};

const reply = (signature: string, ...body: unknown[]): CallReply => ({ signature, body });
const fail = (error: string, message: string): CallReply => ({ error, message });
const invalidArgs = (message: string): CallReply =>
  fail('org.freedesktop.DBus.Error.InvalidArgs', message);

/** AppError codes as D-Bus error names: io.github.EgpuGuard1.Error.NotFound, …Busy, … */
export function errorName(code: AppError['code']): string {
  if (code === 'invalid-input') return 'org.freedesktop.DBus.Error.InvalidArgs';
  return `${ERROR_PREFIX}.${code
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`;
}

const fromResult = <T>(r: Result<T>, answer: (v: T) => CallReply): CallReply =>
  r.ok ? answer(r.value) : fail(errorName(r.error.code), r.error.message);

const methodOf = (iface: string, member: string): { iface: string; spec: MethodSpec } | null => {
  for (const i of INTERFACES) {
    if (iface !== '' && iface !== i.name) continue;
    const spec = i.methods.find((m) => m.name === member);
    if (spec) return { iface: i.name, spec };
  }
  return null;
};

const inSignature = (m: MethodSpec): string => m.in.map((a) => a.type).join('');

/** A property value as comparable text: int64s (x) are BigInts, which JSON cannot write. */
const valueText = (v: unknown): string =>
  JSON.stringify(v, (_key, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

/** Parents of the object path: '/', '/io', '/io/github' → the next segment down. */
function childBelow(path: string): string | null {
  const parts = OBJECT_PATH.split('/').slice(1);
  for (let i = 0; i < parts.length; i++) {
    const parent = '/' + parts.slice(0, i).join('/');
    if (path === parent) return parts[i] ?? null;
  }
  return null;
}

export function serveCore(o: BusServiceOptions): BusService {
  const { conn, core, handlers } = o;
  const store = new DisposableStore();
  const allowed = new Map<string, Promise<boolean>>();

  const callerAllowed = (sender: string): Promise<boolean> => {
    if (o.uid === null) return Promise.resolve(true);
    let known = allowed.get(sender);
    if (known === undefined) {
      known = conn.peerUid(sender).then((r) => r.ok && r.value === o.uid);
      allowed.set(sender, known);
      // Unique names are never reused on a bus; forget them after a while to bound the map.
      const oldest = allowed.keys().next().value;
      if (allowed.size > 256 && oldest !== undefined) allowed.delete(oldest);
    }
    return known;
  };

  // A D-Bus caller knows the method, not the window's channel: `member` names it in errors.
  const route = async <C extends InvokeChannel>(channel: C, raw: unknown, member?: string) => {
    const input = parseInput(channel, raw, member);
    if (!input.ok) return input;
    return handlers[channel](input.value);
  };

  const manager = async (member: string, body: readonly unknown[]): Promise<CallReply> => {
    const str = (i: number): string => {
      const v = body[i];
      return typeof v === 'string' ? v : '';
    };
    switch (member) {
      case 'PlanEject':
        return fromResult(await route('eject:plan', { bdf: str(0) }, member), (p) =>
          reply('a{sv}', planDict(p)),
        );
      case 'Eject': {
        const opts = parseEjectOptions(body[1]);
        if (!opts.ok) return invalidArgs(opts.message);
        let closePids = opts.value.closePids;
        if (opts.value.closeApps && closePids.length === 0) {
          // close_apps alone: the apps the plan says may be closed, as `egpu eject --close-apps`.
          const plan = await route('eject:plan', { bdf: str(0) }, member);
          if (!plan.ok) return fromResult(plan, () => reply(''));
          closePids = plan.value.blockers.flatMap((k) =>
            k.closable && k.pid !== undefined ? [k.pid] : [],
          );
        }
        return fromResult(
          await route('eject:run', { bdf: str(0), closePids, force: opts.value.force }, member),
          (r) => reply('s', r.runId),
        );
      }
      case 'PlanRecover':
        return fromResult(await route('recover:plan', { bdf: str(0) || null }, member), (p) =>
          reply('a{sv}', planDict(p)),
        );
      case 'Recover': {
        const opts = body[1];
        const keys = typeof opts === 'object' && opts !== null ? Object.keys(opts) : [];
        if (keys.length > 0) return invalidArgs(`Recover takes no options yet (got '${keys[0]}')`);
        return fromResult(await route('recover:run', { bdf: str(0) || null }, member), (r) =>
          reply('s', r.runId),
        );
      }
      case 'Cancel':
        return fromResult(await route('action:cancel', { runId: str(0) }, member), () => reply(''));
      case 'Clients': {
        const bdf = str(0);
        if (bdf !== '' && !core.snapshot().gpus.some((g) => g.bdf === bdf))
          return fail(errorName('not-found'), `There is no GPU ${bdf}.`);
        return fromResult(await route('clients:refresh', undefined), (report) =>
          reply(
            'aa{sv}',
            report.clients.filter((c) => bdf === '' || c.gpu === bdf).map(clientDict),
          ),
        );
      }
      case 'CompositorAdvice':
        return fromResult(await route('compositor:advice', undefined), (a) =>
          reply('a{sv}', adviceDict(a)),
        );
      default:
        return fail('org.freedesktop.DBus.Error.UnknownMethod', `No method ${member}.`);
    }
  };

  const CHANNELS: ReadonlySet<string> = new Set(Object.values(INVOKE_CHANNELS));

  const invoke = async (channel: string, json: string): Promise<IpcResult<unknown>> => {
    if (!CHANNELS.has(channel))
      return {
        ok: false,
        error: { code: 'not-found', message: `There is no channel '${channel}'.` },
      };
    let raw: unknown;
    try {
      raw = json === '' ? undefined : JSON.parse(json);
    } catch {
      return {
        ok: false,
        error: { code: 'invalid-input', message: `${channel}: input is not JSON` },
      };
    }
    const r = await route(channel as InvokeChannel, raw);
    return r.ok ? r : { ok: false, error: { code: r.error.code, message: r.error.message } };
  };

  const property = (name: string): DbusVariant | null => {
    const snap = core.snapshot();
    if (name === 'Version') return new DbusVariant('s', o.version);
    if (name === 'Gpus') return new DbusVariant('aa{sv}', gpusValue(snap));
    if (name === 'Incidents') return new DbusVariant('aa{sv}', incidentsValue(snap));
    return null;
  };

  const properties = (member: string, body: readonly unknown[]): CallReply => {
    const iface = typeof body[0] === 'string' ? body[0] : '';
    if (member === 'GetAll') {
      if (iface !== MANAGER_IFACE) return reply('a{sv}', {});
      return reply(
        'a{sv}',
        Object.fromEntries(MANAGER.properties.map((p) => [p.name, property(p.name)])),
      );
    }
    const name = typeof body[1] === 'string' ? body[1] : '';
    const known = iface === MANAGER_IFACE ? property(name) : null;
    if (known === null)
      return fail('org.freedesktop.DBus.Error.UnknownProperty', `No property ${iface}.${name}.`);
    if (member === 'Set')
      return fail('org.freedesktop.DBus.Error.PropertyReadOnly', `${name} is read-only.`);
    return reply('v', known);
  };

  const handle = async (call: IncomingCall): Promise<CallReply> => {
    if (call.iface === INTROSPECTABLE && call.member === 'Introspect')
      return reply('s', objectXml());
    if (call.iface === PEER && call.member === 'Ping') return reply('');
    if (!(await callerAllowed(call.sender)))
      return fail(
        'org.freedesktop.DBus.Error.AccessDenied',
        'Only the user of this session may use eGPU Guard here.',
      );
    if (call.iface === PROPS) {
      if (!['Get', 'GetAll', 'Set'].includes(call.member))
        return fail('org.freedesktop.DBus.Error.UnknownMethod', `No method ${call.member}.`);
      return properties(call.member, call.body);
    }
    const method = methodOf(call.iface, call.member);
    if (method === null)
      return fail(
        'org.freedesktop.DBus.Error.UnknownMethod',
        `No method ${call.iface === '' ? '' : call.iface + '.'}${call.member}.`,
      );
    if (call.signature !== inSignature(method.spec))
      return invalidArgs(
        `${call.member} takes (${inSignature(method.spec)}), not (${call.signature})`,
      );
    try {
      if (method.iface === FACES_IFACE) {
        const [channel, json] = call.body as [string, string];
        if (channel === INVOKE_CHANNELS.getSnapshot) attachFace(call.sender);
        return reply('s', JSON.stringify(await invoke(channel, json)));
      }
      return await manager(call.member, call.body);
    } catch (e) {
      o.onBug?.(call.member, e);
      return fail(errorName('internal'), `eGPU Guard hit an internal error (${call.member}).`);
    }
  };

  store.add(
    conn.serve((call) => {
      if (call.path === OBJECT_PATH) return handle(call);
      const child = childBelow(call.path);
      if (child !== null && call.iface !== PROPS && call.member === 'Introspect')
        return Promise.resolve(reply('s', parentXml(child)));
      return null;
    }),
  );

  const signal = (iface: string, member: string, signature: string, ...body: unknown[]): void =>
    conn.emitSignal({ path: OBJECT_PATH, iface, member, signature, body });

  // Faces.SnapshotChanged carries the whole picture — ~100 KB with a busy GPU — to eGPU Guard's
  // own windows only (main/service/remote-core.ts): it is sent while one is attached, a caller of
  // snapshot:get still on the bus, not on every client rescan to nobody.
  const faces = new Map<string, Disposable>();
  const attachFace = (sender: string): void => {
    if (faces.has(sender)) return;
    faces.set(
      sender,
      conn.watchNameOwner(sender, (owner) => {
        if (owner !== null) return;
        faces.get(sender)?.dispose();
        faces.delete(sender);
      }),
    );
  };
  store.add(
    toDisposable(() => {
      for (const w of faces.values()) w.dispose();
      faces.clear();
    }),
  );
  /**
   * The core's events reach the bus through these listeners: a bug here must cost a signal, never
   * the core (the listeners run inside the core's own event handling).
   */
  const guarded =
    <T>(what: string, listener: (value: T) => void) =>
    (value: T): void => {
      try {
        listener(value);
      } catch (e) {
        o.onBug?.(what, e);
      }
    };

  // PropertiesChanged and StateChanged from snapshot differences: a burst of events is one
  // snapshot (the core coalesces), and nothing is sent when what a caller reads did not change.
  let last: Snapshot = core.snapshot();
  let lastGpus = valueText(gpusValue(last));
  let lastIncidents = valueText(incidentsValue(last));
  let keys = stateKeys(last);
  store.add(
    core.onSnapshot(
      guarded('snapshot signals', (snap: Snapshot) => {
        if (faces.size > 0) signal(FACES_IFACE, 'SnapshotChanged', 's', JSON.stringify(snap));
        const next = stateKeys(snap);
        for (const [bdf, key] of next) {
          const before = keys.get(bdf) ?? '';
          if (before !== key) signal(MANAGER_IFACE, 'StateChanged', 'sss', bdf, before, key);
        }
        for (const [bdf, key] of keys)
          if (!next.has(bdf)) signal(MANAGER_IFACE, 'StateChanged', 'sss', bdf, key, '');
        keys = next;
        const changed: Record<string, DbusVariant> = {};
        const gpus = gpusValue(snap);
        const gpusJson = valueText(gpus);
        if (gpusJson !== lastGpus) changed['Gpus'] = new DbusVariant('aa{sv}', gpus);
        const incidents = incidentsValue(snap);
        const incidentsJson = valueText(incidents);
        if (incidentsJson !== lastIncidents)
          changed['Incidents'] = new DbusVariant('aa{sv}', incidents);
        lastGpus = gpusJson;
        lastIncidents = incidentsJson;
        last = snap;
        if (Object.keys(changed).length > 0)
          conn.emitSignal({
            path: OBJECT_PATH,
            iface: PROPS,
            member: 'PropertiesChanged',
            signature: 'sa{sv}as',
            body: [MANAGER_IFACE, changed, []],
          });
      }),
    ),
  );

  // Incidents keep merging evidence: IncidentOpened once per id, IncidentResolved once.
  const opened = new Set<string>();
  const resolved = new Set<string>();
  const onIncident = (i: Incident): void => {
    signal(FACES_IFACE, 'CoreEvent', 'ss', 'incident', JSON.stringify(i));
    if (!opened.has(i.id)) {
      opened.add(i.id);
      if (i.resolvedAt === undefined)
        signal(MANAGER_IFACE, 'IncidentOpened', 'ssss', i.id, i.gpu ?? '', i.severity, i.title);
    }
    if (i.resolvedAt !== undefined && !resolved.has(i.id)) {
      resolved.add(i.id);
      signal(MANAGER_IFACE, 'IncidentResolved', 'sss', i.id, i.gpu ?? '', i.outcome ?? '');
    }
  };
  for (const i of last.incidents) {
    opened.add(i.id);
    if (i.resolvedAt !== undefined) resolved.add(i.id);
  }
  store.add(core.onIncident(guarded('incident signals', onIncident)));
  store.add(
    core.onTransition(
      guarded('transition signals', (t: Transition) =>
        signal(FACES_IFACE, 'CoreEvent', 'ss', 'transition', JSON.stringify(t)),
      ),
    ),
  );
  store.add(
    core.onNotice(
      guarded('notice signals', (n: Notice) =>
        signal(FACES_IFACE, 'CoreEvent', 'ss', 'notice', JSON.stringify(n)),
      ),
    ),
  );
  store.add(toDisposable(() => allowed.clear()));

  return {
    progress: guarded('progress signals', (m: ActionProgressMessage) => {
      signal(FACES_IFACE, 'ActionProgress', 's', JSON.stringify(m));
      if (m.progress !== undefined)
        signal(
          MANAGER_IFACE,
          'RunProgress',
          'ssss',
          m.runId,
          m.progress.step,
          m.progress.status,
          m.progress.detail,
        );
      if (m.final !== undefined)
        signal(MANAGER_IFACE, 'RunFinished', 'sss', m.runId, m.final.result, m.final.detail);
    }),
    dispose: () => store.dispose(),
  };
}
