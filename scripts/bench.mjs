// `npm run bench`: every figure the issues ask for, measured side by side in one run (ratios
// against grep, fuser, …), never as timed unit tests. Each scripts/bench/*.bench.mjs exports
// `title` and `run()` → rows { metric, value, unit, target, pass, note? }. The table printed
// here (also written to .bench/results.md) is what README's "Figures" section records.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
execFileSync(process.execPath, ['scripts/build-helper.mjs'], { stdio: 'inherit' });

const only = process.argv.slice(2);
const dir = 'scripts/bench';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const rows = [];
let failed = 0;
for (const file of files) {
  const mod = await import(join(process.cwd(), dir, file));
  process.stderr.write(`bench: ${mod.title} …\n`);
  try {
    for (const row of await mod.run()) {
      rows.push({ bench: mod.title, ...row });
      if (row.pass === false) failed++;
    }
  } catch (e) {
    failed++;
    rows.push({
      bench: mod.title,
      metric: 'error',
      value: String(e?.message ?? e),
      unit: '',
      target: '',
      pass: false,
    });
  }
}

const fmt = (v) =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1)) : String(v);
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`,
  '',
  '| Benchmark | Metric | Value | Target | Result |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.bench} | ${r.metric}${r.note ? ` (${r.note})` : ''} | ${fmt(r.value)} ${r.unit} | ${r.target} | ${r.pass === undefined ? '' : r.pass ? 'pass' : '**FAIL**'} |`,
  ),
];
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/results.md', lines.join('\n') + '\n');
writeFileSync('.bench/results.json', JSON.stringify(rows, null, 2) + '\n');
console.log(lines.join('\n'));
process.exit(failed > 0 ? 1 : 0);
