// `egpu status --json` on the largest scenario (the lab: 4 GPUs, two Thunderbolt domains, ~210
// PCI functions): wall time and peak RSS. Targets: under 250 ms and 80 MB.
import * as fs from 'node:fs';
import { writeScenario } from '../../dist/main/sim/sysroot-writer.js';
import { scenarioByName } from '../../dist/main/sim/scenarios/index.js';
import { peakRssMb, round, timeCommand } from './lib.mjs';

export const title = 'status on the largest scenario';

export async function run() {
  const dir = fs.mkdtempSync('/tmp/egpu-bench-status-');
  writeScenario(dir, scenarioByName('lab'));
  try {
    const args = ['bin/egpu.js', 'status', '--json', '--root', dir];
    const node = timeCommand(process.execPath, ['-e', '0'], { runs: 7 });
    const t = timeCommand(process.execPath, args, { runs: 11 });
    const rss = peakRssMb(process.execPath, args);
    return [
      {
        metric: 'node -e 0 (baseline)',
        value: round(node.median * 1000, 1),
        unit: 'ms',
        target: '',
      },
      {
        metric: 'egpu status --json wall (median of 11)',
        value: round(t.median * 1000, 1),
        unit: 'ms',
        target: '< 250 ms',
        pass: t.median < 0.25,
      },
      {
        metric: 'egpu status --json peak RSS',
        value: round(rss, 1),
        unit: 'MB',
        target: '< 80 MB',
        pass: rss < 80,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
