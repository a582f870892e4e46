import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { createFakeBridge } from './test/fake-bridge.js';
import { EGPU, T0, advice, egpuEntry, snapshot } from './test/fixtures.js';
import { openDetails, openFold } from './test/open.js';
import { renderApp } from './test/render-app.js';

describe('status window', () => {
  it('summary first: external GPUs whole, internal GPUs and event sources as collapsed rows', async () => {
    await renderApp();
    const cards = within(screen.getByRole('region', { name: 'GPUs' })).getAllByRole('article');
    expect(cards.map((c) => within(c).getByRole('heading', { level: 3 }).textContent)).toEqual([
      'NVIDIA GeForce RTX 3070',
    ]);
    const card = cards[0]!;
    expect(within(card).getByText('In use', { selector: '.badge' })).toBeVisible();
    expect(within(card).getByRole('button', { name: /^Safely eject/ })).toBeVisible();
    // Technical facts wait behind the card's Details.
    expect(within(card).getByText('0000:0a:00.0')).not.toBeVisible();

    // The internal GPU: a collapsed row that says what it is doing, and expands to its card.
    const internal = screen.getByRole('region', { name: 'Internal GPU' });
    expect(within(internal).getByText(/Intel Iris Xe Graphics: in use by \d apps?/)).toBeVisible();
    expect(
      within(internal).getByText('Intel Iris Xe Graphics', { selector: 'h3' }),
    ).not.toBeVisible();
    await openFold('Internal GPU');
    expect(within(internal).getByRole('article', { name: 'Intel Iris Xe Graphics' })).toBeVisible();

    const footer = screen.getByRole('contentinfo');
    expect(within(footer).getByText('all working')).toBeVisible();
    await openFold('Event sources');
    expect(within(footer).getByText('Kernel messages: working (journal)')).toBeVisible();
    expect(within(footer).getByText('Device events (udev): working (replay)')).toBeVisible();
  });

  it('an event source that is down says so in words, and what still works', async () => {
    const bridge = createFakeBridge({
      snapshot: snapshot({
        sources: [
          { name: 'udev', state: 'running', detail: '', via: 'replay' },
          {
            name: 'bolt',
            state: 'unavailable',
            detail: 'unavailable: cannot connect to org.freedesktop.bolt',
          },
        ],
      }),
    });
    await renderApp(bridge);
    const footer = screen.getByRole('contentinfo');
    const line = 'Thunderbolt (bolt): not running — plugging is still seen through udev';
    // Said in the collapsed row itself, and again in the list it opens to.
    expect(within(footer).getAllByText(line)[0]).toBeVisible();
    await openFold('Event sources');
    expect(within(footer).getAllByText(line)).toHaveLength(2);
    expect(footer).not.toHaveTextContent(/bolt: unavailable\(/);
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
    // A compact bar at tray size: it does not push the GPUs below the fold until opened.
    expect(within(panel).getByText(/not on your computer/)).not.toBeVisible();
    await openFold('Simulation');
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
    await openFold('Simulation');
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
    const section = await openFold('Desktop session');
    await fireEvent.click(
      within(section).getByRole('button', { name: 'Show options for this desktop' }),
    );
    await waitFor(() => expect(bridge.callsTo('compositorAdvice')).toHaveLength(1));
    // The one action for this desktop first, with its warning; other ways behind a disclosure.
    const logout = await within(section).findByRole('heading', { name: 'Log out and back in' });
    expect(within(logout.closest('div')!).getByText('gnome-session-quit --logout')).toBeVisible();
    await openDetails(section, /^Other ways/);
    const restart = within(section).getByRole('heading', { name: /Restart the display manager/ });
    const item = restart.closest('div')!;
    expect(within(item).getByText('needs administrator')).toBeVisible();
    expect(within(item).getByText(/closes every app in every session/)).toBeVisible();
    expect(within(item).getByText('systemctl restart gdm')).toBeVisible();
    expect(within(item).getByText('egpu-guard-helper restart-unit display-manager')).toBeVisible();
    expect(within(section).getByText(/No external GPU is attached now/)).toBeVisible();
    await openDetails(section, 'Keep this desktop off the eGPU next time');
    expect(within(section).getByText('/etc/udev/rules.d/61-egpu-mutter.rules')).toBeVisible();
    expect(within(section).getByText(/TAG\+="mutter-device-ignore"/)).toBeVisible();
    const copy = within(section).getByRole('button', {
      name: 'Copy the contents of /etc/udev/rules.d/61-egpu-mutter.rules',
    });
    await fireEvent.click(copy);
    // jsdom has no clipboard: the text is selected for Ctrl+C instead.
    expect(await within(section).findByText('Selected: press Ctrl+C to copy.')).toBeVisible();
  });

  it('runs the desktop action from the window, only after the user ticked that apps will close', async () => {
    const bridge = createFakeBridge();
    await renderApp(bridge);
    const section = await openFold('Desktop session');
    await fireEvent.click(
      within(section).getByRole('button', { name: 'Show options for this desktop' }),
    );
    const run = await within(section).findByRole('button', { name: 'Log out and back in now' });
    expect(run).toBeDisabled();
    const logout = within(section)
      .getByRole('heading', { name: 'Log out and back in' })
      .closest('div')!;
    await fireEvent.click(within(logout).getByRole('checkbox', { name: /I have saved my work/ }));
    expect(run).toBeEnabled();
    await fireEvent.click(run);
    await waitFor(() => expect(bridge.callsTo('runCompositorAction')).toHaveLength(1));
    expect(bridge.callsTo('runCompositorAction')[0]).toEqual({ id: 'logout', confirmed: true });
    expect(await within(section).findByText('gnome-session-quit --logout: done')).toBeVisible();
  });

  it('an unknown desktop: generic action first, other compositors behind "Other desktops", no stand-ins or backticks', async () => {
    const bridge = createFakeBridge();
    bridge.on('compositorAdvice', () =>
      Promise.resolve({
        ok: true,
        value: {
          ...advice(),
          session: 'unknown',
          sessionDetail: 'unknown test session',
          actions: advice().actions.filter((a) => a.privileged),
          config: [
            {
              title:
                'your wlroots compositor: use only the internal GPU (WLR_DRM_DEVICES, first entry is primary)',
              path: 'the script or profile that starts your wlroots compositor (e.g. ~/.profile, before `exec your wlroots compositor`)',
              text: 'export WLR_DRM_DEVICES=/dev/dri/egpu-guard-internal0\n',
              apply:
                'your wlroots compositor reads it only when it starts: exit your wlroots compositor and start it again; `ls -l /dev/dri` shows the link.',
            },
          ],
        },
      }),
    );
    await renderApp(bridge);
    const section = await openFold('Desktop session');
    await fireEvent.click(
      within(section).getByRole('button', { name: 'Show options for this desktop' }),
    );
    expect(
      await within(section).findByRole('heading', { name: /Restart the display manager/ }),
    ).toBeVisible();
    const other = within(section).getByText(/^Other desktops/, { selector: 'summary' });
    const snippet = within(section).getByRole('heading', { name: /^Other wlroots compositors/ });
    expect(snippet).not.toBeVisible();
    await fireEvent.click(other);
    expect(snippet).toBeVisible();
    expect(section).not.toHaveTextContent(/your wlroots compositor|`/);
    expect(within(section).getByText('ls -l /dev/dri', { selector: 'code' })).toBeVisible();
  });

  it('nothing holds the eGPU: "Nothing to do now", the session named once, the ways folded away', async () => {
    const bridge = createFakeBridge();
    bridge.on('compositorAdvice', () =>
      Promise.resolve({
        ok: true,
        value: {
          ...advice(),
          session: 'unknown',
          sessionDetail: 'An unknown session',
          egpuHeld: false,
          notes: ['No compositor or X server holds the eGPU now.'],
          actions: advice().actions.filter((a) => a.privileged),
        },
      }),
    );
    await renderApp(bridge);
    const section = await openFold('Desktop session');
    await fireEvent.click(
      within(section).getByRole('button', { name: 'Show options for this desktop' }),
    );
    expect(await within(section).findByText(/the desktop does not hold the eGPU/)).toBeVisible();
    expect(section.textContent?.match(/An unknown session/g)).toHaveLength(1);
    expect(within(section).queryByRole('heading', { name: 'What you can do' })).toBeNull();
    const restart = within(section).getByRole('heading', { name: /Restart the display manager/ });
    expect(restart).not.toBeVisible();
    await openDetails(section, 'If the desktop holds the eGPU later (1)');
    expect(restart).toBeVisible();
  });

  it('advice already shown is read again when the GPUs change, never left saying the opposite', async () => {
    const bridge = createFakeBridge();
    let attached = false;
    bridge.on('compositorAdvice', () =>
      Promise.resolve({
        ok: true,
        value: {
          ...advice(),
          notes: [
            attached
              ? 'No compositor or X server holds the eGPU now.'
              : 'No external GPU is attached now; the configuration below applies to the next one.',
          ],
        },
      }),
    );
    await renderApp(bridge);
    const section = await openFold('Desktop session');
    await fireEvent.click(
      within(section).getByRole('button', { name: 'Show options for this desktop' }),
    );
    expect(await within(section).findByText(/No external GPU is attached now/)).toBeVisible();
    attached = true;
    bridge.pushSnapshot(snapshot({ gpus: [egpuEntry('attached')], updatedAt: T0 + 5 }));
    expect(
      await within(section).findByText(/No compositor or X server holds the eGPU now/),
    ).toBeVisible();
    expect(within(section).queryByText(/No external GPU is attached now/)).toBeNull();
    expect(bridge.callsTo('compositorAdvice')).toHaveLength(2);
  });

  it('announces GPU state changes politely, outside the page that a dialog makes inert', async () => {
    const { bridge } = await renderApp();
    const live = document.querySelector('[data-announce]')!;
    expect(live).toHaveAttribute('aria-live', 'polite');
    expect(live.closest('[inert], .page')).toBeNull();
    bridge.pushSnapshot(
      snapshot({
        gpus: [egpuEntry('attached')],
        updatedAt: T0 + 1,
      }),
    );
    await waitFor(() =>
      expect(live).toHaveTextContent(
        'NVIDIA GeForce RTX 3070: attached, not in use. Ready. No app is using it.',
      ),
    );
  });

  it('unsubscribes from the bridge when it goes away', async () => {
    const { bridge, unmount } = await renderApp();
    expect(bridge.listeners).toEqual({ snapshot: 1, progress: 1, focus: 1 });
    unmount();
    expect(bridge.listeners).toEqual({ snapshot: 0, progress: 0, focus: 0 });
  });
});
