// Pure: may this IPC sender talk to us? Electron security checklist #17 ("validate the sender of
// all IPC messages"): the frame must be the top frame of a window we created, showing our own
// renderer file, parsed with new URL() rather than compared as a string prefix.

import { appError } from '../../main/common/errors.js';
import { err, ok, type Result } from '../../main/common/result.js';

export type SenderFacts = {
  /** The sending frame's URL; null when the frame is gone (navigated or destroyed). */
  readonly url: string | null;
  readonly isTopFrame: boolean;
  readonly webContentsId: number;
};

export type SenderPolicy = {
  /** file:// URL of dist/renderer/index.html. */
  readonly rendererUrl: string;
  /** Is this one of our windows' webContents? */
  readonly isKnownWebContents: (id: number) => boolean;
};

const denied = (why: string): Result<void> =>
  err(appError('permission-denied', `IPC refused: ${why}`));

export function checkSender(facts: SenderFacts, policy: SenderPolicy): Result<void> {
  if (!policy.isKnownWebContents(facts.webContentsId)) return denied('unknown window');
  if (facts.url === null) return denied('the sending frame is gone');
  if (!facts.isTopFrame) return denied('not the top frame');
  let url: URL;
  try {
    url = new URL(facts.url);
  } catch {
    return denied('unparsable sender URL');
  }
  const expected = new URL(policy.rendererUrl);
  // Query and fragment may change inside the page; the document itself may not.
  if (url.protocol !== 'file:' || url.host !== '' || url.pathname !== expected.pathname) {
    return denied(`foreign page ${url.protocol}//${url.host}${url.pathname}`);
  }
  return ok(undefined);
}
