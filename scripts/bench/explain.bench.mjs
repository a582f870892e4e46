// `egpu explain --json FILE` against `grep -cE <the same keywords> FILE` on generated
// 500,000-line kernel logs (kernel-log.mjs: mostly boot and driver noise in mixed formats, with
// event records from the corpus), in two variants: sparse (0.5 % event records, an ordinary
// log) and dense (one line in ten is an event: an AER storm, an Xid flood). Side by side in one
// run: runs alternate between the commands and the best wall time of each counts. Target: egpu
// within 3× of grep on both. The CPU time (user + sys) of each command is reported beside it:
// on a shared machine it is the steadier figure (wall time also counts waiting for a core).
// The command is also timed with only its own modules loaded (the CLI imports every command at
// start-up), so the explain pipeline's own cost stays visible. Also checks that the fast scan
// gives exactly the line-by-line path's events on each log, and reports events and lines per
// second.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyMessage, classifyRecords } from '../../dist/main/diagnose/classify.js';
import { KEYWORDS } from '../../dist/main/diagnose/keywords.js';
import { readLogRecords } from '../../dist/main/diagnose/log-reader.js';
import { decodeLogBytes, scanLogBytes } from '../../dist/main/diagnose/log-scan.js';
import { generateKernelLog } from './kernel-log.mjs';
import { cleanEnv, round } from './lib.mjs';

export const title = 'explain vs grep (500,000-line logs, sparse and dense)';

const LINES = 500_000;
const RUNS = 5;
const CORPUS = 'main/diagnose/fixtures/logcorpus';

function corpusEventTexts() {
  return fs
    .readdirSync(CORPUS)
    .filter((d) => d.startsWith('case-'))
    .flatMap((d) =>
      classifyRecords(readLogRecords(fs.readFileSync(path.join(CORPUS, d, 'input.log'), 'utf8'))),
    )
    .map((e) => e.text);
}

/** The keywords as one POSIX extended regex: the lines grep counts are the scanner's candidates. */
const grepPattern = () => KEYWORDS.map((k) => k.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&')).join('|');

function wall(file, args, stdout) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, {
    env: cleanEnv(),
    stdio: ['ignore', stdout, 'pipe'],
    maxBuffer: 1 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && !(file === 'grep' && r.status === 1)) {
    throw new Error(`${file} exited ${r.status}: ${r.stderr}`);
  }
  return { seconds, stdout: r.stdout?.toString() ?? '' };
}

/**
 * User + system CPU seconds of one run: wait4's rusage of that very process, spawned by python3
 * with posix_spawn (lib.mjs reads peak RSS the same way; subprocess.run would add ~50 ms of
 * Python's own fork to the child's account). On a shared, busy machine wall time also counts
 * waiting for a core, CPU time does not. grep's output goes to a pipe as in `wall` (GNU grep
 * stops at the first match when its output is /dev/null); egpu's to /dev/null as in `wall`.
 */
function cpuSeconds(file, args, stdout) {
  const py = [
    'import os, sys',
    'if sys.argv[1] == "pipe":',
    '    r, w = os.pipe()',
    '    actions = [(os.POSIX_SPAWN_DUP2, w, 1)]',
    'else:',
    '    actions = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]',
    'pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ, file_actions=actions)',
    '_, status, ru = os.wait4(pid, 0)',
    'print(ru.ru_utime + ru.ru_stime if os.waitstatus_to_exitcode(status) in (0, 1) else -1)',
  ].join('\n');
  const r = spawnSync('python3', ['-c', py, stdout, file, ...args], {
    env: cleanEnv(),
    maxBuffer: 1 << 20,
  });
  const seconds = Number(r.stdout?.toString().trim());
  if (r.status !== 0 || !(seconds >= 0)) throw new Error(`cpu time of ${file}: ${r.stderr}`);
  return seconds;
}

/** `egpu explain --json FILE` with only explain's modules loaded (no other commands). */
const CORE = `
const { explainCommand } = await import(${JSON.stringify(new URL('../../dist/main/cli/commands/explain.js', import.meta.url).href)});
const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t),
  stdin: process.stdin, stdinIsTTY: true, stdoutIsTTY: false, env: process.env, signal: new AbortController().signal };
process.exitCode = await explainCommand.run({ flags: { json: true }, positionals: [process.argv[1]] }, io);
`;

