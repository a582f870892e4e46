import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { createFakeBridge } from '../test/fake-bridge.js';
import { egpuEntry, igpuEntry, incident, snapshot, T0 } from '../test/fixtures.js';
import { openDetails, openFold } from '../test/open.js';
import { renderApp } from '../test/render-app.js';

describe('incident timeline', () => {
  it('one "What it means" paragraph, and what to do in the window\'s words, without backticks', async () => {
    const cli = {
      ...incident('inc-5', T0, 'NVIDIA GeForce RTX 3070 driver stuck'),
      meaning: ['The driver is waiting for programs to let go.', 'Removal cannot finish.'],
      nextSteps: [
        'Run `egpu clients` and close every program still using the GPU (games, browsers, compositors, CUDA jobs, nvidia-persistenced): the driver waits until they are gone.',
        'Next time, run `egpu eject` before unplugging: it shows the programs using the GPU and releases it cleanly.',
        'Reconnect the enclosure and run `egpu status` to see whether the GPU is back; if it is not, `egpu recover --yes` brings it up. Reboot only if that fails.',
        'If the device stays dead, `egpu recover 0000:0a:00.0 --dry-run` shows how eGPU Guard would bring it back (authorize, rescan PCI, rebind, reload the driver); run it with --yes, or reboot.',
        'Try `some-new-command` first.',
      ],
    };
    await renderApp(createFakeBridge({ snapshot: snapshot({ incidents: [cli] }) }));
    await openFold('Incidents');
    const item = screen.getByRole('article', { name: cli.title });
    const meaning = within(item).getByRole('heading', { name: 'What it means' });
    expect(meaning.nextElementSibling).toHaveTextContent(
      /^The driver is waiting for programs to let go\.$/,
    );
    // The rest explains the log lines: with the evidence.
    expect(within(item).getByText('Removal cannot finish.')).not.toBeVisible();
    expect(within(item).getAllByRole('heading', { name: 'What it means' })).toHaveLength(1);
    const steps = within(item)
      .getAllByRole('listitem')
      .map((li) => li.textContent ?? '');
    expect(steps[0]).toMatch(
      /^Close every app still using the GPU — the GPU’s card lists them under “Apps using it”/,
    );
    expect(steps[1]).toMatch(/^Next time, choose Safely eject before unplugging/);
    expect(steps[2]).toMatch(/watch its card in this window/);
    expect(steps[3]).toMatch(
      /choose Recover on its card: it shows how eGPU Guard would bring it back .* before anything runs; or reboot\.$/,
    );
    expect(item).not.toHaveTextContent(/`|egpu clients|egpu status|egpu eject|--dry-run/);
    // A command the window has no words for is still shown as code, never with backticks.
    expect(within(item).getByText('some-new-command', { selector: 'code' })).toBeVisible();
    // The title has a line of its own, not a squeezed column between the badge and the time.
    expect(within(item).getByRole('heading', { level: 3 }).parentElement).toBe(item);
  });

  it('for a GPU off the bus: no "close the apps its card lists", and one step to reconnect', async () => {
    const steps = [
      'Run `egpu clients` and close every program still using the GPU (games, browsers, compositors, CUDA jobs, nvidia-persistenced): the driver waits until they are gone.',
      'Reconnect the enclosure and run `egpu status` to see whether the GPU is back; if it is not, `egpu recover --yes` brings it up. Reboot only if that fails.',
      'If the device stays dead, `egpu recover 0000:0a:00.0 --dry-run` shows how eGPU Guard would bring it back (authorize, rescan PCI, rebind, reload the driver); run it with --yes, or reboot.',
    ];
    const fell = {
      ...incident('inc-9', T0, 'NVIDIA GeForce RTX 3070 fell off the bus'),
      gpu: egpuEntry().bdf,
      nextSteps: steps,
    };
    // A failed recovery took the dead GPU off the bus: its card says reconnect, without Recover.
    const gone = egpuEntry('unplugged', { present: false, departure: 'fell-off-bus' });
    await renderApp(
      createFakeBridge({ snapshot: snapshot({ gpus: [igpuEntry(), gone], incidents: [fell] }) }),
    );
    await openFold('Incidents');
    const item = screen.getByRole('article', { name: fell.title });
    const todo = within(item).getByRole('heading', { name: 'What to do' }).nextElementSibling;
    const texts = [...(todo?.querySelectorAll('li') ?? [])].map((li) => li.textContent ?? '');
    expect(texts).toEqual([
      'Reconnect the enclosure: unplug it, wait ten seconds and plug it back in, then choose Recover on its card; if the GPU does not come back, reboot.',
    ]);
  });

  it('for a GPU on the bus that no app uses: nothing to close', async () => {
    const fell = {
      ...incident('inc-8', T0, 'NVIDIA GeForce RTX 3070 fell off the bus'),
      gpu: egpuEntry().bdf,
      nextSteps: [
        'Run `egpu clients` and close every program still using the GPU (games, browsers, compositors, CUDA jobs, nvidia-persistenced): the driver waits until they are gone.',
        'If the device stays dead, `egpu recover 0000:0a:00.0 --dry-run` shows how eGPU Guard would bring it back (authorize, rescan PCI, rebind, reload the driver); run it with --yes, or reboot.',
      ],
    };
    const render = async (clients: ReturnType<typeof egpuEntry>['clients']): Promise<string[]> => {
      const dead = egpuEntry('fell-off-bus', { clients });
      const { unmount } = await renderApp(
        createFakeBridge({ snapshot: snapshot({ gpus: [igpuEntry(), dead], incidents: [fell] }) }),
      );
      await openFold('Incidents');
      const item = screen.getByRole('article', { name: fell.title });
      const todo = within(item).getByRole('heading', { name: 'What to do' }).nextElementSibling;
      const texts = [...(todo?.querySelectorAll('li') ?? [])].map((li) => li.textContent ?? '');
      unmount();
      return texts;
    };
    // The card says "No app is using it": the advice does not send anyone to close apps.
    expect((await render([])).join(' ')).not.toMatch(/Close every app/);
    // Before the first scan, or with an app listed, it stands.
    expect((await render(null))[0]).toMatch(/^Close every app still using the GPU/);
    expect((await render(egpuEntry('in-use').clients))[0]).toMatch(/^Close every app/);
  });

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
    // Collapsed, the row names the newest.
    expect(within(section).getByText(/Newer trouble \(and 1 more open\)/)).toBeVisible();
    await openFold('Incidents');
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
    // The evidence is technical: one more disclosure.
    await openDetails(newest, /^Evidence \(2 lines/);
    expect(
      within(newest).getByText('pcieport 0000:06:01.0: pciehp: Slot(1): Link Down'),
    ).toBeVisible();
    expect(within(newest).getByText('kernel')).toBeVisible();
    expect(within(newest).getByText('udev')).toBeVisible();
  });

  it('says when nothing went wrong', async () => {
    await renderApp();
    expect(
      within(screen.getByRole('region', { name: 'Incidents' })).getByText('none'),
    ).toBeVisible();
    await openFold('Incidents');
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
    const fold = screen.getByRole('region', { name: 'Incidents' }).querySelector('details')!;
    expect(fold.open).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: /What happened\?/ }));
    expect(fold.open).toBe(true);
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
    await openFold('Incidents');
    expect(await screen.findByRole('heading', { name: 'It fell off' })).toBeVisible();
    expect(screen.getByText('Fell off the bus', { selector: '.badge' })).toBeVisible();
    // An older snapshot (a slow reply) does not roll the window back.
    bridge.pushSnapshot(snapshot({ updatedAt: T0 }));
    expect(screen.getByRole('heading', { name: 'It fell off' })).toBeVisible();
  });

  it('an incident that ended says how, and the row names only open ones', async () => {
    const ended = {
      ...incident('i1', T0, 'NVIDIA GeForce RTX 3070 unplugged while in use'),
      resolvedAt: T0 + 60_000,
      outcome: 'NVIDIA GeForce RTX 3070 is back on the bus',
    };
    await renderApp(createFakeBridge({ snapshot: snapshot({ incidents: [ended] }) }));
    expect(screen.getByText('none open (1 resolved)')).toBeInTheDocument();
    await openFold('Incidents');
    expect(screen.getByText('Resolved', { selector: '.badge' })).toBeInTheDocument();
    expect(
      screen.getByText(/Ended at .*: NVIDIA GeForce RTX 3070 is back on the bus\./),
    ).toBeInTheDocument();
  });
});
