// Owns the Tray. render() is idempotent: it recomputes menu, icon and tooltip from the snapshot
// and touches Electron only for what changed, so a burst of snapshots neither flickers the icon
// nor rebuilds a menu the user has open (KDE and GNOME re-read the whole dbusmenu on every set).

import {
  Menu,
  nativeImage,
  Tray,
  type MenuItemConstructorOptions,
  type NativeImage,
} from 'electron';
import type { Snapshot } from '../../main/common/snapshot.js';
import { buildTrayMenu, type TrayAction, type TrayMenuItem } from './tray-menu.js';
import { trayIconFile, trayIconState, trayTooltip } from './tray-icon.js';

export type TrayLike = Pick<
  Tray,
  'setContextMenu' | 'setImage' | 'setToolTip' | 'destroy' | 'isDestroyed'
> & { on(event: 'click', listener: () => void): unknown };

export type TrayControllerOptions = {
  /** assets/icons/tray */
  readonly iconDir: string;
  readonly dispatch: (action: TrayAction) => void;
  /** For testing: the Tray constructor. */
  readonly createTray?: (image: NativeImage) => TrayLike;
};

export type TrayRenderInput = {
  readonly snapshot: Snapshot | null;
  readonly autostart: boolean | null;
};

export type TrayController = {
  render(input: TrayRenderInput): void;
  dispose(): void;
};

export function toMenuTemplate(
  items: readonly TrayMenuItem[],
  dispatch: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((i): MenuItemConstructorOptions => {
    switch (i.type) {
      case 'separator':
        return { type: 'separator' };
      case 'checkbox': {
        const action = i.action;
        return {
          type: 'checkbox',
          label: i.label,
          checked: i.checked,
          enabled: i.enabled,
          click: () => dispatch(action),
        };
      }
      case 'normal': {
        const action = i.action;
        return action === null
          ? { label: i.label, enabled: false }
          : { label: i.label, enabled: i.enabled, click: () => dispatch(action) };
      }
    }
  });
}

export function createTrayController(options: TrayControllerOptions): TrayController {
  const createTray = options.createTray ?? ((image: NativeImage) => new Tray(image));
  let tray: TrayLike | null = null;
  let lastMenu = '';
  let lastIcon = '';
  let lastTooltip = '';
  let disposed = false;

  return {
    render(input) {
      if (disposed) return;
      const icon = trayIconFile(options.iconDir, trayIconState(input.snapshot));
      if (tray === null) {
        tray = createTray(nativeImage.createFromPath(icon));
        // Hosts that deliver a click (KDE's Activate) open the window; the others ignore clicks,
        // which is why the menu has "Open eGPU Guard" too.
        tray.on('click', () => options.dispatch({ type: 'open-window' }));
        lastIcon = icon;
      } else if (icon !== lastIcon) {
        tray.setImage(nativeImage.createFromPath(icon));
        lastIcon = icon;
      }
      const tooltip = trayTooltip(input.snapshot);
      if (tooltip !== lastTooltip) {
        tray.setToolTip(tooltip);
        lastTooltip = tooltip;
      }
      const items = buildTrayMenu(input);
      const key = JSON.stringify(items);
      if (key !== lastMenu) {
        tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(items, options.dispatch)));
        lastMenu = key;
      }
    },
    dispose() {
      disposed = true;
      // Destroy once: a second destroy during quit crashes some Electron versions
      // (electron/electron#32581, noted in Signal's SystemTrayService).
      if (tray !== null && !tray.isDestroyed()) tray.destroy();
      tray = null;
    },
  };
}
