// Reads the administrator's removable list (common/removable-config.ts) under the system root,
// with the same ownership rule the helper applies, so `egpu status` and the eject planner reach
// the verdict the helper will.

import {
  REMOVABLE_CONFIG_DIR,
  REMOVABLE_CONFIG_MAX_BYTES,
  REMOVABLE_CONFIG_PATH,
  distrustReason,
  parseRemovableConfig,
  type OwnerStat,
} from '../common/removable-config.js';
import type { FileStat, SystemRoot } from '../platform/system-root.js';

export type AdminRemovable =
  | { readonly state: 'absent' }
  | { readonly state: 'ignored'; readonly reason: string }
  | {
      readonly state: 'trusted';
      readonly addresses: readonly string[];
      readonly invalid: readonly string[];
    };

const owner = (s: FileStat): OwnerStat => ({
  kind: s.kind === 'file' || s.kind === 'dir' || s.kind === 'symlink' ? s.kind : 'other',
  uid: s.uid,
  mode: s.mode,
});

export function readAdminRemovable(root: SystemRoot): AdminRemovable {
  const file = root.lstat(REMOVABLE_CONFIG_PATH);
  if (!file.ok) return { state: 'absent' };
  const dir = root.lstat(REMOVABLE_CONFIG_DIR);
  const why = distrustReason(dir.ok ? owner(dir.value) : null, owner(file.value));
  if (why !== null) return { state: 'ignored', reason: why };
  const text = root.readText(REMOVABLE_CONFIG_PATH, REMOVABLE_CONFIG_MAX_BYTES);
  if (!text.ok) return { state: 'ignored', reason: text.error.message };
  const parsed = parseRemovableConfig(text.value);
  return { state: 'trusted', addresses: parsed.addresses, invalid: parsed.invalid };
}
