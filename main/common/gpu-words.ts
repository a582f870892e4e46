// What a GPU's state means to a person, from the facts the state machine keeps: one place that
// the window, the tray, notifications and the CLI take their words and primary action from, so
// no face can call a finished safe eject a problem while another calls it done. The lifecycle
// state alone is not enough: "unplugged" after a safe eject is the end of the story the user
// chose, while "unplugged" without one may have crashed the apps that used the GPU.

import type { GpuEntry, Severity } from './snapshot.js';

/** The one thing the GPU's row offers first; null when nothing needs doing. */
export type PrimaryAction = 'eject' | 'recover' | null;

export type GpuWords = {
  /** The sub-case's key (state, or state plus how it left): what `watch --json` and tests name. */
  readonly key: string;
  /** Short words for menus and badges ("safe to unplug"). */
  readonly short: string;
  /** One sentence on what it means now and what to do. */
  readonly explanation: string;
  readonly severity: Severity;
  readonly primary: PrimaryAction;
  /** Recover offered as a secondary choice ("Use it again") without being the next step. */
  readonly canReuse: boolean;
};

type Facts = Pick<
  GpuEntry,
  | 'state'
  | 'departure'
  | 'external'
  | 'enclosure'
  | 'clients'
  | 'clientsAt'
  | 'unplugWarnings'
  | 'lostUsers'
  | 'enclosureGone'
>;

/** "ollama (pid 2231)", "ollama (pid 2231) and blender (pid 4410)". */
export function usersWords(users: readonly { pid: number; comm: string }[]): string {
  const who = users.map((u) => `${u.comm} (pid ${u.pid})`);
  return who.length <= 1 ? (who[0] ?? '') : `${who.slice(0, -1).join(', ')} and ${who.at(-1)}`;
}

/** Who was using a GPU that went without an eject (still listed, or remembered). */
function lostUsersOf(g: Facts): readonly { pid: number; comm: string }[] {
  return (g.clients?.length ?? 0) > 0 ? (g.clients ?? []) : (g.lostUsers ?? []);
}

/** "the Razer Core X", or "the enclosure" when the enclosure has no name we know. */
export function enclosureWords(g: Pick<GpuEntry, 'enclosure'>): string {
  const name = g.enclosure?.name;
  return name === undefined || name === '' ? 'the enclosure' : `the ${name}`;
}

