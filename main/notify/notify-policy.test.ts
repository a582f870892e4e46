import { describe, expect, it } from 'vitest';
import {
  GPU_STATES,
  type GpuEntry,
  type GpuLifecycle,
  type Incident,
  type Notice,
  type Snapshot,
  type Transition,
} from '../common/snapshot.js';
import {
  decideNotification,
  decideTransition,
  initialNotifyMemory,
  parseNotificationAction,
  type NotifyDecision,
} from './notify-policy.js';

const BDF = '0000:06:00.0';
const NAME = 'GeForce RTX 3080';

const transition = (from: GpuLifecycle | null, to: GpuLifecycle): Transition => ({
  at: 1000,
  gpu: BDF,
  name: NAME,
  from,
  to,
  evidence: [],
});

const gpu = (state: GpuLifecycle): GpuEntry => ({
  bdf: BDF,
  name: NAME,
  vendorId: '0x10de',
  deviceId: '0x2206',
  external: true,
  enclosure: null,
  state,
  since: 0,
  present: true,
  info: null,
  clients: null,
  clientsAt: null,
  incident: null,
  departure: null,
});

const snapshot = (state: GpuLifecycle): Snapshot => ({
  gpus: [gpu(state)],
  incidents: [],
  thunderbolt: [],
  pendingDevices: [],
  sources: [],
  preparingForSleep: false,
  updatedAt: 0,
});

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'inc-1',
  gpu: BDF,
  gpuName: NAME,
  kind: 'kernel-trouble',
  severity: 'warning',
  title: `${NAME}: PCIe link errors`,
  openedAt: 1000,
  updatedAt: 1000,
  evidence: [],
  meaning: ['The link reports errors.'],
  nextSteps: ['Check the cable.'],
  ...over,
});

const sleepNotice: Notice = {
  at: 5,
  kind: 'sleep-with-egpu',
  gpu: BDF,
  name: NAME,
  text: `${NAME} is in use and the computer is going to sleep.`,
};

const shown = (d: NotifyDecision) => {
  if (d.kind !== 'show') throw new Error(`expected show, got ${d.kind}`);
  return d.request;
};

