import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { createFakeBridge } from '../test/fake-bridge.js';
import { egpuEntry, igpuEntry, incident, snapshot, T0 } from '../test/fixtures.js';
import { renderApp } from '../test/render-app.js';

describe('incident timeline', () => {
  it('lists incidents newest first with evidence, meaning and next steps', async () => {
    const bridge = createFakeBridge({
      snapshot: snapshot({
        incidents: [
          incident('inc-1', T0, 'Older trouble'),
          incident('inc-2', T0 + 60_000, 'Newer trouble'),
        ],
      }),
    });
    await renderApp(bridge);
    const section = screen.getByRole('region', { name: 'Incidents' });
    const items = within(section).getAllByRole('article');
    expect(items.map((a) => within(a).getByRole('heading', { level: 3 }).textContent)).toEqual([
      'Newer trouble',
      'Older trouble',
    ]);
    const newest = items[0]!;
    expect(within(newest).getByText('Critical')).toBeInTheDocument();
    expect(
      within(newest).getByText('The eGPU disappeared without being ejected first.'),
    ).toBeVisible();
    expect(within(newest).getByRole('heading', { name: 'What to do' })).toBeVisible();
    expect(within(newest).getByText('Reconnect the enclosure, then use Recover.')).toBeVisible();
    expect(
      within(newest).getByText('pcieport 0000:06:01.0: pciehp: Slot(1): Link Down'),
    ).toBeVisible();
    expect(within(newest).getByText('kernel')).toBeVisible();
    expect(within(newest).getByText('udev')).toBeVisible();
  });

  it('says when nothing went wrong', async () => {
    await renderApp();
    expect(screen.getByText('Nothing has gone wrong since eGPU Guard started.')).toBeVisible();
  });

  it('"What happened?" on a GPU card moves focus to its incident', async () => {
    const bridge = createFakeBridge({
      snapshot: snapshot({
        gpus: [igpuEntry(), egpuEntry('surprise-removed', { present: false, incident: 'inc-9' })],
        incidents: [incident('inc-9', T0, 'NVIDIA GeForce RTX 3070 unplugged while in use')],
      }),
    });
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: /What happened\?/ }));
    expect(document.activeElement).toBe(document.getElementById('incident-inc-9'));
  });

  it('follows pushed snapshots', async () => {
    const { bridge } = await renderApp();
    bridge.pushSnapshot(
      snapshot({
        gpus: [igpuEntry(), egpuEntry('fell-off-bus', { incident: 'inc-3' })],
        incidents: [incident('inc-3', T0 + 1, 'It fell off')],
        updatedAt: T0 + 1,
      }),
    );
    expect(await screen.findByText('It fell off')).toBeVisible();
    expect(screen.getByText('Fell off the bus', { selector: '.badge' })).toBeVisible();
    // An older snapshot (a slow reply) does not roll the window back.
    bridge.pushSnapshot(snapshot({ updatedAt: T0 }));
    expect(screen.getByText('It fell off')).toBeVisible();
  });
});
