// `egpu doctor`: is this machine ready for an eGPU and for eGPU Guard? Kernel and drivers, udev
// and the kernel log, Thunderbolt security and bolt, polkit/pkexec/helper, tray and compositor,
// links, runtime PM and suspend — each with a severity and a plain fix. `--report FILE` writes a
// Markdown report for bug trackers (redacted unless --no-redact).

import { gatherDoctorFacts } from '../../actions/doctor/gather.js';
import { runDoctorChecks } from '../../actions/doctor/doctor.js';
import { createRedactor } from '../../actions/doctor/redact.js';
import { hookPathsFor } from '../../actions/hooks/hook-runner.js';
import { readAppVersion } from '../../platform/app-version.js';
import { createNodeCommandRunner } from '../../platform/command-runner.js';
import { createDbusPort } from '../../platform/dbus.js';
import { newFileState, writeUserFile } from '../../platform/file-probe.js';
import { UsageError, flagBool, flagString } from '../args.js';
import { sourceCheckout } from '../checkout.js';
import { JSON_FLAG, ROOT_FLAGS, systemRootFromArgs, type CommandDef } from '../command.js';
import { formatDoctorReport } from '../format/doctor-report.js';
import { formatDoctor } from '../format/doctor-text.js';

const NAME = 'egpu doctor';

/** Why a report cannot go to `file`, checked before the (slower) checks run; null: it can. */
function reportTargetProblem(file: string, force: boolean): string | null {
  switch (newFileState(file)) {
    case 'free':
      return null;
    case 'exists':
      return force ? null : `${file} exists; use --force to overwrite it`;
    case 'directory':
      return `${file} is a directory`;
    case 'no-parent':
    case 'parent-not-dir':
      return `${file}: no such directory`;
  }
}

export const doctorCommand: CommandDef = {
  name: 'doctor',
  summary: 'check this machine for eGPU readiness; --report writes a Markdown bug report',
  usage:
    'doctor [--json] [--report FILE [--force] [--no-redact]] [--root DIR] [--proc DIR] [--no-dbus]',
  details: [
    'Each finding has a severity: ok, info, warning (works, with a risk the fix removes) or',
    'problem (eGPU Guard or the eGPU cannot do its job here).',
    '',
    'The report (--report FILE) holds the findings, `egpu status`, `egpu clients`, this boot’s',
    'kernel incidents with their journal lines, and versions. It is redacted by default:',
    'Thunderbolt unique IDs, user names, home folders and program arguments become',
    'placeholders; --no-redact keeps them. An existing FILE is only replaced with --force.',
    '',
    'With --root DIR only a journal inside DIR (var/log/journal) is read, never this machine’s.',
    '',
    'Exit status: 0 when no finding is a problem, 1 when one is (or the report cannot be',
    'written), 2 for usage errors.',
  ].join('\n'),
  flags: {
    ...JSON_FLAG,
    ...ROOT_FLAGS,
    report: { type: 'string', value: 'FILE', description: 'write a Markdown report to FILE' },
    force: { type: 'boolean', description: 'with --report: replace an existing FILE' },
    redact: {
      type: 'boolean',
      description: 'with --report: hide IDs, user names, arguments (default)',
    },
    'no-redact': { type: 'boolean', description: 'with --report: keep them' },
    'no-dbus': { type: 'boolean', description: 'do not ask logind, bolt or the tray watcher' },
  },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const report = flagString(args, 'report');
    const force = flagBool(args, 'force');
    if (flagBool(args, 'redact') && flagBool(args, 'no-redact')) {
      throw new UsageError('--redact and --no-redact cannot be combined');
    }
    if (
      report === undefined &&
      (force || flagBool(args, 'no-redact') || flagBool(args, 'redact'))
    ) {
      throw new UsageError('--force, --redact and --no-redact go with --report FILE');
    }
    if (report !== undefined) {
      const problem = reportTargetProblem(report, force);
      if (problem !== null) {
        io.stderr(`${NAME}: ${problem}\n`);
        return 1;
      }
    }
    const root = systemRootFromArgs(args);
    const runner = createNodeCommandRunner();
    const facts = await gatherDoctorFacts({
      root,
      runner,
      dbus: flagBool(args, 'no-dbus') ? null : createDbusPort({ env: io.env }),
      env: io.env,
      pid: process.pid,
      uid: process.getuid?.() ?? null,
      sysroot: flagString(args, 'root') !== undefined,
      checkout: sourceCheckout(),
      hooksDir: hookPathsFor(root, io.env).dir,
    });
    const result = runDoctorChecks(facts);
    io.stdout(
      flagBool(args, 'json') ? JSON.stringify(result, null, 2) + '\n' : formatDoctor(result),
    );
    if (report !== undefined) {
      const text = formatDoctorReport({
        result,
        facts,
        versions: { app: readAppVersion(), node: process.version },
        generatedAt: new Date().toISOString(),
        redactor: flagBool(args, 'no-redact') ? null : createRedactor(),
      });
      const written = writeUserFile(report, text, { overwrite: force });
      if (!written.ok) {
        io.stderr(`${NAME}: ${written.error.message}\n`);
        return 1;
      }
      io.stderr(`${NAME}: report written to ${written.value}\n`);
    }
    return result.exitCode;
  },
};