describe('notify policy: transitions', () => {
  it('notifies an unplug without eject as critical with Details and Recover, one key per GPU', () => {
    const r = shown(decideTransition(transition('in-use', 'surprise-removed')));
    expect(r).toMatchObject({
      key: `gpu:${BDF}`,
      urgency: 'critical',
      category: 'device.removed',
      summary: `${NAME} was unplugged without being ejected`,
    });
    expect(r.body).toMatch(/crashed or hung/);
    expect(r.actions.map((a) => a.id)).toEqual(['default', 'recover']);
    expect(r.actions[0]!.label).toBe('Details');
    // With the facts: who was using it is named; an idle GPU is a warning, not an alarm.
    const used: Snapshot = {
      ...snapshot('surprise-removed'),
      gpus: [
        {
          ...gpu('surprise-removed'),
          present: false,
          clientsAt: 900,
          lostUsers: [{ pid: 2231, comm: 'ollama' }],
        },
      ],
    };
    const named = shown(decideTransition(transition('unplugged', 'surprise-removed'), used));
    expect(named.urgency).toBe('critical');
    expect(named.body).toBe(
      'It disappeared without an eject. ollama (pid 2231) was using it and may have crashed. Plug it back in, then choose Recover.',
    );
    // Nobody at the last scan: a warning, hedged — an app started since may have been using it.
    const idle: Snapshot = {
      ...snapshot('surprise-removed'),
      gpus: [{ ...gpu('surprise-removed'), present: false, clientsAt: 900 }],
    };
    const quiet = shown(decideTransition(transition('attached', 'surprise-removed'), idle));
    expect(quiet.urgency).toBe('normal');
    expect(quiet.body).toMatch(
      /^It disappeared without an eject\. No app was using it when last checked, so likely nothing was lost\./,
    );
  });

  it('notifies falling off the bus and a stuck removal as critical', () => {
    const fell = shown(decideTransition(transition('in-use', 'fell-off-bus')));
    expect(fell).toMatchObject({ urgency: 'critical', category: 'device.error' });
    expect(fell.actions.map((a) => a.id)).toEqual(['default', 'recover']);
    const stuck = shown(decideTransition(transition('ejecting', 'stuck')));
    expect(stuck).toMatchObject({
      urgency: 'critical',
      summary: `Removing ${NAME} is stuck in the driver`,
    });
    // Recovering a device the kernel still holds would not help: no Recover there.
    expect(stuck.actions.map((a) => a.id)).toEqual(['default']);
  });

  it('says when it is safe to unplug, and closes that notice once it is unplugged', () => {
    const safe = shown(decideTransition(transition('ejecting', 'safe-to-unplug')));
    expect(safe).toMatchObject({ urgency: 'normal', summary: `${NAME} is safe to unplug` });
    expect(decideTransition(transition('safe-to-unplug', 'unplugged'))).toEqual({
      kind: 'close',
      key: `gpu:${BDF}`,
    });
  });

  it('names the enclosure to unplug, and words a connected enclosure by what is really missing', () => {
    const uid = 'dc01';
    const withBox = (state: GpuLifecycle, authorized: number): Snapshot => ({
      ...snapshot(state),
      gpus: [{ ...gpu(state), enclosure: { name: 'Razer Core X', router: '0-1', uniqueId: uid } }],
      thunderbolt: [
        {
          domain: 'domain0',
          security: 'user',
          iommuDmaProtection: true,
          routers: [
            {
              router: '0-1',
              host: false,
              uniqueId: uid,
              vendorName: 'Razer',
              deviceName: 'Core X',
              authorized,
              sysfsPath: '/sys/bus/thunderbolt/devices/0-1',
            },
          ],
        },
      ] as unknown as Snapshot['thunderbolt'],
    });
    const safe = shown(
      decideTransition(transition('ejecting', 'safe-to-unplug'), withBox('safe-to-unplug', 0)),
    );
    expect(safe.body).toBe('Unplug the Razer Core X now.');
    // Authorized router, GPU not on the bus yet: a rescan is missing, not an authorization.
    const up = shown(
      decideTransition(transition('unplugged', 'connected'), withBox('connected', 1)),
    );
    expect(`${up.summary} ${up.body}`).not.toMatch(/authoriz/);
    expect(up.body).toMatch(/rescan/);
    const waiting = shown(
      decideTransition(transition('unplugged', 'connected'), withBox('connected', 0)),
    );
    expect(waiting.summary).toBe(`${NAME} is connected but not authorized`);
    // Back after a safe eject: routine, said as the window says it, and no louder than that.
    const routine = withBox('connected', 0);
    const again = shown(
      decideTransition(transition('unplugged', 'connected'), {
        ...routine,
        gpus: routine.gpus.map((g) => ({ ...g, departure: 'safe-eject' as const })),
      }),
    );
    expect(`${again.summary}. ${again.body}`).toBe(
      `${NAME}'s enclosure is connected again. Choose Use it again to bring the GPU up.`,
    );
    expect(again.urgency).toBe('low');
    expect(again.actions.map((a) => [a.id, a.label])).toContainEqual(['recover', 'Use it again']);
    expect(`${again.summary} ${again.body}`).not.toMatch(/Recover|authoriz/);
  });

  it('a yank that took the enclosure too offers no Recover that could only fail', () => {
    const s = snapshot('surprise-removed');
    const gone: Snapshot = {
      ...s,
      gpus: s.gpus.map((g) => ({ ...g, present: false, enclosureGone: true as const })),
    };
    const d = shown(decideTransition(transition('in-use', 'surprise-removed'), gone));
    expect(d.actions.map((a) => a.id)).toEqual(['default']);
    expect(d.body).not.toMatch(/Recover/);
    const still = shown(decideTransition(transition('in-use', 'surprise-removed'), s));
    expect(still.actions.map((a) => a.id)).toEqual(['default', 'recover']);
  });

  it('never says "safe to unplug" while a drive on the same tunnel is still connected', () => {
    const warning =
      'Sonnet Echo III also carries NVMe drive Samsung SSD 980 PRO 1TB (/dev/nvme0n1). The tunnel stays up, so the drive stays connected: eject it in your file manager first, then unplug.';
    const s: Snapshot = {
      ...snapshot('safe-to-unplug'),
      gpus: [{ ...gpu('safe-to-unplug'), unplugWarnings: [warning] }],
    };
    const d = shown(decideTransition(transition('ejecting', 'safe-to-unplug'), s));
    expect(d.summary).toBe(`${NAME} is removed; a drive is still connected`);
    expect(d.body).toBe(warning);
  });

  it('offers Recover for an enclosure that waits for authorization and closes it once attached', () => {
    const c = shown(decideTransition(transition('absent', 'connected')));
    expect(c.actions.map((a) => a.id)).toEqual(['default', 'recover']);
    expect(decideTransition(transition('connected', 'attached')).kind).toBe('close');
    expect(decideTransition(transition('connected', 'absent')).kind).toBe('close');
  });

  it('tells the user a broken GPU works again, quietly', () => {
    for (const from of ['surprise-removed', 'fell-off-bus', 'stuck'] as const) {
      expect(shown(decideTransition(transition(from, 'attached'))).urgency).toBe('low');
    }
  });

  it('stays silent for ordinary use, the start-up picture and eject progress', () => {
    const silent: [GpuLifecycle | null, GpuLifecycle][] = [
      [null, 'attached'],
      [null, 'in-use'],
      ['attached', 'in-use'],
      ['in-use', 'attached'],
      ['attached', 'ejecting'],
      ['ejecting', 'attached'],
      ['fell-off-bus', 'unplugged'],
      ['stuck', 'unplugged'],
      [null, 'absent'],
      [null, 'unplugged'],
    ];
    for (const [from, to] of silent) {
      expect(decideTransition(transition(from, to)), `${from} → ${to}`).toMatchObject({
        kind: 'none',
      });
    }
  });

  it('decides something for every lifecycle state', () => {
    for (const to of GPU_STATES) {
      for (const from of [null, ...GPU_STATES]) {
        const d = decideTransition(transition(from, to));
        expect(['show', 'close', 'none']).toContain(d.kind);
        if (d.kind === 'show') expect(d.request.key).toBe(`gpu:${BDF}`);
      }
    }
  });

  it('a removal outside eGPU Guard is news, and a later surprise replaces it (same key)', () => {
    const removed = shown(decideTransition(transition('attached', 'unplugged')));
    const surprise = shown(decideTransition(transition('unplugged', 'surprise-removed')));
    expect(removed.urgency).toBe('normal');
    expect(surprise.key).toBe(removed.key);
  });
});

