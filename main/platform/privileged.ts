// PrivilegedRunner port: runs one helper verb as root through pkexec, or, with a test root, runs
// the helper directly on a sysroot folder. pkexec is spawned directly by this (long-lived) process
// — its parent is the polkit subject and must stay alive — with a minimal, clean environment, since
// pkexec rejects suspicious values and clears the rest anyway (pkexec(1); polkit's
// src/programs/pkexec.c, validate_environment_variable).
//
// The watchdog: a kernel write can block for ever (NVIDIA waits for its usage count, amdgpu for
// fences). The step timer starts when the helper prints its ready line, so time spent in the
// password dialog never counts. When it fires we try SIGKILL and resolve with `driver-stuck` at
// once; the child is left to the kernel and never awaited (command-runner's abandon path).

import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { appError, type AppError } from '../common/errors.js';
import { err, ok, type Result } from '../common/result.js';
import {
  BLOCKING_VERBS,
  HELPER_EXIT,
  HELPER_INSTALL_PATH,
  HELPER_READY_LINE,
  PKEXEC_PATH,
  type HelperVerb,
} from '../common/helper-contract.js';
import type { CommandOutcome, CommandRunner } from './command-runner.js';

export type PrivilegedOutput = { readonly stdout: string; readonly stderr: string };

export type PrivilegedRunner = {
  run(verb: HelperVerb, args: readonly string[]): Promise<Result<PrivilegedOutput, AppError>>;
};

export type PrivilegedRunnerOptions = {
  readonly runner: CommandRunner;
  /**
   * The helper program. Real use: the installed path (default HELPER_INSTALL_PATH). With
   * testRoot: the helper's JS launcher (default this checkout's bin/egpu-guard-helper.js).
   */
  readonly helperPath?: string;
  /** Run the helper directly with `--test-root DIR` instead of through pkexec. */
  readonly testRoot?: string;
  /** How long one step may take once the helper runs. */
  readonly stepTimeoutMs: number;
  /** How long the polkit dialog may stay unanswered (real use only). Default 5 minutes. */
  readonly authTimeoutMs?: number;
  /** Injectable for tests; default /usr/bin/pkexec. */
  readonly pkexecPath?: string;
  /** The Node that runs the helper on a test root; default nodeForHelper(). */
  readonly nodePath?: string;
};

/**
 * The helper of this checkout, found from this module (main/ or dist/main/): the single-file
 * bundle packages ship (dist/helper/egpu-guard-helper.cjs) when it is built — it starts ~15 ms
 * sooner than going through the ESM launcher, and an eject runs it four times — else
 * bin/egpu-guard-helper.js.
 */
/**
 * The Node that runs the helper on a test root (the demo, tests). Under plain Node that is this
 * Node. Under Electron it is the system's Node — the interpreter the installed helper's
 * #!/usr/bin/node line names — never the Electron binary as Node: the packaged app turns the
 * RunAsNode fuse off, so that nobody can use it as a Node interpreter
 * (electronjs.org/docs/latest/tutorial/fuses).
 */
export function nodeForHelper(): string {
  return process.versions['electron'] === undefined ? process.execPath : SYSTEM_NODE;
}

const SYSTEM_NODE = '/usr/bin/node';

export function defaultHelperScript(): string {
  // A packaged app's helper bundle sits outside app.asar (resources/helper), where Node can run it.
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (process.versions['electron'] !== undefined && resources !== undefined) {
    const packaged = nodePath.join(resources, 'helper', 'egpu-guard-helper');
    if (existsSync(packaged)) return packaged;
  }
  const here = nodePath.dirname(fileURLToPath(import.meta.url)); // …/main/platform
  let repo = nodePath.dirname(nodePath.dirname(here));
  if (nodePath.basename(repo) === 'dist') repo = nodePath.dirname(repo);
  const bundle = nodePath.join(repo, 'dist', 'helper', 'egpu-guard-helper.cjs');
  return existsSync(bundle) ? bundle : nodePath.join(repo, 'bin', 'egpu-guard-helper.js');
}

const lastLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== HELPER_READY_LINE)
    .pop() ?? '';

const helperSaid = (stderr: string): string => lastLine(stderr).replace(/^egpu-guard-helper: /, '');

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

