import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { StepProgress } from '../../main/common/actions-model.js';
import { createFakeBridge } from '../test/fake-bridge.js';
import { EGPU, egpuEntry, ejectPlan, igpuEntry, snapshot } from '../test/fixtures.js';
import { renderApp } from '../test/render-app.js';

const NAME = 'NVIDIA GeForce RTX 3070';

async function openEject() {
  const app = await renderApp();
  const opener = screen.getByRole('button', { name: `Safely eject ${NAME}` });
  opener.focus();
  await fireEvent.click(opener);
  const dialog = await screen.findByRole('dialog', { name: `Safely eject ${NAME}` });
  await within(dialog).findByText('ollama (pid 4242) uses it for compute (CUDA).');
  return { ...app, dialog, opener };
}

async function startRun(dialog: HTMLElement) {
  await fireEvent.click(within(dialog).getByRole('checkbox', { name: /Close ollama first/ }));
  await fireEvent.click(within(dialog).getByRole('button', { name: 'Eject now' }));
}

const progress = (step: StepProgress['step'], status: StepProgress['status'], detail = '') => ({
  runId: 'run-1',
  progress: { step, status, detail },
});

describe('eject flow', () => {
  it('says the plan in plain words first; steps, addresses and helper commands behind Details', async () => {
    const bridge = createFakeBridge();
    bridge.on('planEject', () =>
      Promise.resolve({
        ok: true,
        value: {
          ...ejectPlan(),
          warnings: ['A drive in the Razer Core X (Samsung T7) stays connected: eject it first.'],
        },
      }),
    );
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Safely eject ${NAME}` }));
    const dialog = await screen.findByRole('dialog', { name: `Safely eject ${NAME}` });
    expect(
      await within(dialog).findByText(
        'Close ollama, then eGPU Guard releases the GPU and tells you when to unplug the Razer Core X.',
      ),
    ).toBeVisible();
    expect(within(dialog).getByRole('checkbox', { name: /Close ollama first/ })).toBeVisible();
    expect(within(dialog).getByText(/Samsung T7\) stays connected/)).toBeVisible();
    const helper = within(dialog).getByText('egpu-guard-helper unbind 0000:0a:00.0');
    expect(helper).not.toBeVisible();
    await fireEvent.click(within(dialog).getByText('Details', { selector: 'summary' }));
    expect(helper).toBeVisible();
  });

  it('the result names what to unplug when the core does not', async () => {
    const { dialog, bridge } = await openEject();
    await startRun(dialog);
    bridge.pushProgress({ runId: 'run-1', final: { result: 'safe-to-unplug', detail: '' } });
    await tick();
    const result = within(dialog).getByRole('status');
    expect(result).toHaveTextContent('Safe to unplug');
    expect(result).toHaveTextContent('Unplug the Razer Core X now.');
  });

  it('shows the blocker in plain words and needs an explicit yes before it runs', async () => {
    const { dialog, bridge } = await openEject();
    expect(bridge.callsTo('planEject')).toEqual([{ bdf: EGPU }]);
    const confirm = within(dialog).getByRole('button', { name: 'Eject now' });
    expect(confirm).toBeDisabled();
    expect(
      within(dialog).getByText('Tick the apps eGPU Guard may close to continue.'),
    ).toBeVisible();
    // Every step is listed before anything runs, privileged ones with the helper command.
    const steps = within(dialog)
      .getAllByRole('listitem')
      .filter((li) => li.dataset['step']);
    expect(steps.map((li) => li.dataset['step'])).toEqual([
      'close-app',
      'unbind',
      'remove',
      'safe-to-unplug',
    ]);
    expect(within(dialog).getByText('egpu-guard-helper unbind 0000:0a:00.0')).toBeInTheDocument();
    const force = within(dialog).getByRole('checkbox', { name: /Force quit/ });
    expect(force).not.toBeChecked();
    await fireEvent.click(within(dialog).getByRole('checkbox', { name: /Close ollama first/ }));
    expect(confirm).toBeEnabled();
    await fireEvent.click(confirm);
    expect(bridge.callsTo('runEject')).toEqual([{ bdf: EGPU, closePids: [4242], force: false }]);
  });

  it('force quitting is a separate choice that travels with the run', async () => {
    const { dialog, bridge } = await openEject();
    await fireEvent.click(within(dialog).getByRole('checkbox', { name: /Force quit/ }));
    await startRun(dialog);
    expect(bridge.callsTo('runEject')).toEqual([{ bdf: EGPU, closePids: [4242], force: true }]);
  });

  it('a blocker that cannot be closed keeps the eject from starting', async () => {
    const bridge = createFakeBridge();
    const reason = 'GNOME Shell drives your displays from this GPU. Log out first.';
    bridge.on('planEject', () =>
      Promise.resolve({
        ok: true,
        value: ejectPlan([{ kind: 'primary-gpu', reason, closable: false }]),
      }),
    );
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Safely eject ${NAME}` }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText(reason)).toBeInTheDocument();
    expect(within(dialog).queryByRole('checkbox')).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Eject now' })).toBeDisabled();
    expect(within(dialog).getByText(/cannot run until the problem above is solved/)).toBeVisible();
  });

  it('shows per-step progress, then a prominent "Safe to unplug"', async () => {
    const { dialog, bridge, opener } = await openEject();
    await startRun(dialog);
    bridge.pushProgress(
      progress('close-app', 'running', 'Ask ollama (pid 4242) to quit (SIGTERM)'),
    );
    await tick();
    const status = within(dialog).getByRole('status');
    expect(status).toHaveTextContent('Step 1 of 4: Ask ollama (pid 4242) to quit (SIGTERM)');
    bridge.pushProgress(progress('close-app', 'done'));
    await tick();
    // Between one step's end and the next one's start: the next step, not "Starting the eject…".
    expect(within(dialog).getByRole('status')).toHaveTextContent(/^Step 2 of 4: /);
    bridge.pushProgress(progress('unbind', 'running', 'Detaching nvidia'));
    await tick();
    expect(within(dialog).getByRole('status')).toHaveTextContent('Step 2 of 4: Detaching nvidia');
    const rows = () =>
      within(dialog)
        .getAllByRole('listitem')
        .filter((li) => li.dataset['step'])
        .map((li) => `${li.dataset['step']}:${li.dataset['status']}`);
    expect(rows()).toEqual([
      'close-app:done',
      'unbind:running',
      'remove:pending',
      'safe-to-unplug:pending',
    ]);
    expect(within(dialog).getByRole('progressbar', { name: 'Steps done' })).toHaveAttribute(
      'value',
      '1',
    );
    for (const step of ['unbind', 'remove', 'safe-to-unplug'] as const) {
      bridge.pushProgress(progress(step, 'done'));
    }
    bridge.pushProgress({
      runId: 'run-1',
      final: { result: 'safe-to-unplug', detail: 'You can unplug the Razer Core X now.' },
    });
    await tick();
    const result = within(dialog).getByRole('status');
    expect(result).toHaveAttribute('data-result', 'safe-to-unplug');
    expect(result).toHaveTextContent('Safe to unplug');
    expect(result).toHaveTextContent('You can unplug the Razer Core X now.');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('ignores progress of other runs and applies progress that beat the reply', async () => {
    const bridge = createFakeBridge();
    bridge.on('runEject', () => {
      // The push arrives before the reply with the run id (SSE is faster than the POST).
      bridge.pushProgress({
        runId: 'run-7',
        progress: { step: 'close-app', status: 'running', detail: 'early' },
      });
      return Promise.resolve({ ok: true, value: { runId: 'run-7' } });
    });
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Safely eject ${NAME}` }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText(/ollama \(pid 4242\) uses it/);
    await startRun(dialog);
    await waitFor(() =>
      expect(within(dialog).getByRole('status')).toHaveTextContent('Step 1 of 4: early'),
    );
    bridge.pushProgress({ runId: 'run-other', final: { result: 'failed', detail: 'not ours' } });
    await tick();
    expect(within(dialog).queryByText('not ours')).toBeNull();
  });

  it('Cancel asks the run to stop and the result says not to unplug', async () => {
    const { dialog, bridge } = await openEject();
    await startRun(dialog);
    bridge.pushProgress(progress('close-app', 'running'));
    await tick();
    const cancel = within(dialog).getByRole('button', { name: 'Cancel eject' });
    await fireEvent.click(cancel);
    expect(bridge.callsTo('cancelAction')).toEqual([{ runId: 'run-1' }]);
    expect(within(dialog).getByRole('button', { name: 'Cancelling…' })).toBeDisabled();
    bridge.pushProgress(progress('close-app', 'done'));
    bridge.pushProgress(progress('unbind', 'skipped'));
    bridge.pushProgress({
      runId: 'run-1',
      final: { result: 'cancelled', detail: 'Cancelled after 1 of 4 steps.' },
    });
    await tick();
    const result = within(dialog).getByRole('status');
    expect(result).toHaveTextContent(/^Cancelled/);
    expect(result).toHaveTextContent('Cancelled after 1 of 4 steps.');
    expect(result).toHaveTextContent('Do not unplug: the GPU is not ejected.');
  });

  it('a failed eject is an alert that says what to do', async () => {
    const { dialog, bridge } = await openEject();
    await startRun(dialog);
    bridge.pushProgress(progress('unbind', 'failed', 'the driver refused'));
    bridge.pushProgress({
      runId: 'run-1',
      final: { result: 'failed', detail: 'Unbinding failed.' },
    });
    await tick();
    const alert = within(dialog).getByRole('alert');
    expect(alert).toHaveTextContent('Eject failed');
    expect(alert).toHaveTextContent('Unbinding failed.');
    expect(alert).toHaveTextContent('Do not unplug yet');
  });

  it('a planning error is shown as an alert', async () => {
    const bridge = createFakeBridge();
    bridge.on('planEject', () =>
      Promise.resolve({ ok: false, error: { code: 'device-gone', message: 'It is gone.' } }),
    );
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Safely eject ${NAME}` }));
    const alert = await within(await screen.findByRole('dialog')).findByRole('alert');
    expect(alert).toHaveTextContent('Could not eject');
    expect(alert).toHaveTextContent('The device is gone. It is gone.');
  });

  it('Escape hides a running eject; it goes on and comes back with its result', async () => {
    const { dialog, bridge } = await openEject();
    await startRun(dialog);
    bridge.pushProgress(progress('close-app', 'running', 'Asking ollama'));
    await tick();
    await fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(
      screen.getByText(/Ejecting NVIDIA GeForce RTX 3070: step 1 of 4 \(Asking ollama\)/),
    ).toBeVisible();
    expect(screen.getByRole('button', { name: /Safely eject/ })).toBeDisabled();
    bridge.pushProgress({ runId: 'run-1', final: { result: 'safe-to-unplug', detail: '' } });
    const back = await screen.findByRole('dialog');
    expect(within(back).getByRole('status')).toHaveTextContent('Safe to unplug');
  });

  it('recovery shows its dry run first, then runs', async () => {
    const bridge = createFakeBridge({
      snapshot: snapshot({ gpus: [igpuEntry(), egpuEntry('fell-off-bus')] }),
    });
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Recover ${NAME}` }));
    const dialog = await screen.findByRole('dialog', { name: `Recover ${NAME}` });
    expect(await within(dialog).findByText('What recovery will do')).toBeInTheDocument();
    expect(within(dialog).getByText('egpu-guard-helper rescan')).toBeInTheDocument();
    expect(bridge.callsTo('runRecover')).toEqual([]);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Run recovery' }));
    expect(bridge.callsTo('runRecover')).toEqual([{ bdf: EGPU }]);
    bridge.pushProgress({ runId: 'run-2', final: { result: 'recovered', detail: 'Back.' } });
    await tick();
    expect(within(dialog).getByRole('status')).toHaveTextContent(/^Recovered\s*Back\.$/);
  });

  it('"Use it again" after a safe eject is said as bringing it back, not as a repair', async () => {
    const safe = egpuEntry('safe-to-unplug', { present: false, departure: 'safe-eject' });
    const bridge = createFakeBridge({ snapshot: snapshot({ gpus: [igpuEntry(), safe] }) });
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Use it again (${NAME})` }));
    const dialog = await screen.findByRole('dialog', { name: `Use ${NAME} again` });
    const bring = await within(dialog).findByRole('button', { name: 'Bring it back' });
    expect(within(dialog).getByText('What bringing it back will do')).toBeInTheDocument();
    expect(within(dialog).queryByText(/Recover|recovery/)).toBeNull();
    await fireEvent.click(bring);
    expect(bridge.callsTo('runRecover')).toEqual([{ bdf: EGPU }]);
    expect(within(dialog).queryByText(/Recover|recovery/)).toBeNull();
    bridge.pushProgress({ runId: 'run-2', final: { result: 'recovered', detail: 'Back.' } });
    await tick();
    expect(within(dialog).getByRole('status')).toHaveTextContent(/^Ready to use again\s*Back\.$/);
    expect(dialog).not.toHaveTextContent(/Recover/);
  });

  it('while a recovery runs, nothing on screen says to unplug', async () => {
    const dead = egpuEntry('unplugged', { present: false, departure: 'fell-off-bus' });
    const bridge = createFakeBridge({
      snapshot: snapshot({
        gpus: [igpuEntry(), { ...dead, state: 'fell-off-bus', present: true }],
      }),
    });
    const { container } = await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Recover ${NAME}` }));
    const dialog = await screen.findByRole('dialog', { name: `Recover ${NAME}` });
    await fireEvent.click(await within(dialog).findByRole('button', { name: 'Run recovery' }));
    bridge.pushProgress({
      runId: 'run-2',
      progress: { step: 'remove', status: 'running', detail: '' },
    });
    await tick();
    expect(dialog).toHaveTextContent('Let it finish before you unplug or reconnect anything.');
    const card = container.querySelector('article.card')!;
    expect(card).toHaveTextContent(
      'eGPU Guard is bringing it back: let it finish before you unplug or reconnect anything.',
    );
    expect(card.textContent).not.toMatch(/unplug it,/);
    bridge.pushProgress({ runId: 'run-2', final: { result: 'failed', detail: 'Still dead.' } });
    await tick();
    expect(card).not.toHaveTextContent(/bringing it back/);
  });

  it("a failed recovery says what to do once, in the core's words", async () => {
    const bridge = createFakeBridge({
      snapshot: snapshot({ gpus: [igpuEntry(), egpuEntry('fell-off-bus')] }),
    });
    await renderApp(bridge);
    await fireEvent.click(screen.getByRole('button', { name: `Recover ${NAME}` }));
    const dialog = await screen.findByRole('dialog', { name: `Recover ${NAME}` });
    await fireEvent.click(await within(dialog).findByRole('button', { name: 'Run recovery' }));
    const detail = `${NAME} (${EGPU}) is still not responding — reconnect the enclosure; if that fails, a reboot is needed.`;
    bridge.pushProgress({ runId: 'run-2', final: { result: 'failed', detail } });
    await tick();
    const result = within(dialog).getByRole('alert');
    expect(result).toHaveTextContent(detail);
    expect(result.textContent?.match(/reconnect|plug it back in/gi)).toHaveLength(1);
  });
});

describe('a run that ended early', () => {
  it('says the steps it never reached were not run, not that they are waiting', async () => {
    const { dialog, bridge } = await openEject();
    await startRun(dialog);
    bridge.pushProgress(progress('close-app', 'done'));
    bridge.pushProgress(progress('unbind', 'failed', 'the driver did not let go'));
    bridge.pushProgress({
      runId: 'run-1',
      final: { result: 'failed', detail: 'It is still in use.' },
    });
    await tick();
    const rows = within(dialog)
      .getAllByRole('listitem')
      .filter((li) => li.dataset['step']);
    const said: Record<string, string | null | undefined> = Object.fromEntries(
      rows.map((li) => [li.dataset['step'] ?? '', li.querySelector('.status')?.textContent]),
    );
    expect(said['close-app']).toBe('Done');
    expect(said['unbind']).toBe('Failed');
    expect(said['remove']).toBe('Not run');
    expect(Object.values(said)).not.toContain('Waiting');
  });
});
