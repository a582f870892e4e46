// Advice per session kind: golden outputs (the text `egpu restart-compositor` prints) on the
// simulated machines, plus the invariants the golden files must never lose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompositorAdvice, SessionKind } from '../../common/actions-model.js';
import type { Inventory } from '../../common/inventory-model.js';
import { formatCompositorAdvice } from '../../cli/format/compositor-text.js';
import { readInventory } from '../../inventory/inventory.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import { buildCompositorAdvice } from './advice.js';
import { drmList, xorgBusId } from './config-snippets.js';
import type { CompositorHold } from './gpu-roles.js';
import { displayGpus } from './gpu-roles.js';
import type { DetectedSession, SessionProcess } from './session-model.js';

const fixtures: SysrootFixture[] = [];
const inventories = new Map<string, Inventory>();
beforeAll(() => {
  for (const name of [
    'tb3-nvidia',
    'usb4-amd',
    'oculink-amd',
    'dgpu-nvidia-egpu',
    'desktop-single',
  ]) {
    const f = makeSysroot(scenarioByName(name)!);
    fixtures.push(f);
    inventories.set(name, readInventory(f.root));
  }
});
afterAll(() => {
  for (const f of fixtures) f.cleanup();
});

const proc = (pid: number, name: string, comm = name): SessionProcess => ({
  pid,
  name,
  comm,
  argv: [`/usr/bin/${comm}`],
  uid: 1000,
});

const session = (kind: SessionKind, over: Partial<DetectedSession> = {}): DetectedSession => ({
  kind,
  type: 'wayland',
  desktop: null,
  sessionId: '2',
  compositor: null,
  xserver: null,
  bumblebee: null,
  source: 'logind',
  detail: `${kind} test session`,
  ...over,
});

const hold = (
  pid: number,
  comm: string,
  gpu: string,
  external: boolean,
  primary: boolean | null,
  nodes: string[],
): CompositorHold => ({
  pid,
  comm,
  role: comm === 'Xorg' ? 'x-server' : 'compositor',
  gpu,
  external,
  primary,
  nodes,
});

type Case = {
  kind: SessionKind;
  scenario: string;
  session: Partial<DetectedSession>;
  holds: CompositorHold[];
  env?: Record<string, string>;
};

const CASES: Case[] = [
  {
    kind: 'gnome-wayland',
    scenario: 'tb3-nvidia',
    session: { desktop: 'GNOME', compositor: proc(1200, 'gnome-shell') },
    holds: [
      hold(1200, 'gnome-shell', '0000:00:02.0', false, true, ['/dev/dri/card0']),
      hold(1200, 'gnome-shell', '0000:0a:00.0', true, false, ['/dev/dri/card1']),
    ],
  },
  {
    kind: 'gnome-x11',
    scenario: 'tb3-nvidia',
    session: {
      type: 'x11',
      desktop: 'GNOME',
      compositor: proc(1200, 'gnome-shell'),
      xserver: proc(900, 'xorg', 'Xorg'),
    },
    holds: [hold(900, 'Xorg', '0000:0a:00.0', true, true, ['/dev/dri/card1', '/dev/nvidiactl'])],
  },
  {
    kind: 'kde-wayland',
    scenario: 'usb4-amd',
    session: { desktop: 'KDE Plasma', compositor: proc(1300, 'kwin_wayland') },
    holds: [hold(1300, 'kwin_wayland', '0000:66:00.0', true, true, ['/dev/dri/card1'])],
  },
  {
    kind: 'kde-x11',
    scenario: 'usb4-amd',
    session: { type: 'x11', desktop: 'KDE Plasma', compositor: proc(1300, 'kwin_x11') },
    holds: [],
    env: { DISPLAY: ':0', XAUTHORITY: '/run/user/1000/xauth_ABC' },
  },
  {
    kind: 'sway',
    scenario: 'oculink-amd',
    session: { desktop: 'sway', compositor: proc(1400, 'sway') },
    holds: [hold(1400, 'sway', '0000:03:00.0', true, false, ['/dev/dri/card1'])],
  },
  {
    kind: 'hyprland',
    scenario: 'dgpu-nvidia-egpu',
    session: { desktop: 'Hyprland', compositor: proc(1500, 'hyprland', 'Hyprland') },
    holds: [hold(1500, 'Hyprland', '0000:2e:00.0', true, null, ['/dev/dri/card2'])],
  },
  {
    kind: 'wlroots',
    scenario: 'desktop-single',
    session: { desktop: 'wayfire', compositor: proc(1600, 'wayfire') },
    holds: [],
  },
  {
    kind: 'xorg-bumblebee',
    scenario: 'dgpu-nvidia-egpu',
    session: {
      type: 'x11',
      xserver: proc(900, 'xorg', 'Xorg'),
      bumblebee: proc(800, 'bumblebeed'),
    },
    holds: [],
  },
  {
    kind: 'xorg',
    scenario: 'tb3-nvidia',
    session: { type: 'x11', desktop: 'XFCE', xserver: proc(900, 'xorg', 'Xorg') },
    holds: [],
  },
  {
    kind: 'unknown',
    scenario: 'tb3-nvidia',
    session: { type: 'unknown', sessionId: null, source: 'none' },
    holds: [],
  },
];

