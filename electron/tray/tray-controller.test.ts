import { beforeEach, describe, expect, it } from 'vitest';
import { resetFakeElectron, Tray, type FakeMenu } from '../test/fake-electron.js';
import { EGPU, gpu, snapshot } from '../test/snapshots.js';
import { createTrayController } from './tray-controller.js';
import type { TrayAction } from './tray-menu.js';

const lastMenu = (t: Tray): FakeMenu => t.menus.at(-1)!;

describe('tray controller', () => {
  beforeEach(() => resetFakeElectron());

  it('creates the tray on first render with icon, tooltip and menu', () => {
    const c = createTrayController({ iconDir: '/icons', dispatch: () => undefined });
    c.render({ snapshot: snapshot([gpu(EGPU, 'in-use')]), autostart: false });
    expect(Tray.all).toHaveLength(1);
    const t = Tray.all[0]!;
    expect(t.images.map((i) => i.path)).toEqual(['/icons/in-use.png']);
    expect(t.tooltips).toEqual(['eGPU Guard\nNVIDIA GeForce RTX 3070: in use by 2 apps']);
    expect(lastMenu(t).items.map((i) => i['label'])).toContain(
      'Safely eject NVIDIA GeForce RTX 3070',
    );
  });

  it('renders idempotently: the same picture touches nothing, a change only what changed', () => {
    const c = createTrayController({ iconDir: '/icons', dispatch: () => undefined });
    const s = snapshot([gpu(EGPU, 'in-use')]);
    c.render({ snapshot: s, autostart: false });
    c.render({ snapshot: { ...s, updatedAt: 99 }, autostart: false });
    const t = Tray.all[0]!;
    expect([t.images.length, t.tooltips.length, t.menus.length]).toEqual([1, 1, 1]);
    // Autostart toggled: the menu changes, the icon and tooltip do not.
    c.render({ snapshot: s, autostart: true });
    expect([t.images.length, t.tooltips.length, t.menus.length]).toEqual([1, 1, 2]);
    c.render({ snapshot: snapshot([gpu(EGPU, 'fell-off-bus')]), autostart: true });
    expect(t.images.at(-1)!.path).toBe('/icons/problem.png');
    expect(Tray.all).toHaveLength(1);
  });

  it('turns menu clicks into actions', () => {
    const seen: TrayAction[] = [];
    const c = createTrayController({ iconDir: '/icons', dispatch: (a) => seen.push(a) });
    c.render({ snapshot: snapshot([gpu(EGPU, 'surprise-removed')]), autostart: false });
    const items = lastMenu(Tray.all[0]!).items;
    const click = (label: string): void => items.find((i) => i['label'] === label)!.click!();
    click('Recover NVIDIA GeForce RTX 3070');
    click('Open eGPU Guard');
    click('Start at login');
    click('Quit');
    expect(seen).toEqual([
      { type: 'recover', gpu: EGPU },
      { type: 'open-window' },
      { type: 'toggle-autostart' },
      { type: 'quit' },
    ]);
    // A click on the icon, where the host delivers one, opens the window.
    Tray.all[0]!.fire('click');
    expect(seen.at(-1)).toEqual({ type: 'open-window' });
    // Labels are not clickable.
    expect(items[0]).toEqual({
      label: 'NVIDIA GeForce RTX 3070: unplugged without an eject',
      enabled: false,
    });
  });

  it('destroys the tray once and renders nothing after dispose', () => {
    const c = createTrayController({ iconDir: '/icons', dispatch: () => undefined });
    c.render({ snapshot: null, autostart: null });
    c.dispose();
    c.dispose();
    c.render({ snapshot: null, autostart: true });
    expect(Tray.all).toHaveLength(1);
    expect(Tray.all[0]!.destroyed).toBe(true);
    expect(Tray.all[0]!.menus).toHaveLength(1);
  });
});
