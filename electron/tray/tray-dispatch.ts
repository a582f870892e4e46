// What a tray menu item does: the eject and recover quick actions, the window, autostart, quit.
// Pure routing; the shell passes in what each does.

import type { TrayAction } from './tray-menu.js';

export type TrayDispatchDeps = {
  readonly eject: (gpu: string) => void;
  readonly recover: (gpu: string | null) => void;
  readonly showWindow: () => void;
  readonly toggleAutostart: () => void;
  readonly quit: () => void;
};

export function createTrayDispatch(d: TrayDispatchDeps): (action: TrayAction) => void {
  return (action) => {
    switch (action.type) {
      case 'eject':
        return d.eject(action.gpu);
      case 'recover':
        return d.recover(action.gpu);
      case 'open-window':
        return d.showWindow();
      case 'toggle-autostart':
        return d.toggleAutostart();
      case 'quit':
        return d.quit();
    }
  };
}
