import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { createFakeBridge } from './test/fake-bridge.js';
import { EGPU, advice } from './test/fixtures.js';
import { renderApp } from './test/render-app.js';

describe('status window', () => {
  it('lists external GPUs first and shows the event sources unobtrusively', async () => {
    await renderApp();
    const cards = within(screen.getByRole('region', { name: 'GPUs' })).getAllByRole('article');
    expect(cards.map((c) => within(c).getByRole('heading', { level: 3 }).textContent)).toEqual([
      'NVIDIA GeForce RTX 3070',
      'Intel Iris Xe Graphics',
    ]);
    const footer = screen.getByRole('contentinfo');
    expect(within(footer).getByText('kernel log: journal')).toBeVisible();
    expect(within(footer).getByText('udev: replay')).toBeVisible();
  });

  it("the tray's request opens that GPU's eject plan, named as on its card", async () => {
    const { bridge } = await renderApp();
    bridge.pushFocus({ action: 'eject', bdf: EGPU });
    const dialog = await screen.findByRole('dialog', {
      name: 'Safely eject NVIDIA GeForce RTX 3070',
    });
    expect(dialog).toBeVisible();
    expect(bridge.callsTo('planEject')).toEqual([{ bdf: EGPU }]);
  });

  it('shows no simulation controls outside demo mode', async () => {
    await renderApp();
    expect(screen.queryByRole('region', { name: 'Simulation' })).toBeNull();
  });

  it('demo mode: a clearly marked simulation panel drives demo:act', async () => {
    const { bridge } = await renderApp(createFakeBridge({ mode: 'demo' }));
    const panel = await screen.findByRole('region', { name: 'Simulation' });
    expect(within(panel).getByText(/not on your computer/)).toBeVisible();
    const labels = within(panel)
      .getAllByRole('button')
      .map((b) => b.textContent);
    expect(labels).toEqual([
      'Plug in the enclosure',
      'Start an app on the eGPU',
      'Quit that app',
      'Yank the cable',
      'Make the GPU fall off the bus',
      'Reset',
    ]);
    await fireEvent.click(within(panel).getByRole('button', { name: 'Yank the cable' }));
    await fireEvent.click(
      within(panel).getByRole('button', { name: 'Make the GPU fall off the bus' }),
    );
    expect(bridge.callsTo('demoAct')).toEqual([{ action: 'unplug' }, { action: 'fall-off-bus' }]);
  });

  it('a failed request is an alert that can be dismissed', async () => {
    const bridge = createFakeBridge({ mode: 'demo' });
    bridge.on('demoAct', () =>
      Promise.resolve({ ok: false, error: { code: 'device-gone', message: 'Not attached.' } }),
    );
    await renderApp(bridge);
    await fireEvent.click(await screen.findByRole('button', { name: 'Start an app on the eGPU' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The device is gone. Not attached.');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('compositor advice: notes, actions with warnings and config as copyable text', async () => {
    const bridge = createFakeBridge();
    bridge.on('compositorAdvice', () =>
      Promise.resolve({
        ok: true,
        value: {
          ...advice(),
          notes: ['No external GPU is attached now; the configuration applies to the next one.'],
          actions: advice().actions.map((a) =>
            a.privileged ? { ...a, helper: ['restart-unit', 'display-manager'] } : a,
          ),
        },
      }),
    );
    await renderApp(bridge);
    const section = screen.getByRole('region', { name: 'Desktop session' });
    await fireEvent.click(
      within(section).getByRole('button', { name: 'Show options for this desktop' }),
    );
    await waitFor(() => expect(bridge.callsTo('compositorAdvice')).toHaveLength(1));
    const restart = await within(section).findByRole('heading', {
      name: /Restart the display manager/,
    });
    const item = restart.closest('li')!;
    expect(within(item).getByText('needs administrator')).toBeVisible();
    expect(within(item).getByText(/closes every app in every session/)).toBeVisible();
    expect(within(item).getByText('systemctl restart gdm')).toBeVisible();
    expect(within(item).getByText('egpu-guard-helper restart-unit display-manager')).toBeVisible();
    expect(within(section).getByText(/No external GPU is attached now/)).toBeVisible();
    expect(within(section).getByText('/etc/udev/rules.d/61-egpu-mutter.rules')).toBeVisible();
    expect(within(section).getByText(/TAG\+="mutter-device-ignore"/)).toBeVisible();
    const copy = within(section).getByRole('button', {
      name: 'Copy the contents of /etc/udev/rules.d/61-egpu-mutter.rules',
    });
    await fireEvent.click(copy);
    // jsdom has no clipboard: the text is selected for Ctrl+C instead.
    expect(await within(section).findByText('Selected: press Ctrl+C to copy.')).toBeVisible();
  });

  it('unsubscribes from the bridge when it goes away', async () => {
    const { bridge, unmount } = await renderApp();
    expect(bridge.listeners).toEqual({ snapshot: 1, progress: 1, focus: 1 });
    unmount();
    expect(bridge.listeners).toEqual({ snapshot: 0, progress: 0, focus: 0 });
  });
});
