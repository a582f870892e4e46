// The Core API over the session bus: a face (`egpu ui`, the tray app, `egpu eject`) attached to
// the session's running core (`egpu service`, or the tray app that owns the name) instead of
// running a second one. Calls go to the Faces interface — the window's own IPC channels as JSON,
// answered by the host's router — and the host's events come back as its signals, so the
// attached face sees exactly what the host sees, including another face's eject in progress.

import type { ActionFinal, StepProgress } from '../common/actions-model.js';
import { Emitter, toDisposable, DisposableStore } from '../common/disposable.js';
import { appError } from '../common/errors.js';
import type { InvokeChannel } from '../common/ipc/channels.js';
import type {
  ActionProgressMessage,
  AppInfo,
  InputOf,
  IpcResult,
  Outputs,
} from '../common/ipc/contract.js';
import { err, ok, type Result } from '../common/result.js';
import type { Incident, Notice, Snapshot, Transition } from '../common/snapshot.js';
import type { ActionRun, Core } from '../core/api.js';
import type { DbusConnection, DbusPort } from '../platform/dbus.js';
import { BUS_NAME, FACES_IFACE, OBJECT_PATH } from './bus-names.js';

export type RemoteCore = Core & {
  /** The host's unique name on the bus. */
  readonly owner: string;
  /** The host went away (stopped, crashed) or the bus closed; the face should say so. */
  onLost(listener: (reason: string) => void): void;
  /** What the host is: the tray app ('electron') or `egpu service` ('browser'), its version. */
  appInfo(): Promise<Result<AppInfo>>;
};

const EMPTY: Snapshot = {
  gpus: [],
  incidents: [],
  thunderbolt: [],
  pendingDevices: [],
  sources: [],
  preparingForSleep: false,
  updatedAt: 0,
};

/** How long a face waits for the host's answer (an eject plan scans /proc; give it time). */
const CALL_TIMEOUT_MS = 60_000;

/**
 * The running session core, attached; null when no core owns the name (the caller runs its own).
 * Never starts one through D-Bus activation: a face asking "is there a core?" must not spawn one.
 */
export async function attachSessionCore(dbus: DbusPort): Promise<Result<RemoteCore | null>> {
  const connected = await dbus.connect({ bus: 'session' });
  if (!connected.ok) return connected.error.code === 'not-found' ? ok(null) : connected;
  const conn = connected.value;
  const owner = await conn.call({
    destination: 'org.freedesktop.DBus',
    path: '/org/freedesktop/DBus',
    iface: 'org.freedesktop.DBus',
    member: 'GetNameOwner',
    signature: 's',
    body: [BUS_NAME],
    timeoutMs: 2_000,
  });
  if (!owner.ok || typeof owner.value[0] !== 'string') {
    conn.close();
    return owner.ok || owner.error.code === 'not-found' ? ok(null) : owner;
  }
  return ok(createRemoteCore(conn, owner.value[0]));
}

