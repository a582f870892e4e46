// Entry of `egpu-guard-helper`, the one small door to root (docs/architecture.md, "The privileged
// helper"). pkexec runs it as root with a cleared environment; it takes one fixed verb, validates
// every word, re-derives the target from sysfs, performs one write or one program, prints one line
// and exits 0, 1 or 2 (never 126 or 127, which are pkexec's). `--test-root DIR` (first, never
// under pkexec) makes it act on a sysroot folder and record programs instead of running them.

import { HELPER_COMMAND_LOG, HELPER_EXIT, HELPER_READY_LINE } from '../common/helper-contract.js';
import { createHelperFs, type HelperFs } from './io/helper-fs.js';
import { logToJournal, runProgram } from './io/programs.js';
import { parseHelperArgv } from './request.js';
import { executeRequest, type HelperContext } from './verbs.js';

export type HelperIo = {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
};

export type HelperDeps = {
  readonly fs: HelperFs;
  readonly runProgram: typeof runProgram;
  readonly journal: (message: string) => void;
};

const defaultDeps = (): HelperDeps => ({
  fs: createHelperFs(),
  runProgram,
  journal: logToJournal,
});

const PREFIX = 'egpu-guard-helper: ';

/** Who asked, for the audit line only (docs/architecture.md, helper rule 4): never for decisions. */
function caller(env: Readonly<Record<string, string | undefined>>): string {
  const uid = env['PKEXEC_UID'];
  return uid !== undefined && /^[0-9]{1,10}$/.test(uid) ? `uid ${uid}` : 'uid unknown';
}

function resolveTestRoot(fs: HelperFs, dir: string): string | { refused: string } {
  const real = fs.realPath(dir);
  if (real === null || !fs.isDir(real))
    return { refused: `--test-root ${JSON.stringify(dir)}: not a folder` };
  if (real === '/') return { refused: '--test-root must not be /' };
  // A folder somebody else owns could hold links aimed at the caller's files.
  const owner = fs.lstatOwner(real);
  const me = fs.uid();
  if (owner === null || (me !== null && owner.uid !== me)) {
    return {
      refused: `--test-root ${JSON.stringify(dir)}: not owned by the caller (uid ${me ?? '?'})`,
    };
  }
  return real;
}

/** Runs one helper invocation; returns the exit code. Never throws. */
export function runHelper(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: HelperIo,
  deps: HelperDeps = defaultDeps(),
): number {
  // Tells the pkexec port that authentication is over and the step's watchdog may start.
  io.stdout(`${HELPER_READY_LINE}\n`);
  // The audit trail covers every real invocation, refused ones included, but not test roots.
  const audited = !(argv[0] === '--test-root' && env['PKEXEC_UID'] === undefined);
  const finish = (exit: number, message: string): number => {
    io.stderr(`${PREFIX}${message}\n`);
    if (audited) deps.journal(`${caller(env)}: ${message} (exit ${exit})`);
    return exit;
  };
  try {
    const parsed = parseHelperArgv(argv, env);
    if (!parsed.ok) return finish(HELPER_EXIT.invalid, parsed.error);
    const { testRoot, request } = parsed.value;
    let root = '';
    if (testRoot !== null) {
      const r = resolveTestRoot(deps.fs, testRoot);
      if (typeof r !== 'string') return finish(HELPER_EXIT.invalid, r.refused);
      root = r;
    }
    const ctx: HelperContext = {
      sysfs: { fs: deps.fs, root },
      testRoot: testRoot !== null,
      runCommand(cmd) {
        if (testRoot === null) return deps.runProgram(cmd);
        const logged = deps.fs.appendLine(
          `${root}${HELPER_COMMAND_LOG}`,
          JSON.stringify(cmd),
          root,
        );
        return logged.ok ? { ok: true } : { ok: false, message: `command log: ${logged.errno}` };
      },
    };
    const outcome = executeRequest(ctx, request);
    return finish(outcome.exit, outcome.message);
  } catch (e) {
    return finish(
      HELPER_EXIT.internal,
      `internal error: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** Process glue for bin/egpu-guard-helper.js. stdout/stderr writes are synchronous on Linux. */
export function helperMain(): void {
  process.exitCode = runHelper(process.argv.slice(2), process.env, {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
  });
}
