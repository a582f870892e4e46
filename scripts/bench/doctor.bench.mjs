// `egpu doctor --json` and `egpu restart-compositor --json` on the largest scenario (the lab),
// without D-Bus: wall time of the whole command. And the session process-name scan (comm of
// every process, cmdline and status only for matches) in-process against `pgrep` for the same
// names over the same /proc, side by side. Targets: each command under 1 s; the scan no slower
// than starting pgrep.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import {
  POLKIT_AGENTS,
  SESSION_PROGRAMS,
} from '../../dist/main/actions/compositor/session-names.js';
import { findProcesses } from '../../dist/main/actions/compositor/session-processes.js';
import { createSystemRoot } from '../../dist/main/platform/system-root.js';
import { scenarioByName } from '../../dist/main/sim/scenarios/index.js';
import { writeScenario } from '../../dist/main/sim/sysroot-writer.js';
import { cleanEnv, round, timeCommand } from './lib.mjs';

export const title = 'doctor and restart-compositor (lab scenario); session process scan vs pgrep';

function median(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run() {
  const dir = fs.mkdtempSync('/tmp/egpu-bench-doctor-');
  writeScenario(dir, scenarioByName('lab'));
  try {
    // An empty process table: the figure is the command's own cost, not this machine's processes.
    const common = ['--json', '--no-dbus', '--root', dir, '--proc', `${dir}/etc`];
    const doctor = timeCommand(process.execPath, ['bin/egpu.js', 'doctor', ...common], { runs: 7 });
    if (![0, 1].includes(doctor.result.status))
      throw new Error(`doctor exited ${doctor.result.status}`);
    const advice = timeCommand(process.execPath, ['bin/egpu.js', 'restart-compositor', ...common], {
      runs: 7,
    });
    if (advice.result.status !== 0)
      throw new Error(`restart-compositor exited ${advice.result.status}`);

    const names = [...SESSION_PROGRAMS, ...POLKIT_AGENTS];
    const root = createSystemRoot();
    const scanMs = median(() => findProcesses(root, names), 21);
    const processes = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).length;
    // pgrep matches comm (15 characters), so give it the names cut the way the kernel cuts them.
    const pattern = `^(${[...new Set(names.map((n) => n.slice(0, 15)))].map((n) => n.replace(/[.]/g, '\\.')).join('|')})$`;
    const pgrepMs = median(() => spawnSync('pgrep', ['-i', pattern], { env: cleanEnv() }), 21);
    return [
      {
        metric: 'egpu doctor --json --no-dbus wall (median of 7)',
        value: round(doctor.median * 1000, 1),
        unit: 'ms',
        target: '< 1000 ms',
        pass: doctor.median < 1,
      },
      {
        metric: 'egpu restart-compositor --json --no-dbus wall (median of 7)',
        value: round(advice.median * 1000, 1),
        unit: 'ms',
        target: '< 1000 ms',
        pass: advice.median < 1,
      },
      {
        metric: `session process scan, ${processes} processes (in-process, median of 21)`,
        value: round(scanMs, 2),
        unit: 'ms',
        target: '≤ pgrep',
        pass: scanMs <= pgrepMs,
      },
      {
        metric: 'pgrep for the same names (median of 21, includes its start)',
        value: round(pgrepMs, 2),
        unit: 'ms',
        target: '',
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
