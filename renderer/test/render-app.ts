// Renders the whole window around a fake bridge and waits for the first snapshot.
import { expect } from 'vitest';

import { render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import { createModels } from '../lib/context.js';
import { createFakeBridge, type FakeBridge } from './fake-bridge.js';

export async function renderApp(bridge: FakeBridge = createFakeBridge()) {
  const models = createModels(bridge);
  const result = render(App, { props: { models, clockMs: 60_000 } });
  await waitFor(() => expect(models.status.snapshot).not.toBeNull());
  await screen.findByRole('heading', { name: 'GPUs' });
  return { ...result, bridge, models };
}
