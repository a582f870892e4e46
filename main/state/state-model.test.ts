import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientInfo, ClientsReport } from '../common/clients-model.js';
import type { Inventory } from '../common/inventory-model.js';
import type { Evidence } from '../common/snapshot.js';
import { classifyMessage } from '../diagnose/classify.js';
import { readInventory } from '../inventory/inventory.js';
import { scenarioByName } from '../sim/scenarios/index.js';
import { makeSysroot } from '../sim/sysroot-fixture.js';
import type { SourceEvent } from '../common/source-events.js';
import { buildFacts, factSubject, kernelFact } from './fact-builder.js';
import type { Fact, KnownGpu } from './facts.js';
import { footprintOf } from './gpu-entry.js';
import { StateModel } from './state-model.js';

const EGPU = '0000:0a:00.0';
const IGPU = '0000:00:02.0';
let tb3: Inventory;
let usb4: Inventory;
let dead: Inventory;
const cleanups: (() => void)[] = [];
beforeAll(() => {
  for (const [name, set] of [
    ['tb3-nvidia', (i: Inventory) => (tb3 = i)],
    ['usb4-amd', (i: Inventory) => (usb4 = i)],
    ['fell-off-bus', (i: Inventory) => (dead = i)],
  ] as const) {
    const f = makeSysroot(scenarioByName(name)!);
    set(readInventory(f.root));
    cleanups.push(() => f.cleanup());
  }
});
afterAll(() => cleanups.forEach((c) => c()));

const ev = (at: number, text: string, source: Evidence['source'] = 'udev'): Evidence => ({
  at,
  source,
  text,
});
const kernel = (at: number, message: string): Fact => {
  const k = classifyMessage(message);
  if (k === null) throw new Error(`not an event: ${message}`);
  return kernelFact(k, message, at);
};
const removed = (
  at: number,
  bdf = EGPU,
  o: { ejecting?: boolean; cardPresent?: boolean | null } = {},
): Fact => ({
  type: 'pci-removed',
  at,
  bdf,
  evidence: ev(at, `udev remove pci ${bdf}`),
  ejecting: o.ejecting ?? false,
  cardPresent: o.cardPresent ?? null,
});
const client = (pid: number, comm: string, gpu: string): ClientInfo => ({
  pid,
  comm,
  cmdline: comm,
  uid: 1000,
  user: 'alice',
  gpu,
  nodes: ['/dev/nvidia0'],
  via: ['fd'],
  role: 'compute',
});
const report = (...clients: ClientInfo[]): ClientsReport => ({
  clients,
  uninspectable: 0,
  vanished: 0,
  scanned: 10,
});

function started(inv = tb3): StateModel {
  const m = new StateModel();
  m.apply({ type: 'inventory', at: 1000, inventory: inv });
  return m;
}
const stateOf = (m: StateModel, bdf = EGPU): string | undefined => m.entry(bdf)?.state;

/** An eGPU remembered from before (the known-GPUs file), not on the bus now. */
const RX6800: KnownGpu = {
  bdf: '0000:05:00.0',
  name: 'AMD Radeon RX 6800',
  vendorId: '0x1002',
  deviceId: '0x73bf',
  enclosure: {
    name: 'Razer Core X Chroma',
    router: '0-1',
    uniqueId: 'c4010000-0070-640e-0314-3f4d22bb0a17',
  },
};

const finished = (at: number, unplugWarnings?: readonly string[]): Fact => ({
  type: 'eject',
  at,
  bdf: EGPU,
  phase: 'finished',
  result: 'safe-to-unplug',
  detail: 'NVIDIA GeForce RTX 3070 is safe to unplug.',
  ...(unplugWarnings === undefined ? {} : { unplugWarnings }),
});

