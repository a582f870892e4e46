import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { PendingDevice } from '../../main/common/snapshot.js';
import { createFakeBridge } from '../test/fake-bridge.js';
import { snapshot } from '../test/fixtures.js';
import { renderApp } from '../test/render-app.js';

const STRANGER_UID = '7e57c0de-0000-4242-8000-00000000beef';
const device = (over: Partial<PendingDevice>): PendingDevice => ({
  router: '0-1',
  host: false,
  vendorId: '0x127',
  vendorName: 'Razer',
  deviceId: '0x1',
  deviceName: 'Core X',
  authorized: 0,
  uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
  generation: 3,
  known: true,
  ...over,
});
const stranger = device({
  router: '0-3',
  vendorName: 'Unknown',
  deviceName: 'Never-seen device',
  uniqueId: STRANGER_UID,
  known: false,
});

const noticeOf = (text: RegExp): HTMLElement => screen.getByText(text).closest('div')!;

describe('Thunderbolt devices waiting for authorization', () => {
  it('a known enclosure gets Recover, which plans a recovery that approves nothing new', async () => {
    const bridge = createFakeBridge({ snapshot: snapshot({ pendingDevices: [device({})] }) });
    await renderApp(bridge);
    const notice = noticeOf(/Razer Core X is connected but not authorized/);
    expect(within(notice).queryByRole('button', { name: /Authorize this device/ })).toBeNull();
    await fireEvent.click(within(notice).getByRole('button', { name: 'Recover Razer Core X' }));
    expect(bridge.callsTo('planRecover')).toEqual([{ bdf: null }]);
  });

  it('a new device shows its unique_id and only an explicit "Authorize this device", which approves exactly it', async () => {
    const bridge = createFakeBridge({
      snapshot: snapshot({ pendingDevices: [device({}), stranger] }),
    });
    await renderApp(bridge);
    const notice = noticeOf(/A new Thunderbolt device is waiting for authorization/);
    expect(notice).toHaveTextContent('“Unknown Never-seen device”');
    expect(notice).toHaveTextContent(`unique_id ${STRANGER_UID}`);
    expect(within(notice).queryByRole('button', { name: /^Recover/ })).toBeNull();
    await fireEvent.click(
      within(notice).getByRole('button', { name: `Authorize this device ${STRANGER_UID}` }),
    );
    expect(bridge.callsTo('planRecover')).toEqual([{ bdf: null, approve: STRANGER_UID }]);
  });
});

describe('a known enclosure whose GPU card already waits for it', () => {
  it('is not announced twice: the card offers the way back, the line above the list stays away', async () => {
    const base = snapshot({ pendingDevices: [device({})] });
    const bridge = createFakeBridge({
      snapshot: {
        ...base,
        gpus: base.gpus.map((g) =>
          g.external
            ? {
                ...g,
                state: 'connected' as const,
                present: false,
                clients: null,
                enclosure: {
                  name: 'Razer Core X',
                  router: '0-1',
                  uniqueId: 'dc010000-0000-8508-a22d-32ca6421cb16',
                },
              }
            : g,
        ),
      },
    });
    await renderApp(bridge);
    expect(screen.queryByText(/Razer Core X is connected but not authorized/)).toBeNull();
    expect(screen.getAllByRole('button', { name: /^Recover/ })).toHaveLength(1);
  });
});
