// The default session denies every permission request and check (camera, notifications,
// geolocation, HID, serial, …; Electron security checklist #5), refuses downloads, and adds the
// CSP as a response header — a second layer behind the renderer's <meta> policy (see csp.ts).

import type { Session } from 'electron';
import { CONTENT_SECURITY_POLICY } from './csp.js';

type SessionLike = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'on'
> & { readonly webRequest: Pick<Session['webRequest'], 'onHeadersReceived'> };

export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
}
