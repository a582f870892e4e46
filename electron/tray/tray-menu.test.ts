import { describe, expect, it } from 'vitest';
import { GPU_STATES, type GpuLifecycle } from '../../main/common/snapshot.js';
import { EGPU, EGPU2, gpu, igpu, pendingRouter, snapshot } from '../test/snapshots.js';
import { buildTrayMenu, escapeLabel, type TrayMenuItem } from './tray-menu.js';

const NAME = 'NVIDIA GeForce RTX 3070';
const labels = (items: readonly TrayMenuItem[]): string[] =>
  items.map((i) => (i.type === 'separator' ? '---' : i.label));
const find = (items: readonly TrayMenuItem[], text: string): TrayMenuItem | undefined =>
  items.find((i) => i.type !== 'separator' && i.label === text);

const menuFor = (state: GpuLifecycle): TrayMenuItem[] =>
  buildTrayMenu({ snapshot: snapshot([igpu(), gpu(EGPU, state)]), autostart: false });

describe('tray menu', () => {
  it('always ends with Open, Start at login and Quit', () => {
    for (const s of [null, snapshot([]), snapshot([gpu(EGPU, 'in-use')])]) {
      const l = labels(buildTrayMenu({ snapshot: s, autostart: true }));
      expect(l.slice(-5)).toEqual(['---', 'Open eGPU Guard', 'Start at login', '---', 'Quit']);
    }
  });

  it('offers a safe eject for an attached or used eGPU, never for the internal GPU', () => {
    const items = menuFor('in-use');
    expect(labels(items)).toEqual([
      `${NAME}: in use by 2 apps`,
      `Safely eject ${NAME}`,
      '---',
      'Open eGPU Guard',
      'Start at login',
      '---',
      'Quit',
    ]);
    expect(find(items, `Safely eject ${NAME}`)).toMatchObject({
      enabled: true,
      action: { type: 'eject', gpu: EGPU },
    });
    expect(labels(menuFor('attached'))).toContain(`Safely eject ${NAME}`);
    expect(labels(items).join('\n')).not.toMatch(/Intel/);
  });

  it('offers Recover exactly where it can help, and never as the next step after a safe eject', () => {
    const recoverable: GpuLifecycle[] = [
      'connected',
      'unplugged',
      'surprise-removed',
      'fell-off-bus',
    ];
    for (const state of GPU_STATES) {
      const items = menuFor(state);
      const recover = find(items, `Recover ${NAME}`);
      if (recoverable.includes(state)) {
        expect(recover, state).toMatchObject({
          enabled: true,
          action: { type: 'recover', gpu: EGPU },
        });
      } else {
        expect(recover, state).toBeUndefined();
      }
      const eject = find(items, `Safely eject ${NAME}`);
      expect(eject !== undefined, state).toBe(state === 'attached' || state === 'in-use');
    }
    // Safe to unplug: the tunnel eGPU Guard dropped is no problem; using it again is a choice.
    expect(labels(menuFor('safe-to-unplug'))).toContain(`Use ${NAME} again`);
    // Unplugged after a safe eject: the story is over, nothing to recover.
    const after = buildTrayMenu({
      snapshot: snapshot([gpu(EGPU, 'unplugged', { departure: 'safe-eject' })]),
      autostart: false,
    });
    expect(labels(after)[0]).toBe(`${NAME}: unplugged after a safe eject`);
    expect(labels(after).join('\n')).not.toMatch(/Recover|Authorize|not authorized/);
  });

  it('labels every lifecycle state in plain words', () => {
    const expected: Record<GpuLifecycle, string> = {
      absent: 'not connected',
      connected: 'connected, not usable yet',
      attached: 'attached, not in use',
      'in-use': 'in use by 2 apps',
      ejecting: 'ejecting…',
      'safe-to-unplug': 'safe to unplug',
      unplugged: 'removed without an eject',
      'fell-off-bus': 'fell off the bus',
      'surprise-removed': 'unplugged without an eject',
      stuck: 'removal stuck in the driver',
    };
    for (const state of GPU_STATES) {
      const first = menuFor(state)[0]!;
      expect(first).toEqual({
        type: 'normal',
        label: `${NAME}: ${expected[state]}`,
        enabled: false,
        action: null,
      });
    }
  });

  it('shows an eject in progress as a disabled item', () => {
    expect(find(menuFor('ejecting'), `Ejecting ${NAME}…`)).toMatchObject({ enabled: false });
  });

  it('lists several eGPUs in groups and tells identical cards apart by address', () => {
    const items = buildTrayMenu({
      snapshot: snapshot([gpu(EGPU, 'in-use'), gpu(EGPU2, 'fell-off-bus')]),
      autostart: false,
    });
    expect(labels(items).slice(0, 5)).toEqual([
      `${NAME} (${EGPU}): in use by 2 apps`,
      `Safely eject ${NAME} (${EGPU})`,
      '---',
      `${NAME} (${EGPU2}): fell off the bus`,
      `Recover ${NAME} (${EGPU2})`,
    ]);
    const other = buildTrayMenu({
      snapshot: snapshot([
        gpu(EGPU, 'attached'),
        gpu(EGPU2, 'attached', { name: 'Radeon RX 7600' }),
      ]),
      autostart: false,
    });
    expect(labels(other)).toContain('Safely eject Radeon RX 7600');
  });

  it('says so when there is no eGPU, or before the first snapshot', () => {
    expect(labels(buildTrayMenu({ snapshot: snapshot([igpu()]), autostart: false }))[0]).toBe(
      'No external GPU',
    );
    expect(labels(buildTrayMenu({ snapshot: null, autostart: false }))[0]).toBe('Starting…');
  });

  it('offers to authorize a Thunderbolt device no known GPU stands for', () => {
    const items = buildTrayMenu({
      snapshot: snapshot([], { pendingDevices: [pendingRouter()] }),
      autostart: false,
    });
    expect(find(items, 'Authorize Razer Core X')).toMatchObject({
      action: { type: 'recover', gpu: null },
    });
    const nameless = buildTrayMenu({
      snapshot: snapshot([], {
        pendingDevices: [pendingRouter({ vendorName: null, deviceName: null })],
      }),
      autostart: false,
    });
    expect(labels(nameless)).toContain('Authorize Thunderbolt device 0-1');
    // A remembered GPU waiting behind it already offers Recover: no second item.
    const known = buildTrayMenu({
      snapshot: snapshot([gpu(EGPU, 'connected')], { pendingDevices: [pendingRouter()] }),
      autostart: false,
    });
    expect(labels(known).filter((l) => l.startsWith('Authorize'))).toEqual([]);
  });

  it('never authorizes a new Thunderbolt device in one click: it opens the window to review it', () => {
    const items = buildTrayMenu({
      snapshot: snapshot([], {
        pendingDevices: [
          pendingRouter({ known: false, vendorName: 'Unknown', deviceName: 'Never-seen device' }),
        ],
      }),
      autostart: false,
    });
    expect(labels(items).some((l) => l.startsWith('Authorize'))).toBe(false);
    expect(
      find(items, 'New Thunderbolt device “Unknown Never-seen device”: review…'),
    ).toMatchObject({ action: { type: 'open-window' } });
  });

  it('reflects the autostart entry, and disables the item when it cannot be read', () => {
    const on = find(buildTrayMenu({ snapshot: null, autostart: true }), 'Start at login');
    expect(on).toMatchObject({ type: 'checkbox', checked: true, enabled: true });
    const unknown = find(buildTrayMenu({ snapshot: null, autostart: null }), 'Start at login');
    expect(unknown).toMatchObject({ checked: false, enabled: false });
  });

  it('escapes & so Electron does not take it for a mnemonic', () => {
    expect(escapeLabel('AMD & ATI')).toBe('AMD && ATI');
    const items = buildTrayMenu({
      snapshot: snapshot([gpu(EGPU, 'attached', { name: 'Sapphire R&D card' })]),
      autostart: false,
    });
    expect(labels(items)).toContain('Safely eject Sapphire R&&D card');
  });
});
