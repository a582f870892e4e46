// `egpu restart-compositor`: which desktop session this is, how to make its compositor (or X
// server) let go of the eGPU now, and the configuration that keeps it off the eGPU next time.
// `--run ID` runs one of the actions: unprivileged ones directly, privileged ones through the
// helper (pkexec; with --root DIR the helper runs on that sysroot with --test-root and records
// the command instead of running it).

import {
  adviceFromFacts,
  gatherCompositorFacts,
} from '../../actions/compositor/compositor-advice.js';
import { pickAction, runCompositorAction } from '../../actions/compositor/run-action.js';
import { createNodeCommandRunner } from '../../platform/command-runner.js';
import { createDbusPort } from '../../platform/dbus.js';
import { createPrivilegedRunner } from '../../platform/privileged.js';
import { UsageError, flagBool, flagString, type ParsedArgs } from '../args.js';
import { JSON_FLAG, ROOT_FLAGS, systemRootFromArgs, type CommandDef } from '../command.js';
import {
  formatCompositorAdvice,
  formatIdleUnknown,
  shellQuote,
} from '../format/compositor-text.js';

const NAME = 'egpu restart-compositor';

/** --root/--proc/--no-dbus, for the command the short answer suggests. */
function carried(args: ParsedArgs): string[] {
  return ['root', 'proc', 'no-dbus'].flatMap((name) => {
    const v = args.flags[name];
    return v === undefined || v === false ? [] : [`--${name}`, ...(v === true ? [] : [String(v)])];
  });
}

export const restartCompositorCommand: CommandDef = {
  name: 'restart-compositor',
  summary: 'how to make the desktop let go of the eGPU now, and keep it off next time',
  usage:
    'restart-compositor [--json] [--run ACTION_ID [--yes] [--dry-run]] [--all] [--root DIR] [--proc DIR] [--no-dbus]',
  details: [
    'Without --run: prints the detected session (logind, else XDG_SESSION_TYPE/XDG_CURRENT_DESKTOP,',
    'else process names), the actions with their exact commands and warnings, and the',
    'configuration snippets (udev rules, KWIN/WLR/AQ_DRM_DEVICES, xorg.conf).',
    '',
    'When the desktop is not recognised and nothing holds the eGPU, only that is said; --all',
    "prints the generic actions and every compositor's configuration anyway.",
    '',
    'Actions that close apps (log out, end the session, restart the display manager or',
    'bumblebeed) need --yes; --dry-run previews any of them without it. Privileged actions run through the eGPU Guard helper (polkit asks',
    'for a password); with --root DIR they run the helper on that sysroot instead.',
    '',
    'Exit status: 0 done (or nothing run), 1 the action failed, 2 usage errors: unknown action,',
    'an action that needs --yes, an action done by hand.',
  ].join('\n'),
  flags: {
    ...JSON_FLAG,
    ...ROOT_FLAGS,
    run: { type: 'string', value: 'ACTION_ID', description: 'run one action (e.g. logout)' },
    yes: { type: 'boolean', description: 'confirm an action that closes apps' },
    all: {
      type: 'boolean',
      description: 'print every action and snippet even when nothing holds the eGPU',
    },
    'dry-run': { type: 'boolean', description: 'with --run: print the command, run nothing' },
    'no-dbus': { type: 'boolean', description: 'do not ask logind; detect from env and processes' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const root = systemRootFromArgs(args);
    const sysroot = flagString(args, 'root') !== undefined;
    const id = flagString(args, 'run');
    const dry = flagBool(args, 'dry-run');
    if (id === undefined && (dry || flagBool(args, 'yes'))) {
      throw new UsageError('--yes and --dry-run go with --run ACTION_ID');
    }
    const facts = await gatherCompositorFacts({
      root,
      dbus: flagBool(args, 'no-dbus') ? null : createDbusPort({ env: io.env }),
      env: io.env,
      pid: process.pid,
      uid: process.getuid?.() ?? null,
    });
    const advice = adviceFromFacts(facts, io.env);
    if (id === undefined) {
      // An unknown desktop with nothing on the eGPU: nothing to restart, so no list of every
      // compositor's configuration unless asked for (--all). Not when other users' processes
      // could not be checked: a login screen may hold it.
      const idle = advice.session === 'unknown' && advice.egpuHeld === false;
      io.stdout(
        flagBool(args, 'json')
          ? JSON.stringify(advice, null, 2) + '\n'
          : idle && !flagBool(args, 'all')
            ? formatIdleUnknown(advice, facts.gpus.external.length > 0, carried(args))
            : formatCompositorAdvice(advice),
      );
      return 0;
    }
    // A preview changes nothing, so it needs no confirmation.
    const picked = pickAction(advice, id, flagBool(args, 'yes') || dry);
    if ('refusal' in picked) {
      io.stderr(`${NAME}: ${picked.refusal.message}\n`);
      return 2;
    }
    const { action } = picked;
    const shown = shellQuote(action.command ?? []);
    if (dry) {
      io.stdout(
        action.privileged
          ? `would run as root: egpu-guard-helper ${(action.helper ?? []).join(' ')} (${shown})\n`
          : `would run: ${shown}\n`,
      );
      return 0;
    }
    if (sysroot && !action.privileged) {
      io.stderr(
        `${NAME}: '${id}' acts on the live session, not on --root ${flagString(args, 'root')!}; not run (the command would be: ${shown})\n`,
      );
      return 1;
    }
    const runner = createNodeCommandRunner();
    const privileged = createPrivilegedRunner({
      runner,
      stepTimeoutMs: 120_000,
      ...(sysroot ? { testRoot: root.root } : {}),
    });
    io.stderr(`${NAME}: running '${id}': ${shown}\n`);
    const result = await runCompositorAction(action, { runner, privileged, env: io.env });
    if (!result.ok) {
      io.stderr(`${NAME}: ${id} failed: ${result.error.message}\n`);
      return 1;
    }
    io.stdout(`${result.value}\n`);
    return 0;
  },
};