export function createRemoteCore(conn: DbusConnection, owner: string): RemoteCore {
  const store = new DisposableStore();
  const snapshots = new Emitter<Snapshot>();
  const transitions = new Emitter<Transition>();
  const incidents = new Emitter<Incident>();
  const notices = new Emitter<Notice>();
  const progress = new Emitter<ActionProgressMessage>();
  const lost = new Set<(reason: string) => void>();
  let current: Snapshot = EMPTY;
  let gone: string | null = null;

  const markLost = (reason: string): void => {
    if (gone !== null) return;
    gone = reason;
    for (const l of lost) l(reason);
  };

  const invoke = async <C extends InvokeChannel>(
    channel: C,
    input: InputOf<C> | undefined,
  ): Promise<Result<Outputs[C]>> => {
    if (gone !== null) return err(appError('io', `the eGPU Guard service is gone (${gone})`));
    const r = await conn.call({
      destination: owner,
      path: OBJECT_PATH,
      iface: FACES_IFACE,
      member: 'Invoke',
      signature: 'ss',
      body: [channel, input === undefined ? '' : JSON.stringify(input)],
      timeoutMs: CALL_TIMEOUT_MS,
    });
    if (!r.ok) return r;
    try {
      const parsed = JSON.parse(String(r.value[0])) as IpcResult<Outputs[C]>;
      return parsed.ok ? ok(parsed.value) : err(appError(parsed.error.code, parsed.error.message));
    } catch {
      return err(appError('invalid-input', `${channel}: the service answered no JSON`));
    }
  };

  const parse = <T>(json: unknown): T | null => {
    try {
      return JSON.parse(String(json)) as T;
    } catch {
      return null;
    }
  };

  const startRun = (
    begin: () => Promise<Result<{ runId: string }>>,
    onProgress: (p: StepProgress) => void,
  ): ActionRun => {
    // Progress may arrive before the reply that names the run: keep it until the id is known.
    const early: ActionProgressMessage[] = [];
    let runId: string | null = null;
    let cancelAsked = false;
    let resolveDone!: (f: ActionFinal) => void;
    const done = new Promise<ActionFinal>((resolve) => (resolveDone = resolve));
    let finished = false;
    const finish = (f: ActionFinal): void => {
      if (finished) return;
      finished = true;
      sub.dispose();
      lostSub();
      resolveDone(f);
    };
    const take = (m: ActionProgressMessage): void => {
      if (m.progress !== undefined) onProgress(m.progress);
      if (m.final !== undefined) finish(m.final);
    };
    const sub = progress.event((m) => {
      if (runId === null) early.push(m);
      else if (m.runId === runId) take(m);
    });
    const onGone = (reason: string): void =>
      finish({
        result: 'failed',
        detail: `The eGPU Guard service stopped during this action (${reason}). Check the GPU's state before unplugging.`,
      });
    lost.add(onGone);
    const lostSub = (): void => void lost.delete(onGone);
    void begin().then((r) => {
      if (!r.ok) {
        finish({ result: 'failed', detail: r.error.message, code: r.error.code });
        return;
      }
      runId = r.value.runId;
      for (const m of early.splice(0)) if (m.runId === runId) take(m);
      if (cancelAsked && !finished) void invoke('action:cancel', { runId });
    });
    return {
      done,
      cancel() {
        if (runId === null) cancelAsked = true;
        else if (!finished) void invoke('action:cancel', { runId });
      },
    };
  };

  const core: RemoteCore = {
    owner,
    appInfo: () => invoke('app:info', undefined),
    onLost: (l) => {
      if (gone !== null) l(gone);
      else lost.add(l);
    },
    async start() {
      const watch = conn.watchSignal(
        { sender: owner, path: OBJECT_PATH, iface: FACES_IFACE, member: 'SnapshotChanged' },
        (s) => {
          const snap = parse<Snapshot>(s.body[0]);
          if (snap === null) return;
          current = snap;
          snapshots.fire(snap);
        },
      );
      const events = conn.watchSignal(
        { sender: owner, path: OBJECT_PATH, iface: FACES_IFACE, member: 'CoreEvent' },
        (s) => {
          const event = parse<unknown>(s.body[1]);
          if (event === null) return;
          if (s.body[0] === 'transition') transitions.fire(event as Transition);
          else if (s.body[0] === 'incident') incidents.fire(event as Incident);
          else if (s.body[0] === 'notice') notices.fire(event as Notice);
        },
      );
      const runs = conn.watchSignal(
        { sender: owner, path: OBJECT_PATH, iface: FACES_IFACE, member: 'ActionProgress' },
        (s) => {
          const m = parse<ActionProgressMessage>(s.body[0]);
          if (m !== null) progress.fire(m);
        },
      );
      const ownerWatch = conn.watchNameOwner(BUS_NAME, (now) => {
        if (now !== owner) markLost('it left the session bus');
      });
      store.add(watch);
      store.add(events);
      store.add(runs);
      store.add(ownerWatch);
      store.add(conn.onClose((reason) => markLost(reason)));
      // Subscribed first, then asked: no change can fall between the answer and the signals.
      await Promise.all([watch.ready, events.ready, runs.ready, ownerWatch.ready]);
      const snap = await invoke('snapshot:get', undefined);
      if (snap.ok) {
        current = snap.value;
        snapshots.fire(current);
      }
    },
    stop() {
      store.dispose();
      conn.close();
      return Promise.resolve();
    },
    snapshot: () => current,
    onSnapshot: (l) => snapshots.event(l),
    onTransition: (l) => transitions.event(l),
    onIncident: (l) => incidents.event(l),
    onNotice: (l) => notices.event(l),
    async refreshClients() {
      const r = await invoke('clients:refresh', undefined);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
    planEject: (bdf) => invoke('eject:plan', { bdf }),
    runEject: (bdf, options, onProgress) =>
      startRun(
        () => invoke('eject:run', { bdf, closePids: [...options.closePids], force: options.force }),
        onProgress,
      ),
    planRecover: (bdf, request) =>
      invoke('recover:plan', { bdf, ...(request?.approve ? { approve: request.approve } : {}) }),
    runRecover: (bdf, onProgress, request) =>
      startRun(
        () =>
          invoke('recover:run', {
            bdf,
            ...(request?.approve ? { approve: request.approve } : {}),
          }),
        onProgress,
      ),
    async closeClient(pid, force) {
      const r = await invoke('client:close', { pid, force });
      return r.ok ? ok(undefined) : r;
    },
    async compositorAdvice() {
      const r = await invoke('compositor:advice', undefined);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    },
    async runCompositorAction(id, confirmed) {
      const r = await invoke('compositor:run', { id, confirmed });
      return r.ok ? ok(r.value.message) : r;
    },
  };
  store.add(toDisposable(() => lost.clear()));
  return core;
}
