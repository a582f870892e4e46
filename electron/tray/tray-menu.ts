// Pure: snapshot → the tray's context menu, as data. The menu is the tray's only way in on Linux:
// StatusNotifier hosts (and Electron there) ignore clicks on the icon, so everything the tray
// offers sits in this menu (Signal's SystemTrayService notes the same). tray-controller.ts turns
// the items into an Electron Menu and the actions into calls.

import { gpuWords } from '../../main/common/gpu-words.js';
import type { GpuEntry, Snapshot } from '../../main/common/snapshot.js';
import { stateLabel } from './tray-icon.js';

export type TrayAction =
  | { readonly type: 'eject'; readonly gpu: string }
  | { readonly type: 'recover'; readonly gpu: string | null }
  | { readonly type: 'open-window' }
  | { readonly type: 'toggle-autostart' }
  | { readonly type: 'quit' };

export type TrayMenuItem =
  | {
      readonly type: 'normal';
      readonly label: string;
      readonly enabled: boolean;
      readonly action: TrayAction | null;
    }
  | {
      readonly type: 'checkbox';
      readonly label: string;
      readonly checked: boolean;
      readonly enabled: boolean;
      readonly action: TrayAction;
    }
  | { readonly type: 'separator' };

export type TrayMenuInput = {
  readonly snapshot: Snapshot | null;
  /** Whether the autostart entry is on; null when it cannot be read (item disabled). */
  readonly autostart: boolean | null;
};

/**
 * Electron treats `&` in Linux and Windows menu labels as a mnemonic marker; `&&` shows one `&`
 * (Electron MenuItem docs). GPU and enclosure names come from pci.ids and the hardware.
 */
export const escapeLabel = (text: string): string => text.replace(/&/g, '&&');

const label = (text: string): TrayMenuItem => ({
  type: 'normal',
  label: text,
  enabled: false,
  action: null,
});
const item = (text: string, action: TrayAction, enabled = true): TrayMenuItem => ({
  type: 'normal',
  label: text,
  enabled,
  action,
});
const separator: TrayMenuItem = { type: 'separator' };

/** Names as shown: two identical cards get their PCI address to tell them apart. */
function displayNames(gpus: readonly GpuEntry[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const g of gpus) count.set(g.name, (count.get(g.name) ?? 0) + 1);
  return new Map(
    gpus.map((g) => [
      g.bdf,
      escapeLabel((count.get(g.name) ?? 0) > 1 ? `${g.name} (${g.bdf})` : g.name),
    ]),
  );
}

function gpuItems(g: GpuEntry, name: string): TrayMenuItem[] {
  // The same primary action as the window's card (main/common/gpu-words.ts): after a safe eject
  // the menu says what to unplug and offers "Use it again", never a Recover as if it were broken.
  const words = gpuWords(g);
  const items: TrayMenuItem[] = [label(`${name}: ${stateLabel(g)}`)];
  if (words.primary === 'eject')
    items.push(item(`Safely eject ${name}`, { type: 'eject', gpu: g.bdf }));
  if (g.state === 'ejecting') items.push(item(`Ejecting ${name}…`, { type: 'open-window' }, false));
  if (words.primary === 'recover')
    items.push(item(`Recover ${name}`, { type: 'recover', gpu: g.bdf }));
  else if (words.canReuse) items.push(item(`Use ${name} again`, { type: 'recover', gpu: g.bdf }));
  return items;
}

/**
 * Thunderbolt devices waiting for authorization that no known GPU stands for. A known enclosure
 * (seen carrying a GPU, or stored by bolt) can be authorized from here; a new device names only
 * itself, which proves nothing, so the tray never authorizes it in one click: it opens the window,
 * where its unique_id is shown next to "Authorize this device".
 */
function pendingItems(s: Snapshot, gpus: readonly GpuEntry[]): TrayMenuItem[] {
  if (s.pendingDevices.length === 0 || gpus.some((g) => g.state === 'connected')) return [];
  return s.pendingDevices.map((d) => {
    const said = [d.vendorName, d.deviceName].filter((x) => x !== null && x !== '').join(' ');
    const name = escapeLabel(said === '' ? `Thunderbolt device ${d.router}` : said);
    return d.known
      ? item(`Authorize ${name}`, { type: 'recover', gpu: null })
      : item(`New Thunderbolt device “${name}”: review…`, { type: 'open-window' });
  });
}

export function buildTrayMenu(input: TrayMenuInput): TrayMenuItem[] {
  const s = input.snapshot;
  const gpus = s?.gpus.filter((g) => g.external) ?? [];
  const names = displayNames(gpus);
  const items: TrayMenuItem[] = [];
  if (s === null) items.push(label('Starting…'));
  else if (gpus.length === 0) items.push(label('No external GPU'));
  gpus.forEach((g, n) => {
    if (n > 0) items.push(separator);
    items.push(...gpuItems(g, names.get(g.bdf) ?? escapeLabel(g.name)));
  });
  if (s !== null) items.push(...pendingItems(s, gpus));
  items.push(
    separator,
    item('Open eGPU Guard', { type: 'open-window' }),
    {
      type: 'checkbox',
      label: 'Start at login',
      checked: input.autostart === true,
      enabled: input.autostart !== null,
      action: { type: 'toggle-autostart' },
    },
    separator,
    item('Quit', { type: 'quit' }),
  );
  return items;
}