describe('notify policy: incidents', () => {
  it('shows a warning once, again only when it escalates', () => {
    let m = initialNotifyMemory;
    const first = decideNotification(m, { type: 'incident', incident: incident() }, null);
    expect(shown(first.decision)).toMatchObject({
      urgency: 'normal',
      key: `gpu:${BDF}`,
      body: 'Check the cable.',
      summary: `${NAME}: PCIe link errors`,
    });
    expect(shown(first.decision).actions.map((a) => a.id)).toEqual(['default']);
    m = first.memory;
    const again = decideNotification(
      m,
      { type: 'incident', incident: incident({ updatedAt: 2000 }) },
      null,
    );
    expect(again.decision.kind).toBe('none');
    const worse = decideNotification(
      again.memory,
      { type: 'incident', incident: incident({ severity: 'critical', updatedAt: 3000 }) },
      null,
    );
    expect(shown(worse.decision).urgency).toBe('critical');
  });

  it('keeps informational kernel messages in the timeline only', () => {
    const r = decideNotification(
      initialNotifyMemory,
      { type: 'incident', incident: incident({ severity: 'info' }) },
      null,
    );
    expect(r.decision.kind).toBe('none');
  });

  it('does not repeat what a lifecycle transition already said', () => {
    const fell = incident({
      kind: 'fell-off-bus',
      severity: 'critical',
      title: `${NAME} fell off the bus`,
    });
    const covered = decideNotification(
      initialNotifyMemory,
      { type: 'incident', incident: fell },
      snapshot('fell-off-bus'),
    );
    expect(covered.decision.kind).toBe('none');
    // The state machine did not move (yet): the incident itself notifies.
    const alone = decideNotification(
      initialNotifyMemory,
      { type: 'incident', incident: fell },
      snapshot('in-use'),
    );
    expect(shown(alone.decision)).toMatchObject({
      urgency: 'critical',
      summary: `${NAME} fell off the bus`,
    });
    expect(shown(alone.decision).actions.map((a) => a.id)).toEqual(['default', 'recover']);
  });

  it('gives an incident about no known GPU its own key and no GPU actions', () => {
    const r = decideNotification(
      initialNotifyMemory,
      {
        type: 'incident',
        incident: incident({ gpu: null, gpuName: null, id: 'inc-9', severity: 'critical' }),
      },
      null,
    );
    expect(shown(r.decision)).toMatchObject({ key: 'incident:inc-9' });
    expect(shown(r.decision).actions.map((a) => a.id)).toEqual(['default']);
  });

  it('forgets the oldest incidents beyond its memory limit', () => {
    let m = initialNotifyMemory;
    for (let n = 0; n < 300; n++) {
      m = decideNotification(
        m,
        { type: 'incident', incident: incident({ id: `i-${n}` }) },
        null,
      ).memory;
    }
    expect(m.incidents.size).toBe(256);
    expect(m.incidents.has('i-0')).toBe(false);
    expect(m.incidents.has('i-299')).toBe(true);
  });
});