function stuckError(verb: HelperVerb, args: readonly string[], ms: number): AppError {
  const step = `\`${[verb, ...args].join(' ')}\` did not finish within ${seconds(ms)}.`;
  // systemctl waiting on a unit is slow, not a stuck driver.
  if (verb === 'restart-unit') return appError('timeout', step, { verb });
  const why = BLOCKING_VERBS.includes(verb)
    ? 'Usually a process still holds the GPU (NVIDIA waits for ever for its usage count to drop).'
    : 'The driver may be hung in the kernel.';
  return appError(
    'driver-stuck',
    `The driver is stuck inside the kernel: ${step} ${why} eGPU Guard left the operation to ` +
      'the kernel and stays usable; if it never completes, a reboot may be needed.',
    { verb },
  );
}

function mapExit(verb: HelperVerb, o: CommandOutcome): Result<PrivilegedOutput, AppError> {
  const detail = { verb, exitCode: o.exitCode, stderr: lastLine(o.stderr).slice(0, 500) };
  switch (o.exitCode) {
    case HELPER_EXIT.ok:
      return ok({ stdout: o.stdout, stderr: o.stderr });
    case HELPER_EXIT.failed:
      return err(appError('command-failed', helperSaid(o.stderr) || `${verb} failed`, detail));
    case HELPER_EXIT.invalid:
      return err(appError('invalid-input', helperSaid(o.stderr) || `${verb} was refused`, detail));
    case 126:
      return err(appError('auth-dismissed', 'You dismissed the authentication dialog', detail));
    case 127:
      // pkexec's 127 also covers "Cannot run program …": the helper is not installed.
      if (/Cannot run program/.test(o.stderr)) {
        return err(appError('unsupported', 'The eGPU Guard helper is not installed', detail));
      }
      return err(
        appError(
          'not-authorized',
          'Not authorized, or no polkit authentication agent is running',
          detail,
        ),
      );
    case null:
    default: {
      const how =
        o.exitCode === null ? `was killed by ${o.signal ?? 'a signal'}` : `exit ${o.exitCode}`;
      return err(appError('internal', `the helper ended unexpectedly (${how})`, detail));
    }
  }
}

export function createPrivilegedRunner(options: PrivilegedRunnerOptions): PrivilegedRunner {
  const testRoot = options.testRoot;
  const authTimeoutMs = options.authTimeoutMs ?? 5 * 60_000;
  return {
    async run(verb, args) {
      const file =
        testRoot === undefined
          ? (options.pkexecPath ?? PKEXEC_PATH)
          : (options.nodePath ?? nodeForHelper());
      const argv =
        testRoot === undefined
          ? [options.helperPath ?? HELPER_INSTALL_PATH, verb, ...args]
          : [options.helperPath ?? defaultHelperScript(), '--test-root', testRoot, verb, ...args];
      const env: Record<string, string> = { LANG: 'C.UTF-8' };
      if (testRoot !== undefined && !existsSync(file)) {
        return err(
          appError(
            'unsupported',
            `the simulated machine's helper runs with the system's Node (${file}), which is not installed`,
          ),
        );
      }

      const abort = new AbortController();
      let started = testRoot !== undefined;
      let stepTimedOut = false;
      let authTimedOut = false;
      const armStep = (): NodeJS.Timeout =>
        setTimeout(() => {
          stepTimedOut = true;
          abort.abort();
        }, options.stepTimeoutMs);
      let timer = started
        ? armStep()
        : setTimeout(() => {
            authTimedOut = true;
            abort.abort();
          }, authTimeoutMs);
      let seen = '';
      const onStdout = (chunk: string): void => {
        if (started) return;
        seen = (seen + chunk).slice(-4096);
        if (!seen.includes(`${HELPER_READY_LINE}\n`)) return;
        started = true;
        clearTimeout(timer);
        timer = armStep();
      };

      const result = await options.runner.run({
        file,
        args: argv,
        env,
        signal: abort.signal,
        onStdout,
        // A backstop only; the timers above decide.
        timeoutMs: authTimeoutMs + options.stepTimeoutMs + 5_000,
      });
      clearTimeout(timer);
      if (!result.ok) {
        const what = testRoot === undefined ? 'pkexec' : 'the helper';
        return err(appError('unsupported', `cannot run ${what}: ${result.error.message}`));
      }
      const o = result.value;
      // A timer that fired just as the helper finished did not stop anything: its exit counts.
      if (authTimedOut && o.aborted === true) {
        return err(
          appError('timeout', 'The authentication dialog was not answered in time', { verb }),
        );
      }
      if ((stepTimedOut && o.aborted === true) || o.timedOut) {
        return err(stuckError(verb, args, options.stepTimeoutMs));
      }
      return mapExit(verb, o);
    },
  };
}
