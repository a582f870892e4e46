import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { createFakeBridge } from '../test/fake-bridge.js';
import { renderApp } from '../test/render-app.js';

async function askToClose(bridge = createFakeBridge()) {
  const app = await renderApp(bridge);
  const opener = screen.getByRole('button', { name: 'Close ollama (pid 4242)' });
  opener.focus();
  await fireEvent.click(opener);
  const dialog = await screen.findByRole('dialog', { name: 'Close ollama?' });
  return { ...app, dialog, opener };
}

describe('closing an app', () => {
  it('asks first, with Cancel focused; Escape closes without doing anything', async () => {
    const { dialog, bridge, opener } = await askToClose();
    expect(within(dialog).getByText(/ask ollama \(pid 4242, user alex\) to quit/)).toBeVisible();
    expect(within(dialog).getByText('/usr/local/bin/ollama serve')).toBeVisible();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(bridge.callsTo('closeClient')).toEqual([]);
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });

  it('"Close" sends SIGTERM (force false) and confirms in a status line', async () => {
    const { dialog, bridge } = await askToClose();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Close ollama' }));
    expect(bridge.callsTo('closeClient')).toEqual([{ pid: 4242, force: false }]);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByText('Asked ollama (pid 4242) to quit.')).toHaveAttribute('role', 'status');
  });

  it('"Force quit" is a separate button; a failure stays in the dialog as an alert', async () => {
    const failing = createFakeBridge();
    let first = true;
    failing.on('closeClient', () => {
      const result = first
        ? { ok: false as const, error: { code: 'permission-denied' as const, message: 'EPERM' } }
        : { ok: true as const, value: null };
      first = false;
      return Promise.resolve(result);
    });
    const { dialog, bridge } = await askToClose(failing);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Close ollama' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Permission denied. EPERM');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Force quit ollama' }));
    expect(bridge.callsTo('closeClient')).toEqual([
      { pid: 4242, force: false },
      { pid: 4242, force: true },
    ]);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByText('ollama (pid 4242) was force-quit.')).toHaveAttribute('role', 'status');
  });

  it('keeps keyboard focus inside the dialog', async () => {
    const { dialog } = await askToClose();
    const buttons = within(dialog).getAllByRole('button');
    const first = buttons[0]!;
    const last = buttons[buttons.length - 1]!;
    expect(last).toHaveTextContent('Force quit ollama');
    last.focus();
    await fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(first);
    await fireEvent.keyDown(first, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    document.body.focus();
    await fireEvent.keyDown(document.body, { key: 'Tab' });
    expect(dialog.contains(document.activeElement)).toBe(true);
  });
});
