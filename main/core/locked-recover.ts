// Recovery under the same per-GPU lock as eject (gpu-lock.ts): a rescan or module reload in the
// middle of someone else's eject of that GPU would undo it half-way. `egpu recover` without a
// BDF may bring back any external GPU, so it takes the ALL_GPUS lock, which no GPU's eject may
// hold at the same time. The recover service itself stays unaware of locks.

import type { ActionFinal } from '../common/actions-model.js';
import type { RecoverService } from '../actions/recover/recover-service.js';
import { ALL_GPUS, alreadyRunning, type GpuLocks } from '../actions/gpu-lock.js';

const refused = (message: string, code: ActionFinal['code']): ActionFinal => ({
  result: 'failed',
  detail: `${message.charAt(0).toUpperCase()}${message.slice(1)}.`,
  ...(code === undefined ? {} : { code }),
});

/** Another eject or recovery holds the lock recovering `bdf` needs: its error, else null. */
export function recoverBusy(locks: GpuLocks, bdf: string | null) {
  const key = bdf ?? ALL_GPUS;
  const held = locks.holder(key);
  return held === null ? null : alreadyRunning(held.owner, held.key, key);
}

export function withRecoverLock(service: RecoverService, locks: GpuLocks): RecoverService {
  return {
    ...service,
    async run(...args) {
      const lock = locks.acquire(args[0] ?? ALL_GPUS, 'recover');
      if (!lock.ok) return refused(lock.error.message, lock.error.code);
      try {
        return await service.run(...args);
      } finally {
        lock.value.release();
      }
    },
  };
}