describe('notify policy: notices', () => {
  it('warns before sleep while the eGPU is in use, offering Eject', () => {
    const r = decideNotification(
      initialNotifyMemory,
      { type: 'notice', notice: sleepNotice },
      snapshot('in-use'),
    );
    expect(shown(r.decision)).toMatchObject({
      urgency: 'critical',
      key: `gpu:${BDF}`,
      body: sleepNotice.text,
    });
    expect(shown(r.decision).actions.map((a) => a.id)).toEqual(['default', 'eject']);
  });

  it("tells of a failed user hook under its own key, never replacing the GPU's notification", () => {
    const hookNotice: Notice = {
      at: 6,
      kind: 'hook-failed',
      gpu: BDF,
      name: NAME,
      text: 'Hook "10-restart-ollama" (attached) exited with status 1: no such unit.',
    };
    const r = decideNotification(
      initialNotifyMemory,
      { type: 'notice', notice: hookNotice },
      snapshot('attached'),
    );
    expect(shown(r.decision)).toMatchObject({
      key: `hooks:${BDF}`,
      urgency: 'normal',
      body: hookNotice.text,
    });
    expect(shown(r.decision).actions.map((a) => a.id)).toEqual(['default']);
  });

  it('stays silent before sleep when the eGPU is only attached', () => {
    const r = decideNotification(
      initialNotifyMemory,
      { type: 'notice', notice: sleepNotice },
      snapshot('attached'),
    );
    expect(r.decision.kind).toBe('none');
  });
});

describe('notification actions', () => {
  it('maps keys and action ids back to what the user asked for', () => {
    expect(parseNotificationAction(`gpu:${BDF}`, 'default')).toEqual({
      action: 'details',
      gpu: BDF,
    });
    expect(parseNotificationAction(`gpu:${BDF}`, 'eject')).toEqual({ action: 'eject', gpu: BDF });
    expect(parseNotificationAction(`gpu:${BDF}`, 'recover')).toEqual({
      action: 'recover',
      gpu: BDF,
    });
    expect(parseNotificationAction('incident:inc-1', 'default')).toEqual({
      action: 'details',
      gpu: null,
    });
    expect(parseNotificationAction('incident:inc-1', 'eject')).toBeNull();
    expect(parseNotificationAction('quick:recover', 'default')).toEqual({
      action: 'details',
      gpu: null,
    });
    expect(parseNotificationAction(`gpu:${BDF}`, 'rm -rf')).toBeNull();
  });
});