async function measure({ name, slug, eventShare }) {
  fs.mkdirSync('.bench', { recursive: true });
  const file = path.resolve(`.bench/explain-500k-${slug}.log`);
  fs.writeFileSync(
    file,
    generateKernelLog({ lines: LINES, eventShare, seed: 42, events: corpusEventTexts() }),
  );
  const size = fs.statSync(file).size;

  // Correctness on this very log: the fast scan and the line-by-line path agree.
  const bytes = fs.readFileSync(file);
  const fast = classifyRecords(scanLogBytes(bytes).records);
  const slow = classifyRecords(readLogRecords(decodeLogBytes(bytes)));
  const same = JSON.stringify(fast) === JSON.stringify(slow);

  // In-process figures, free of process start-up: the fast scan alone, and the classifier warm.
  const scanTimes = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    scanLogBytes(bytes);
    scanTimes.push((performance.now() - t0) / 1000);
  }
  const texts = fast.map((e) => e.text);
  let classified = 0;
  const c0 = performance.now();
  while (performance.now() - c0 < 500) {
    for (const t of texts) if (classifyMessage(t) !== null) classified++;
  }
  const classifyRate = classified / ((performance.now() - c0) / 1000);

  const devNull = fs.openSync('/dev/null', 'w');
  const grepTimes = [];
  const egpuTimes = [];
  const coreTimes = [];
  const grepCpu = [];
  const egpuCpu = [];
  let grepCount = 0;
  const grepArgs = ['-cE', grepPattern(), file];
  const egpuArgs = ['bin/egpu.js', 'explain', '--json', file];
  try {
    for (let i = 0; i < RUNS; i++) {
      const g = wall('grep', grepArgs, 'pipe');
      grepTimes.push(g.seconds);
      grepCount = Number(g.stdout.trim());
      egpuTimes.push(wall(process.execPath, egpuArgs, devNull).seconds);
      const core = ['--input-type=module', '-e', CORE, file];
      coreTimes.push(wall(process.execPath, core, devNull).seconds);
      grepCpu.push(cpuSeconds('grep', grepArgs, 'pipe'));
      egpuCpu.push(cpuSeconds(process.execPath, egpuArgs, 'null'));
    }
  } finally {
    fs.closeSync(devNull);
  }
  const grepBest = Math.min(...grepTimes);
  const egpuBest = Math.min(...egpuTimes);
  const coreBest = Math.min(...coreTimes);
  const ratio = egpuBest / grepBest;
  const rows = [
    { metric: 'log size', value: round(size / 1e6, 1), unit: 'MB', target: `${LINES} lines` },
    {
      metric: `grep -cE wall (best of ${RUNS})`,
      value: round(grepBest * 1000, 1),
      unit: 'ms',
      target: '',
      note: `${grepCount} matching lines`,
    },
    {
      metric: `egpu explain --json wall (best of ${RUNS})`,
      value: round(egpuBest * 1000, 1),
      unit: 'ms',
      target: '',
    },
    {
      metric: 'ratio egpu / grep',
      value: round(ratio, 2),
      unit: '×',
      target: '≤ 3.0',
      pass: ratio <= 3.0,
    },
    {
      metric: `CPU time user+sys, grep / egpu (best of ${RUNS})`,
      value: `${round(Math.min(...grepCpu) * 1000, 1)} / ${round(Math.min(...egpuCpu) * 1000, 1)}`,
      unit: 'ms',
      target: '',
      note: `${round(Math.min(...egpuCpu) / Math.min(...grepCpu), 2)}× grep`,
    },
    {
      metric: `explain alone, no other commands loaded (best of ${RUNS})`,
      value: round(coreBest * 1000, 1),
      unit: 'ms',
      target: '',
      note: `${round(coreBest / grepBest, 2)}× grep`,
    },
    {
      metric: 'events found',
      value: fast.length,
      unit: '',
      target: '',
      note: 'fast scan = line-by-line path',
      pass: same && fast.length > 0,
    },
    {
      metric: `fast scan in-process (best of ${RUNS})`,
      value: round(size / 1e6 / Math.min(...scanTimes), 0),
      unit: 'MB/s',
      target: '',
      note: `${round(Math.min(...scanTimes) * 1000, 1)} ms`,
    },
    {
      metric: 'classifier in-process, warm',
      value: Math.round(classifyRate),
      unit: 'events/s',
      target: '',
    },
    {
      metric: 'events per second (whole command)',
      value: Math.round(fast.length / egpuBest),
      unit: 'events/s',
      target: '',
    },
    {
      metric: 'lines per second (whole command)',
      value: Math.round(LINES / egpuBest),
      unit: 'lines/s',
      target: '',
    },
  ];
  return rows.map((r) => ({ ...r, metric: `${name}: ${r.metric}` }));
}

export async function run() {
  return [
    ...(await measure({ name: 'sparse (0.5 % events)', slug: 'sparse', eventShare: 0.005 })),
    ...(await measure({ name: 'dense (10 % events)', slug: 'dense', eventShare: 0.1 })),
  ];
}