describe('StateModel lifecycle', () => {
  it('coldplug: every GPU attached; clients make it in-use and back', () => {
    const m = new StateModel();
    const out = m.apply({ type: 'inventory', at: 1000, inventory: tb3 });
    expect(out.transitions.map((t) => [t.gpu, t.from, t.to])).toEqual([
      [IGPU, null, 'attached'],
      [EGPU, null, 'attached'],
    ]);
    const busy = m.apply({
      type: 'clients',
      at: 1100,
      report: report(client(2231, 'ollama', EGPU)),
    });
    expect(busy.transitions.map((t) => [t.gpu, t.to, t.evidence[0]?.text])).toEqual([
      [EGPU, 'in-use', 'used by 1 process: ollama'],
    ]);
    expect(
      m.apply({ type: 'clients', at: 1200, report: report() }).transitions.map((t) => t.to),
    ).toEqual(['attached']);
  });

  it('planned eject: ejecting → safe-to-unplug → unplugged, with no incident', () => {
    const m = started();
    // ollama held it at the last scan; the eject closed it before removing the GPU.
    m.apply({ type: 'clients', at: 1100, report: report(client(2231, 'ollama', EGPU)) });
    m.apply({ type: 'eject', at: 2000, bdf: EGPU, phase: 'started' });
    expect(stateOf(m)).toBe('ejecting');
    // The removal is a step of this core's eject: "safe to unplug" waits for its last step.
    expect(m.apply(removed(2100, EGPU, { ejecting: true })).transitions).toEqual([]);
    expect(m.entry(EGPU)).toMatchObject({ state: 'ejecting', present: false });
    expect(m.apply(finished(2300)).transitions.map((t) => t.to)).toEqual(['safe-to-unplug']);
    const pulled = m.apply({
      type: 'tb-router',
      at: 9000,
      router: '0-1',
      uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
      change: 'removed',
      evidence: ev(9000, 'udev remove thunderbolt 0-1'),
    });
    expect(pulled.transitions.map((t) => t.to)).toEqual(['unplugged']);
    expect(m.snapshot().incidents).toEqual([]);
    // No "was using it when it went (may have crashed)" for an app the eject closed.
    expect(m.snapshot().gpus.find((g) => g.bdf === EGPU)?.lostUsers).toBeUndefined();
  });

  it('fell off the bus, then our recovery removes it: still "fell off the bus", no yank alarm', () => {
    const m = started();
    m.apply({ type: 'clients', at: 1100, report: report(client(2231, 'ollama', EGPU)) });
    m.apply(
      kernel(
        2000,
        "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      ),
    );
    expect(stateOf(m)).toBe('fell-off-bus');
    // The app still holds the dead GPU and usually hangs: closing it comes first, not "it may
    // have crashed" beside "close every app still using it".
    const [first] = m.snapshot().incidents[0]!.nextSteps;
    expect(first).toBe(
      'ollama (pid 2231) was using it and cannot finish — close it (it may hang), and start it again once the GPU is back.',
    );
    // Recover: remove the GPU with its enclosure's bridges (pciehp reports the slot), rescan.
    m.apply(kernel(4000, 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down'));
    m.apply(removed(4100, EGPU));
    expect(m.entry(EGPU)).toMatchObject({
      state: 'unplugged',
      departure: 'fell-off-bus',
      present: false,
    });
    expect(m.snapshot().incidents.map((i) => i.kind)).toEqual(['fell-off-bus']);
  });

  it('yanked, back on the bus, then fallen off within seconds: the fall is its own story', () => {
    const m = started();
    m.apply(kernel(2000, 'thunderbolt 0-1: device disconnected'));
    m.apply(removed(2100));
    m.apply({ type: 'inventory', at: 3000, inventory: tb3 }); // re-plugged and recovered
    expect(stateOf(m)).toBe('attached');
    m.apply(
      kernel(
        4000,
        "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      ),
    );
    expect(stateOf(m)).toBe('fell-off-bus');
    const open = m.snapshot().incidents.filter((i) => i.resolvedAt === undefined);
    expect(open.map((i) => i.kind)).toEqual(['fell-off-bus']);
  });

  it('an eject run by another process (known by its intent) is safe to unplug at the removal', () => {
    const m = started();
    expect(m.apply(removed(2100, EGPU, { ejecting: true })).transitions.map((t) => t.to)).toEqual([
      'safe-to-unplug',
    ]);
  });

  it('the cable pulled while our eject was finishing: it ends unplugged, never "unplug now"', () => {
    const m = started();
    m.apply({ type: 'eject', at: 2000, bdf: EGPU, phase: 'started' });
    m.apply(removed(2100, EGPU, { ejecting: true }));
    m.apply(kernel(2200, 'thunderbolt 0-1: device disconnected'));
    expect(stateOf(m)).toBe('ejecting');
    expect(m.apply(finished(2300)).transitions.map((t) => t.to)).toEqual(['unplugged']);
    expect(m.entry(EGPU)?.departure).toBe('safe-eject');
    expect(m.snapshot().incidents).toEqual([]);
  });

  it('a later step failing after the removal still leaves the GPU off the bus: safe to unplug', () => {
    const m = started();
    m.apply({ type: 'eject', at: 2000, bdf: EGPU, phase: 'started' });
    m.apply(removed(2100, EGPU, { ejecting: true }));
    const out = m.apply({
      type: 'eject',
      at: 2300,
      bdf: EGPU,
      phase: 'finished',
      result: 'failed',
      detail: 'drop-tunnel failed',
    });
    expect(out.transitions.map((t) => t.to)).toEqual(['safe-to-unplug']);
  });

  it('unplugging after a safe eject ends the story: cable evidence in any order is no surprise', () => {
    const uid = 'dc010000-0000-8508-a22d-32ca6421cb16';
    const cable: ((at: number) => Fact)[] = [
      (at) => ({
        type: 'tb-router',
        at,
        router: '0-1',
        uniqueId: uid,
        change: 'removed',
        evidence: ev(at, 'udev remove thunderbolt 0-1'),
      }),
      (at) => kernel(at, 'thunderbolt 0-1: device disconnected'),
      (at) => kernel(at, 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down'),
      (at) => kernel(at, 'pcieport 0000:06:01.0: pciehp: Slot(1): Card not present'),
      (at) => removed(at, '0000:08:00.0'),
      (at) =>
        kernel(
          at,
          "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
        ),
    ];
    // Every rotation of the evidence, each piece 100 ms apart (well inside the 5 s window).
    for (let first = 0; first < cable.length; first++) {
      const m = started();
      m.apply({ type: 'clients', at: 1100, report: report(client(2231, 'ollama', EGPU)) });
      m.apply({ type: 'clients', at: 1500, report: report() }); // closed with consent
      m.apply({ type: 'eject', at: 2000, bdf: EGPU, phase: 'started' });
      m.apply(removed(2100, EGPU, { ejecting: true }));
      m.apply({
        type: 'eject',
        at: 2400,
        bdf: EGPU,
        phase: 'finished',
        result: 'safe-to-unplug',
        detail: 'safe',
      });
      const seen: string[] = [];
      cable.forEach((_, n) => {
        const fact = cable[(first + n) % cable.length]!(9000 + 100 * n);
        for (const t of m.apply(fact).transitions) seen.push(t.to);
      });
      const where = `evidence starting with #${first}`;
      expect(seen, where).toEqual(['unplugged']);
      expect(m.snapshot().incidents, where).toEqual([]);
      expect(m.entry(EGPU), where).toMatchObject({ state: 'unplugged', departure: 'safe-eject' });
    }
  });

  it('the tunnel eGPU Guard dropped itself is not a device waiting for authorization', () => {
    const m = started();
    m.apply({ type: 'eject', at: 2000, bdf: EGPU, phase: 'started' });
    m.apply(removed(2100, EGPU, { ejecting: true }));
    m.apply(finished(2200));
    const dropped: Inventory = {
      ...tb3,
      gpus: tb3.gpus.filter((g) => g.bdf !== EGPU),
      thunderbolt: tb3.thunderbolt.map((d) => ({
        ...d,
        routers: d.routers.map((r) => (r.host ? r : { ...r, authorized: 0 })),
      })),
    };
    const out = m.apply({ type: 'inventory', at: 2500, inventory: dropped });
    expect(out.transitions).toEqual([]);
    expect(stateOf(m)).toBe('safe-to-unplug');
    expect(m.snapshot().pendingDevices).toEqual([]);
    // A real re-plug (the router comes back through udev) is a connected enclosure again.
    const back = m.apply({
      type: 'tb-router',
      at: 20_000,
      router: '0-1',
      uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
      change: 'removed',
      evidence: ev(20_000, 'udev remove thunderbolt 0-1'),
    });
    expect(back.transitions.map((t) => t.to)).toEqual(['unplugged']);
    m.apply({
      type: 'tb-router',
      at: 30_000,
      router: '0-1',
      uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
      change: 'added',
      evidence: ev(30_000, 'udev add thunderbolt 0-1'),
    });
    expect(stateOf(m)).toBe('connected');
    m.apply({ type: 'inventory', at: 31_000, inventory: tb3 });
    expect(m.entry(EGPU)).toMatchObject({ state: 'attached', departure: null });
  });

  it('a GPU that fell off the bus and was taken off it waits for a reconnect, not "connected"', () => {
    const m = started();
    m.apply(
      kernel(
        2000,
        "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      ),
    );
    expect(stateOf(m)).toBe('fell-off-bus');
    m.apply(removed(40_000)); // Recover's remove step, long after
    const gone: Inventory = { ...tb3, gpus: tb3.gpus.filter((g) => g.bdf !== EGPU) };
    m.apply({ type: 'inventory', at: 41_000, inventory: gone }); // its router is still there
    expect(m.entry(EGPU)).toMatchObject({ state: 'unplugged', departure: 'fell-off-bus' });
    const open = m.snapshot().incidents[0]!;
    expect(open.nextSteps.join('\n')).toMatch(/^Reconnect the enclosure/m);
    m.apply({ type: 'inventory', at: 90_000, inventory: tb3 }); // reconnected, answering again
    expect(m.entry(EGPU)).toMatchObject({ state: 'attached', departure: null });
    // Ended: nothing left of reconnecting or rescanning, the connection is checked if it repeats.
    const ended = m.snapshot().incidents[0]!;
    expect(ended.resolvedAt).toBe(90_000);
    expect(ended.nextSteps.join('\n')).not.toMatch(/Reconnect|egpu recover|egpu clients/);
    expect(ended.nextSteps.join('\n')).toMatch(/^If it repeats, check the connection/m);
  });

  it('keeps what must happen before the unplug (a drive stays connected) until the GPU is back', () => {
    const m = started();
    const warn = ['The drive stays connected: eject it in your file manager first, then unplug.'];
    m.apply({ type: 'eject', at: 2000, bdf: EGPU, phase: 'started' });
    m.apply({ ...removed(2100, EGPU, { ejecting: true }), unplugWarnings: warn } as Fact);
    m.apply(finished(2200, warn));
    expect(m.entry(EGPU)).toMatchObject({ state: 'safe-to-unplug', unplugWarnings: warn });
    m.apply({ type: 'inventory', at: 30_000, inventory: tb3 });
    expect(m.entry(EGPU)?.unplugWarnings).toBeUndefined();
  });

  it('a surprise unplug names who was using the GPU, and ends when the GPU is back', () => {
    const m = started();
    m.apply({ type: 'clients', at: 1100, report: report(client(2231, 'ollama', EGPU)) });
    m.apply(removed(2000)); // udev first: the clients are gone with the GPU…
    const out = m.apply(kernel(2100, 'thunderbolt 0-1: device disconnected')); // …then the cable
    const inc = out.incidents[0]!;
    expect(inc).toMatchObject({
      kind: 'surprise-removal',
      affected: [{ pid: 2231, comm: 'ollama' }],
    });
    expect(inc.nextSteps[0]).toBe(
      'ollama (pid 2231) was using it and may have crashed — restart it once the GPU is back.',
    );
    expect(inc.resolvedAt).toBeUndefined();
    const back = m.apply({ type: 'inventory', at: 60_000, inventory: tb3 });
    expect(back.incidents).toEqual([
      expect.objectContaining({
        id: inc.id,
        resolvedAt: 60_000,
        outcome: 'NVIDIA GeForce RTX 3070 is back on the bus',
      }),
    ]);
    expect(m.entry(EGPU)?.incident).toBeNull();
    // Once it is back, "reconnect the enclosure" is done with; restarting the app is not, nor is
    // checking the cable if the unplug was not planned.
    expect(back.incidents[0]!.nextSteps).toEqual([
      'ollama (pid 2231) was using it and may have crashed — restart it once the GPU is back.',
      expect.stringMatching(/^If you did not unplug it, check the connection: reseat or replace/),
    ]);
    // A later surprise opens a new incident rather than reopening the ended one.
    m.apply(kernel(70_000, 'thunderbolt 0-1: device disconnected'));
    expect(m.snapshot().incidents.filter((i) => i.resolvedAt === undefined)).toHaveLength(1);
    expect(m.snapshot().incidents).toHaveLength(2);
  });

  it('a surprise unplug is remembered as one, for the words every face uses', () => {
    const m = started();
    m.apply({ type: 'clients', at: 1100, report: report(client(2231, 'ollama', EGPU)) });
    m.apply(kernel(2000, 'thunderbolt 0-1: device disconnected'));
    m.apply(removed(2100));
    expect(m.entry(EGPU)).toMatchObject({ state: 'surprise-removed', departure: 'surprise' });
  });

  it('the link going down after our own tunnel drop does not count as the cable being pulled', () => {
    const m = started();
    m.apply({ type: 'eject', at: 2000, bdf: EGPU, phase: 'started' });
    m.apply(removed(2100, EGPU, { ejecting: true }));
    // The tunnel drop is the eject's last step: its link-down comes before the result.
    expect(
      m.apply(kernel(2200, 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down')).transitions,
    ).toEqual([]);
    m.apply(finished(2300));
    expect(stateOf(m)).toBe('safe-to-unplug');
    expect(
      m.apply(kernel(9000, 'thunderbolt 0-1: device disconnected')).transitions.map((t) => t.to),
    ).toEqual(['unplugged']);
  });

  it('surprise unplug of an NVIDIA eGPU: link down + Xid 79 + TB disconnect + udev remove = one incident', () => {
    const m = started();
    m.apply({ type: 'clients', at: 1500, report: report(client(2231, 'ollama', EGPU)) });
    const a = m.apply(kernel(3000, 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down'));
    expect(a.transitions.map((t) => [t.from, t.to])).toEqual([['in-use', 'surprise-removed']]);
    m.apply(
      kernel(
        3010,
        "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      ),
    );
    m.apply(kernel(3020, 'thunderbolt 0-1: device disconnected'));
    const last = m.apply(removed(3050));
    expect(last.transitions).toEqual([]);
    const incidents = m.snapshot().incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      gpu: EGPU,
      kind: 'surprise-removal',
      severity: 'critical',
      title: 'NVIDIA GeForce RTX 3070 unplugged while in use',
    });
    expect(incidents[0]!.evidence.map((e) => e.source)).toEqual([
      'kernel',
      'kernel',
      'kernel',
      'udev',
    ]);
    expect(incidents[0]!.nextSteps.join(' ')).toMatch(/Reconnect the enclosure/);
    expect(stateOf(m)).toBe('surprise-removed');
  });

  it('surprise unplug where udev wins the race: unplugged first, then corrected by the cable evidence', () => {
    const m = started();
    expect(m.apply(removed(3000)).transitions.map((t) => t.to)).toEqual(['unplugged']);
    const late = m.apply(kernel(3400, 'thunderbolt 0-1: device disconnected'));
    expect(late.transitions.map((t) => t.to)).toEqual(['surprise-removed']);
    expect(m.snapshot().incidents.map((i) => i.kind)).toEqual(['surprise-removal']);
  });

  it('after a cable pull the GPU lingering in sysfs is not "back"; a link flap recovers later', () => {
    const m = started();
    m.apply(kernel(3000, 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down'));
    expect(m.apply({ type: 'inventory', at: 3200, inventory: tb3 }).transitions).toEqual([]);
    expect(stateOf(m)).toBe('surprise-removed');
    const flap = m.apply({ type: 'inventory', at: 20_000, inventory: tb3 });
    expect(flap.transitions.map((t) => t.to)).toEqual(['attached']);
  });

  it('an empty hot-plug slot at removal time means the cable is gone', () => {
    const m = started();
    expect(
      m.apply(removed(3000, EGPU, { cardPresent: false })).transitions.map((t) => t.to),
    ).toEqual(['surprise-removed']);
  });

  it('a removal long after old cable evidence is not a surprise', () => {
    const m = started();
    m.apply(kernel(1000, 'pcieport 0000:00:1d.0: pciehp: Slot(9): Link Down')); // another port: not ours
    expect(m.apply(removed(60_000)).transitions.map((t) => t.to)).toEqual(['unplugged']);
  });

  it('fell off the bus (Xid 79 without unplug), then cleaned up', () => {
    const m = started();
    const a = m.apply(
      kernel(
        5000,
        "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      ),
    );
    expect(a.transitions.map((t) => t.to)).toEqual(['fell-off-bus']);
    expect(a.incidents.map((i) => [i.kind, i.severity])).toEqual([['fell-off-bus', 'critical']]);
    m.apply(removed(5200));
    expect(stateOf(m)).toBe('unplugged');
    expect(m.snapshot().incidents).toHaveLength(1);
  });

  it('an inventory that reads 0xffff is a fall off the bus', () => {
    const m = new StateModel();
    const out = m.apply({ type: 'inventory', at: 1000, inventory: dead });
    expect(out.transitions.filter((t) => t.gpu === EGPU).map((t) => t.to)).toEqual([
      'attached',
      'fell-off-bus',
    ]);
    expect(out.incidents.map((i) => i.kind)).toEqual(['fell-off-bus']);
  });

  it('NVIDIA waiting for clients on remove: stuck (minor device N maps to the GPU)', () => {
    const m = started();
    const out = m.apply(
      kernel(7000, 'NVRM: Attempting to remove minor device 0 with non-zero usage count!'),
    );
    expect(out.transitions.map((t) => [t.gpu, t.to])).toEqual([[EGPU, 'stuck']]);
    expect(out.incidents[0]).toMatchObject({ kind: 'driver-stuck', severity: 'critical' });
  });

  it('a corrected AER on the enclosure bridge is an info incident and changes no state', () => {
    const m = started();
    const out = m.apply(
      kernel(
        8000,
        'pcieport 0000:09:01.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)',
      ),
    );
    expect(out.transitions).toEqual([]);
    expect(out.incidents.map((i) => [i.gpu, i.kind, i.severity])).toEqual([
      [EGPU, 'kernel-trouble', 'info'],
    ]);
    // A second one within the window joins it.
    m.apply(
      kernel(
        9000,
        'pcieport 0000:09:01.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)',
      ),
    );
    expect(m.snapshot().incidents).toHaveLength(1);
    expect(m.snapshot().incidents[0]!.evidence).toHaveLength(2);
  });

  it('events about no GPU we know go into an incident without a GPU', () => {
    const m = started();
    const out = m.apply(
      kernel(
        8000,
        'pcieport 0000:00:1d.0: AER: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, (Requester ID)',
      ),
    );
    expect(out.incidents.map((i) => [i.gpu, i.severity])).toEqual([[null, 'critical']]);
  });

  it('a remembered eGPU: absent → connected (router back) → attached at a new address', () => {
    const m = new StateModel();
    m.apply({ type: 'known', at: 0, gpus: [RX6800] });
    expect(stateOf(m, '0000:05:00.0')).toBe('absent');
    const plugged = m.apply({
      type: 'tb-router',
      at: 100,
      router: '0-1',
      uniqueId: 'c4010000-0070-640e-0314-3f4d22bb0a17',
      change: 'added',
      evidence: ev(100, 'udev add thunderbolt 0-1'),
    });
    expect(plugged.transitions.map((t) => t.to)).toEqual(['connected']);
    const up = m.apply({ type: 'inventory', at: 200, inventory: usb4 });
    expect(
      up.transitions.filter((t) => t.gpu === '0000:66:00.0').map((t) => [t.from, t.to]),
    ).toEqual([['connected', 'attached']]);
    expect(m.entry('0000:05:00.0')).toBeUndefined();
  });

  it('an enclosure plugged in and pulled again while its GPU was never on the bus: no alarm', () => {
    const m = new StateModel();
    const CORE_X = RX6800.enclosure!.uniqueId;
    m.apply({ type: 'known', at: 0, gpus: [RX6800] });
    const router = (at: number, change: 'added' | 'removed'): Fact => ({
      type: 'tb-router',
      at,
      router: '0-1',
      uniqueId: CORE_X,
      change,
      evidence: ev(at, `udev ${change === 'added' ? 'add' : 'remove'} thunderbolt 0-1`),
    });
    m.apply(router(100, 'added'));
    expect(stateOf(m, '0000:05:00.0')).toBe('connected');
    // Cable evidence in two pieces, as a real unplug brings it: nobody was using anything.
    const out = [
      m.apply(router(2000, 'removed')),
      m.apply(kernel(2050, 'thunderbolt 0-1: device disconnected')),
    ];
    expect(stateOf(m, '0000:05:00.0')).toBe('unplugged');
    expect(out.flatMap((o) => o.incidents)).toEqual([]);
  });

  it('a safe eject from before this core started: waiting to be unplugged, and the unplug ends it', () => {
    const m = new StateModel();
    const e = tb3.gpus.find((g) => g.bdf === EGPU)!;
    const enclosure = { name: 'Razer Core X', router: '0-1', uniqueId: e.enclosure!.uniqueId };
    m.apply({
      type: 'known',
      at: 0,
      gpus: [
        {
          bdf: EGPU,
          name: e.name,
          vendorId: e.vendorId,
          deviceId: e.deviceId,
          enclosure,
          footprint: [...footprintOf(e)],
        },
      ],
    });
    const told = m.apply({
      type: 'ejected-before',
      at: 10,
      bdf: EGPU,
      ejectedAt: 5,
      enclosureConnected: true,
      unplugWarnings: [],
    });
    expect(told.transitions.map((t) => [t.from, t.to])).toEqual([['absent', 'safe-to-unplug']]);
    expect(m.entry(EGPU)?.departure).toBe('safe-eject');
    // The eject's own tunnel drop, replayed from the log: its slot's line reaches the GPU.
    const replay = m.apply(kernel(20, 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down'));
    expect(replay.incidents).toEqual([]);
    const out = [
      m.apply({ ...kernel(3000, 'thunderbolt 0-1: device disconnected') }),
      m.apply(kernel(3010, 'pcieport 0000:06:01.0: pciehp: Slot(1): Card not present')),
    ];
    expect(stateOf(m)).toBe('unplugged');
    expect(out.flatMap((o) => o.incidents)).toEqual([]);
    // Told while the enclosure was already gone: simply unplugged.
    const gone = new StateModel();
    gone.apply({
      type: 'known',
      at: 0,
      gpus: [{ bdf: EGPU, name: e.name, vendorId: e.vendorId, deviceId: e.deviceId, enclosure }],
    });
    gone.apply({
      type: 'ejected-before',
      at: 10,
      bdf: EGPU,
      ejectedAt: 5,
      enclosureConnected: false,
      unplugWarnings: [],
    });
    expect(gone.entry(EGPU)).toMatchObject({ state: 'unplugged', departure: 'safe-eject' });
  });

  it('sleep while the eGPU is in use gives a notice', () => {
    const m = started();
    m.apply({ type: 'clients', at: 1500, report: report(client(2231, 'ollama', EGPU)) });
    const out = m.apply({ type: 'sleep', at: 2000, start: true });
    expect(out.notices.map((n) => [n.kind, n.gpu])).toEqual([['sleep-with-egpu', EGPU]]);
    expect(m.snapshot().preparingForSleep).toBe(true);
  });

  it('a GPU that vanished without a udev event is removed; its enclosure still there makes it connected', () => {
    const m = started();
    const out = m.apply({
      type: 'inventory',
      at: 5000,
      inventory: { ...tb3, gpus: tb3.gpus.filter((g) => g.bdf !== EGPU) },
    });
    expect(out.transitions.map((t) => [t.gpu, t.to, t.evidence[0]?.source])).toEqual([
      [EGPU, 'unplugged', 'sysfs'],
      [EGPU, 'connected', 'sysfs'],
    ]);
  });
});

describe('fact builder', () => {
  it('is pure: what it needs read about a device comes in as data', () => {
    const remove = {
      source: 'udev' as const,
      action: 'remove',
      subsystem: 'pci',
      devpath:
        '/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:01.0/0000:08:00.0/0000:09:01.0/0000:0a:00.0',
      properties: {},
      receivedAt: 1,
    } as unknown as SourceEvent;
    expect(factSubject(remove)).toEqual({ bdf: EGPU });
    const built = buildFacts(remove, 5, {
      ejecting: true,
      unplugWarnings: ['eject the drive first'],
      cardPresent: true,
      routerUniqueId: null,
    });
    expect(built.facts[0]).toMatchObject({
      type: 'pci-removed',
      bdf: EGPU,
      ejecting: true,
      unplugWarnings: ['eject the drive first'],
      cardPresent: true,
    });
    // Without context nothing is assumed: not ejecting, presence unknown.
    expect(buildFacts(remove, 5).facts[0]).toMatchObject({ ejecting: false, cardPresent: null });
  });
});
