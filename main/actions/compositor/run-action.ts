// Runs one compositor action the user picked: unprivileged ones through the CommandRunner with the
// session's environment (a program started here must reach the session's display and bus), the
// privileged ones through the helper's `restart-unit` verb — the only privileged thing a
// compositor restart may do. Refusals come first and are values: unknown id, a warning not
// confirmed with --yes, an action done by hand.

import type { CompositorAction, CompositorAdvice } from '../../common/actions-model.js';
import { appError, type AppError } from '../../common/errors.js';
import { err, ok, type Result } from '../../common/result.js';
import { isHelperVerb } from '../../common/helper-contract.js';
import type { CommandRunner } from '../../platform/command-runner.js';
import type { PrivilegedRunner } from '../../platform/privileged.js';

/** What a program started for the session needs from the caller's environment. */
export const SESSION_ENV_KEYS = [
  'HOME',
  'USER',
  'LANG',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'XDG_RUNTIME_DIR',
  'XDG_SESSION_ID',
  'DBUS_SESSION_BUS_ADDRESS',
  'SWAYSOCK',
  'HYPRLAND_INSTANCE_SIGNATURE',
];

export function sessionEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of SESSION_ENV_KEYS) {
    const v = env[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

export type Refusal = {
  readonly reason: 'unknown-action' | 'needs-confirmation' | 'manual';
  readonly message: string;
};

/** The action to run, or why not. Pure. */
export function pickAction(
  advice: CompositorAdvice,
  id: string,
  confirmed: boolean,
): { action: CompositorAction } | { refusal: Refusal } {
  const action = advice.actions.find((a) => a.id === id);
  if (action === undefined) {
    const known = advice.actions.map((a) => a.id).join(', ') || 'none';
    return {
      refusal: {
        reason: 'unknown-action',
        message: `no action '${id}' for this session (actions here: ${known})`,
      },
    };
  }
  if (action.command === undefined) {
    return {
      refusal: { reason: 'manual', message: `'${id}' is done by hand: ${action.title}` },
    };
  }
  if (action.warning !== undefined && !confirmed) {
    return {
      refusal: {
        reason: 'needs-confirmation',
        message: `'${id}' needs --yes to run: ${action.warning}`,
      },
    };
  }
  return { action };
}

export type ActionPorts = {
  readonly runner: CommandRunner;
  readonly privileged: PrivilegedRunner;
  readonly env: Readonly<Record<string, string | undefined>>;
};

const lastLine = (text: string): string => text.trim().split('\n').pop()?.trim() ?? '';

async function runPrivileged(
  action: CompositorAction,
  ports: ActionPorts,
): Promise<Result<string, AppError>> {
  const [verb, ...args] = action.helper ?? [];
  if (verb !== 'restart-unit' || !isHelperVerb(verb)) {
    return err(appError('internal', `'${action.id}' names no restart-unit helper call`));
  }
  const r = await ports.privileged.run(verb, args);
  if (!r.ok) return r;
  const said = lastLine(r.value.stderr).replace(/^egpu-guard-helper: /, '');
  return ok(said || `${[verb, ...args].join(' ')}: done`);
}

async function runCommand(
  argv: readonly string[],
  ports: ActionPorts,
): Promise<Result<string, AppError>> {
  const [file, ...args] = argv;
  if (file === undefined) return err(appError('internal', 'empty command'));
  const shown = argv.join(' ');
  const r = await ports.runner.run({ file, args, env: sessionEnv(ports.env), timeoutMs: 60_000 });
  if (!r.ok) {
    return err(
      r.error.code === 'not-found'
        ? appError('not-found', `${file} is not installed (or not on PATH)`)
        : appError('command-failed', `${shown}: ${r.error.message}`),
    );
  }
  const o = r.value;
  if (o.timedOut) return err(appError('timeout', `${shown} did not finish within 60 s`));
  if (o.exitCode !== 0) {
    const why = lastLine(o.stderr) || lastLine(o.stdout);
    const how =
      o.exitCode === null ? `was killed by ${o.signal ?? 'a signal'}` : `exited with ${o.exitCode}`;
    return err(appError('command-failed', `${shown} ${how}${why ? `: ${why}` : ''}`));
  }
  return ok(`${shown}: done`);
}

/** Runs an action pickAction returned. The message says what happened, in one line. */
export function runCompositorAction(
  action: CompositorAction,
  ports: ActionPorts,
): Promise<Result<string, AppError>> {
  if (action.privileged) return runPrivileged(action, ports);
  return runCommand(action.command ?? [], ports);
}