function adviceFor(c: Case): CompositorAdvice {
  return buildCompositorAdvice({
    session: session(c.kind, c.session),
    gpus: displayGpus(inventories.get(c.scenario)!),
    holds: c.holds,
    env: c.env ?? {},
  });
}

describe('compositor advice per session kind (golden)', () => {
  it.each(CASES)('$kind on $scenario', async (c) => {
    const advice = adviceFor(c);
    expect(advice.session).toBe(c.kind);
    await expect(formatCompositorAdvice(advice)).toMatchFileSnapshot(
      `fixtures/advice/${c.kind}.txt`,
    );
  });
});

describe('invariants of every advice', () => {
  it('DRM device lists never contain a by-path name, and name the internal GPU first', () => {
    for (const c of CASES) {
      for (const snippet of adviceFor(c).config) {
        const m = /(?:KWIN|WLR|AQ)_DRM_DEVICES[=,](\S+)/.exec(snippet.text);
        if (m === null) continue;
        expect(m[1], `${c.kind}: ${snippet.title}`).not.toMatch(/by-path|pci-/);
        expect(m[1]!.split(':')[0]).toBe('/dev/dri/egpu-guard-internal0');
      }
    }
    expect(() => drmList(['/dev/dri/by-path/pci-0000:06:00.0-card'])).toThrow(/colon/);
  });

  it('the symlink rule names the boot display first, by its ID_PATH', () => {
    const rule = adviceFor(CASES.find((c) => c.kind === 'hyprland')!).config[0]!;
    expect(rule.path).toBe('/etc/udev/rules.d/61-egpu-guard-drm-names.rules');
    const lines = rule.text.split('\n').filter((l) => l.startsWith('SUBSYSTEM'));
    expect(lines).toEqual([
      'SUBSYSTEM=="drm", KERNEL=="card[0-9]*", ENV{ID_PATH}=="pci-0000:00:02.0", SYMLINK+="dri/egpu-guard-internal0"',
      'SUBSYSTEM=="drm", KERNEL=="card[0-9]*", ENV{ID_PATH}=="pci-0000:01:00.0", SYMLINK+="dri/egpu-guard-internal1"',
    ]);
  });

  it('Xorg BusIDs are decimal', () => {
    expect(xorgBusId('0000:0a:00.0')).toBe('PCI:10@0:0:0');
    expect(xorgBusId('0000:65:1f.7')).toBe('PCI:101@0:31:7');
    expect(xorgBusId('0001:c5:00.1')).toBe('PCI:197@1:0:1');
    const x = adviceFor(CASES.find((c) => c.kind === 'xorg')!).config[0]!;
    expect(x.text).toContain('BusID      "PCI:0@0:2:0"');
    expect(x.text).toContain('Option "AutoAddGPU" "false"');
  });

  it('the display manager restart is privileged, warned, and goes through restart-unit', () => {
    for (const c of CASES) {
      const dm = adviceFor(c).actions.find((a) => a.id === 'restart-display-manager')!;
      expect(dm).toMatchObject({ privileged: true, helper: ['restart-unit', 'display-manager'] });
      expect(dm.warning).toMatch(/Every app in this session closes/);
    }
  });

  it('only restart-unit is ever privileged; every other action runs as the user', () => {
    for (const c of CASES) {
      for (const a of adviceFor(c).actions) {
        if (a.privileged) expect(a.helper?.[0]).toBe('restart-unit');
        else expect(a.helper).toBeUndefined();
      }
    }
  });

  it('log out ends this session by id; Wayland GNOME and KWin get no in-place restart', () => {
    const ids = (kind: SessionKind) =>
      adviceFor(CASES.find((c) => c.kind === kind)!).actions.map((a) => a.id);
    expect(ids('gnome-wayland')).toEqual([
      'logout',
      'terminate-session',
      'restart-display-manager',
    ]);
    expect(ids('gnome-x11')).toContain('restart-gnome-shell');
    expect(ids('kde-wayland')).not.toContain('restart-kwin');
    expect(ids('kde-x11')).toContain('restart-kwin');
    expect(ids('xorg-bumblebee')).toContain('restart-bumblebeed');
    expect(ids('unknown')).toEqual(['restart-display-manager']);
    const t = adviceFor(CASES[0]!).actions.find((a) => a.id === 'terminate-session')!;
    expect(t.command).toEqual(['loginctl', 'terminate-session', '2']);
  });

  it('egpuHeld: true when a compositor holds the eGPU; false when none does or none is attached; null when other users could not be checked', () => {
    const gnome = CASES.find((c) => c.kind === 'gnome-wayland')!;
    const gpus = displayGpus(inventories.get('tb3-nvidia')!);
    const build = (
      holds: readonly CompositorHold[],
      uninspectable: number,
      scenario = 'tb3-nvidia',
    ) =>
      buildCompositorAdvice({
        session: session('unknown'),
        gpus: displayGpus(inventories.get(scenario)!),
        holds,
        env: {},
        uninspectable,
      });
    expect(adviceFor(gnome).egpuHeld).toBe(gnome.holds.some((h) => h.external));
    const egpu = gpus.external[0]!.bdf;
    expect(
      build([hold(1200, 'gnome-shell', egpu, true, true, ['/dev/dri/card1'])], 3).egpuHeld,
    ).toBe(true);
    const idle = build([], 0);
    expect(idle.egpuHeld).toBe(false);
    expect(idle.notes).toContain('No compositor or X server holds the eGPU now.');
    expect(build([], 0, 'desktop-single').egpuHeld).toBe(false);
    // Without root, the login screen's processes (another user's) cannot be checked: not "no".
    const unseen = build([], 4);
    expect(unseen.egpuHeld).toBeNull();
    expect(unseen.notes).toContain(
      "No compositor or X server that eGPU Guard could check holds the eGPU now; 4 processes of other users (a login screen's, perhaps) could not be checked: `sudo egpu clients` lists them.",
    );
    expect(unseen.notes).not.toContain('No compositor or X server holds the eGPU now.');
  });

  it('sway: says reload is not enough and how to drop a secondary GPU now', () => {
    const notes = adviceFor(CASES.find((c) => c.kind === 'sway')!).notes!.join('\n');
    expect(notes).toMatch(/swaymsg reload` is not enough/);
    expect(notes).toContain('--property-match=MINOR=1');
  });
});
