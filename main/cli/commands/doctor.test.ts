// `egpu doctor` end to end on sysroots: output, exit codes, and the Markdown report (content,
// redaction, a real journal's incidents, refusal to overwrite, bad targets).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installPrivileged,
  scenarioRoot,
  startUdev,
  writeJournal,
} from '../../actions/doctor/test/doctor-fixture.js';
import type { SysrootFixture } from '../../sim/sysroot-fixture.js';
import { journalRemoteAvailable } from '../../sources/test/journal-builder.js';
import { REPO_ROOT, runCliInProcess, runCliProcess } from '../test/run-cli.js';

const UNIQUE_ID = 'dc010000-0000-8508-a22d-32ca6421cb16'; // the Razer Core X in tb3-nvidia
let tb3: SysrootFixture;
let ready: SysrootFixture;
let out: string;

beforeAll(async () => {
  tb3 = scenarioRoot('tb3-nvidia');
  fs.writeFileSync(tb3.host('/etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
  if (journalRemoteAvailable()) {
    await writeJournal(tb3, [
      'thunderbolt 0-1: new device found, vendor=0x27 device=0x5',
      'NVRM: Xid (PCI:0000:0a:00): 79, pid=2231, name=ollama, GPU has fallen off the bus.',
      'NVRM: GPU 0000:0a:00.0: GPU has fallen off the bus.',
    ]);
  }
  ready = scenarioRoot('desktop-single');
  installPrivileged(ready);
  startUdev(ready);
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-doctor-out-'));
});
afterAll(() => {
  tb3.cleanup();
  ready.cleanup();
  fs.rmSync(out, { recursive: true, force: true });
});

// An empty process table: the session never depends on what else runs on this machine.
const doctor = (argv: string[], root: SysrootFixture = tb3) =>
  runCliInProcess([
    'doctor',
    '--no-dbus',
    '--root',
    root.dir,
    '--proc',
    root.host('/etc'),
    ...argv,
  ]);

describe('egpu doctor', () => {
  it('--json: findings with severities; exit 1 when one is a problem', async () => {
    const r = await doctor(['--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as {
      findings: { id: string; area: string; severity: string; title: string }[];
      counts: Record<string, number>;
      exitCode: number;
    };
    expect(j.exitCode).toBe(1);
    const byId = new Map(j.findings.map((f) => [f.id, f]));
    expect(byId.get('helper')).toMatchObject({ area: 'privileges', severity: 'problem' });
    expect(byId.get('suspend')).toMatchObject({ area: 'power', severity: 'warning' });
    expect(j.counts.problem).toBe(j.findings.filter((f) => f.severity === 'problem').length);
  });

  it('human output is grouped by area with fixes; a ready machine exits 0', async () => {
    const r = await doctor([], ready);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^eGPU Guard doctor: 0 problems, \d+ warnings?, \d+ info, \d+ ok\n/);
    expect(r.stdout).toContain(
      '\nPrivileges (polkit, pkexec, helper)\n  ok       The helper is installed',
    );
    expect(r.stdout).toContain('Nothing here stops eGPU Guard from doing its job.');
    const bad = await doctor([]);
    expect(bad.stdout).toMatch(
      /PROBLEM {2}Privileges: pkexec is not installed \(\/usr\/bin\/pkexec\)\n\s+eGPU Guard asks/,
    );
    expect(bad.stdout).toContain('Fix: Install it: `sudo apt install pkexec`');
  });

  it('problems first, then warnings, then the rest by area', async () => {
    const r = await doctor([]);
    expect(r.code).toBe(1);
    const labels = r.stdout
      .split('\n')
      .flatMap((l) => /^ {2}(PROBLEM|WARNING|info|ok) /.exec(l)?.[1] ?? []);
    const firstOther = labels.findIndex((l) => l === 'info' || l === 'ok');
    expect(labels.slice(0, firstOther)).toEqual([
      ...labels.filter((l) => l === 'PROBLEM'),
      ...labels.filter((l) => l === 'WARNING'),
    ]);
    expect(labels.slice(firstOther).every((l) => l === 'info' || l === 'ok')).toBe(true);
    expect(r.stdout).toMatch(
      /^eGPU Guard doctor: \d+ problems?, .*\n\nNeeds attention\n {2}PROBLEM /,
    );
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      'Fix the problems at the top: eGPU Guard or the eGPU cannot work fully until then.',
    );
  });

  it('run from a source checkout, a missing helper and policy are installed from it', async () => {
    const r = await doctor([]);
    const text = r.stdout.replace(/\s+/g, ' ');
    expect(text).not.toContain('Install eGPU Guard from its package');
    expect(text).toContain(
      `Fix: From this checkout (${REPO_ROOT}): run \`npm run build\`, then copy the helper (a copy, not a link: pkexec matches the real path): \`sudo install -D -m 0755 ${REPO_ROOT}/dist/helper/egpu-guard-helper.cjs /usr/libexec/egpu-guard/egpu-guard-helper\`.`,
    );
    expect(text).toContain(
      `Fix: From this checkout (${REPO_ROOT}): \`sudo install -D -m 0644 ${REPO_ROOT}/assets/polkit/io.github.egpuguard.policy /usr/share/polkit-1/actions/io.github.egpuguard.policy\``,
    );
    // The files it names are the ones the checkout has (the helper bundle once built).
    expect(fs.existsSync(path.join(REPO_ROOT, 'assets/polkit/io.github.egpuguard.policy'))).toBe(
      true,
    );
    expect(fs.existsSync(path.join(REPO_ROOT, 'dist/helper/egpu-guard-helper.cjs'))).toBe(true);
    // From the built dist/ too (a real `node bin/egpu.js` process).
    const child = await runCliProcess([
      'doctor',
      '--no-dbus',
      '--root',
      tb3.dir,
      '--proc',
      tb3.host('/etc'),
    ]);
    expect(child.stdout.replace(/\s+/g, ' ')).toContain(`Fix: From this checkout (${REPO_ROOT}):`);
  });

  it.skipIf(!journalRemoteAvailable())(
    '--report: findings, status, clients, incidents with journal lines, versions; redacted',
    async () => {
      const file = path.join(out, 'report.md');
      const r = await doctor(['--report', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`egpu doctor: report written to ${file}\n`);
      const md = fs.readFileSync(file, 'utf8');
      expect(md).toMatch(/^# eGPU Guard report\n/);
      for (const heading of [
        '## Findings',
        '### Privileges (polkit, pkexec, helper)',
        '## GPUs (`egpu status`)',
        '## Processes using GPUs (`egpu clients`)',
        '## Kernel incidents this boot',
        '## Versions',
      ]) {
        expect(md).toContain(`\n${heading}\n`);
      }
      expect(md).toContain('NVIDIA GeForce RTX 3070  [external]  0000:0a:00.0');
      expect(md).toMatch(
        /Source: journalctl -D .*\/var\/log\/journal -k -o json --no-pager -n 20000 \(3 kernel messages\)\./,
      );
      expect(md).toContain('GPU 0000:0a:00.0 (NVIDIA)');
      expect(md).toContain('[2] 2025-06-15T15:06:40.002Z NVRM: Xid (PCI:0000:0a:00): 79, pid=2231');
      expect(md).toContain('| Distribution | Debian GNU/Linux 12 (bookworm) |');
      expect(md).toMatch(/\| eGPU Guard \| \d+\.\d+\.\d+ \|/);
      expect(md).not.toContain(UNIQUE_ID);
      expect(md).toContain('<unique-id-1>');
      // The report writes no host path of the sysroot into the status section.
      expect(md.split('## GPUs')[1]?.split('## Processes')[0]).not.toContain(tb3.dir);
    },
  );

  it('--no-redact keeps the unique IDs', async () => {
    const file = path.join(out, 'plain.md');
    await doctor(['--report', file, '--no-redact']);
    expect(fs.readFileSync(file, 'utf8')).toContain(UNIQUE_ID);
  });

  it('never overwrites an existing file without --force; --force does', async () => {
    const file = path.join(out, 'existing.md');
    fs.writeFileSync(file, 'keep me\n');
    const r = await doctor(['--report', file]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `egpu doctor: ${file} exists; use --force to overwrite it\n`,
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me\n');
    const forced = await doctor(['--report', file, '--force']);
    expect(forced.stderr).toBe(`egpu doctor: report written to ${file}\n`);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# eGPU Guard report\n/);
  });

  it('a directory, a missing folder or an unwritable place: one line, exit 1', async () => {
    const cases: [string[], string][] = [
      [['--report', out], `egpu doctor: ${out} is a directory\n`],
      [['--report', out, '--force'], `egpu doctor: ${out} is a directory\n`],
      [
        ['--report', path.join(out, 'no/such/dir.md')],
        `egpu doctor: ${path.join(out, 'no/such/dir.md')}: no such directory\n`,
      ],
    ];
    for (const [argv, stderr] of cases) {
      const r = await doctor(argv);
      expect(r, argv.join(' ')).toEqual({ code: 1, stdout: '', stderr });
    }
    // sysfs refuses new files even for root: found out only when writing, after the findings.
    const sys = await doctor(['--report', '/sys/egpu-guard-report.md']);
    expect(sys.code).toBe(1);
    expect(sys.stdout).toMatch(/^eGPU Guard doctor:/);
    expect(sys.stderr).toMatch(
      /^egpu doctor: \/sys\/egpu-guard-report\.md: cannot write here \(E[A-Z]+\)\n$/,
    );
  });

  it('usage errors exit 2', async () => {
    for (const [argv, message] of [
      [['--force'], '--force, --redact and --no-redact go with --report FILE'],
      [
        ['--report', 'x.md', '--redact', '--no-redact'],
        '--redact and --no-redact cannot be combined',
      ],
    ] as const) {
      const r = await doctor([...argv]);
      expect(r).toMatchObject({ code: 2, stderr: `egpu doctor: ${message}\n` });
    }
  });

  it('runs as a real process from bin/egpu.js', async () => {
    const r = await runCliProcess([
      'doctor',
      '--json',
      '--no-dbus',
      '--root',
      ready.dir,
      '--proc',
      ready.host('/etc'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { exitCode: number }).exitCode).toBe(0);
  });
});
