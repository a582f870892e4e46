// Signals to processes: liveness checks and the SIGTERM/SIGKILL a user confirmed in the UI.

import { appError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';

/** kill(pid, 0): true when the process exists (EPERM means it exists but is another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return typeof e === 'object' && e !== null && 'code' in e && e.code === 'EPERM';
  }
}

export function signalProcess(pid: number, signal: 'SIGTERM' | 'SIGKILL'): Result<void> {
  try {
    process.kill(pid, signal);
    return ok(undefined);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'EIO';
    if (code === 'ESRCH') return err(appError('not-found', `process ${pid} is already gone`));
    if (code === 'EPERM')
      return err(appError('permission-denied', `process ${pid} belongs to another user`));
    return err(appError('io', `cannot signal process ${pid}: ${code}`));
  }
}