const upper = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function gpuWords(g: Facts): GpuWords {
  const box = enclosureWords(g);
  const w = (
    key: string,
    short: string,
    explanation: string,
    severity: Severity,
    primary: PrimaryAction,
    canReuse = false,
  ): GpuWords => ({ key, short, explanation, severity, primary, canReuse });
  // Recover cannot bring back a GPU whose enclosure is unplugged: it comes with the re-plug.
  const recoverUnlessGone: PrimaryAction = g.enclosureGone === true ? null : 'recover';
  switch (g.state) {
    case 'absent':
      return w('absent', 'not connected', 'Not connected.', 'info', null);
    case 'connected':
      // Plugged back in after a safe eject: routine, nothing to repair.
      if (g.departure === 'safe-eject')
        return w(
          'connected-after-eject',
          'connected again',
          `${upper(box)} is connected again. Choose Use it again to bring the GPU up.`,
          'info',
          null,
          true,
        );
      return w(
        'connected',
        'connected, not usable yet',
        `${upper(box)} is connected but the GPU is not usable yet: choose Recover to bring it up.`,
        'info',
        'recover',
      );
    case 'attached':
      // "Not in use" only once a scan has looked (clients null: not scanned yet).
      if (!g.external) return w('attached', 'attached', 'Ready.', 'info', null);
      return g.clients === null
        ? w('attached', 'attached', 'Ready.', 'info', 'eject')
        : w('attached', 'attached, not in use', 'Ready. No app is using it.', 'info', 'eject');
    case 'in-use': {
      const n = g.clients?.length ?? 0;
      const short = n > 0 ? `in use by ${n} app${n === 1 ? '' : 's'}` : 'in use';
      const using = n === 1 ? 'An app is using it.' : 'Apps are using it.';
      return g.external
        ? w('in-use', short, `${using} Eject it before unplugging.`, 'info', 'eject')
        : w('in-use', short, using, 'info', null);
    }
    case 'ejecting':
      return w('ejecting', 'ejecting…', 'Releasing the GPU. Do not unplug yet.', 'info', null);
    case 'safe-to-unplug':
      // A drive on the same tunnel stays connected: never a plain "unplug now" then.
      if ((g.unplugWarnings?.length ?? 0) > 0)
        return w(
          'safe-to-unplug-drive-connected',
          'GPU removed — eject the drive before unplugging',
          `The GPU is removed. ${(g.unplugWarnings ?? []).join(' ')}`,
          'warning',
          null,
          true,
        );
      return w(
        'safe-to-unplug',
        'safe to unplug',
        `Nothing uses it any more. Unplug ${box} now.`,
        'info',
        null,
        true,
      );
    case 'unplugged':
      if (g.departure === 'fell-off-bus')
        return w(
          'unplugged-not-responding',
          g.enclosureGone === true
            ? 'unplugged after it stopped responding — plug it back in'
            : 'not responding — reconnect it',
          g.enclosureGone === true
            ? `It stopped answering on the PCIe bus and was taken off it. ${upper(box)} is unplugged now: wait ten seconds, then plug it back in; if the GPU still does not come back, a reboot is needed.`
            : `It stopped answering on the PCIe bus and was taken off it. Reconnect ${box}: unplug it, wait ten seconds and plug it back in; if it still does not come back, a reboot is needed.`,
          'critical',
          null,
        );
      return g.departure === 'safe-eject'
        ? w(
            'unplugged-after-eject',
            'unplugged after a safe eject',
            'Unplugged after a safe eject.',
            'info',
            null,
          )
        : w(
            'unplugged',
            'removed without an eject',
            g.enclosureGone === true
              ? `It left the PCI bus without an eject from eGPU Guard. Plug ${box} back in to use it again.`
              : 'It left the PCI bus without an eject from eGPU Guard. Plug it back in if needed, then choose Recover.',
            'warning',
            recoverUnlessGone,
          );
    case 'fell-off-bus':
      return w(
        'fell-off-bus',
        'fell off the bus',
        // Nobody to warn about when the last scan found no app on it.
        g.clients !== null && g.clients.length === 0
          ? 'The GPU stopped answering on the PCIe bus.'
          : 'The GPU stopped answering on the PCIe bus. Apps using it will fail.',
        'critical',
        'recover',
      );
    case 'surprise-removed': {
      const users = lostUsersOf(g);
      const back = g.enclosureGone === true ? ` Plug ${box} back in to use it again.` : '';
      if (users.length === 0 && g.clientsAt === null)
        return w(
          'surprise-removed',
          'unplugged without an eject',
          `It disappeared without an eject. Apps that used it may have crashed.${back}`,
          'critical',
          recoverUnlessGone,
        );
      // Apps are scanned every 30 s (and when asked): one started after the last scan may have
      // been using it, so "nothing was lost" is never certain.
      if (users.length === 0)
        return w(
          'surprise-removed-idle',
          'unplugged without an eject',
          `It disappeared without an eject. No app was using it when last checked, so likely nothing was lost.${back} Eject it first next time: unplugging a GPU in use can freeze the desktop.`,
          'warning',
          recoverUnlessGone,
        );
      const verb = users.length === 1 ? 'was' : 'were';
      return w(
        'surprise-removed',
        'unplugged while in use',
        `It disappeared without an eject. ${usersWords(users)} ${verb} using it and may have crashed.${back}`,
        'critical',
        recoverUnlessGone,
      );
    }
    case 'stuck':
      return w(
        'stuck',
        'removal stuck in the driver',
        'The driver is stuck removing it. Do not unplug; save your work.',
        'critical',
        null,
      );
  }
}
