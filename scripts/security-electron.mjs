// `npm run security:electron`: Electronegativity (doyensec) over the built main-process and
// preload JavaScript (dist/electron) and the renderer's index.html (its CSP), for the Electron
// version we ship. Electronegativity always
// exits 0, so this script reads its CSV report and fails on any HIGH or MEDIUM finding. The
// report stays in .bench/electronegativity.csv (git-ignored).
//
// Its AST checks only see what is written at the `new BrowserWindow(…)` call, which is why the
// security flags are literal in electron/windows/web-preferences.ts. A finding silenced inline
// (`eng-disable`) must say why next to it; there is one: PRELOAD_JS_CHECK, which flags every
// preload for a manual review.
//
//   node scripts/security-electron.mjs [--offline] [--input DIR] [--report FILE]
//
// --offline: no network (translations, Electron's release list; see security/offline-network.cjs)
// and no AvailableSecurityFixesGlobalCheck, whose verdict depends on the day's Electron releases:
// what `npm test` runs (scripts/security-electron.test.ts). --input DIR scans DIR instead of the
// build (the test plants an insecure window there to show that this script does fail).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = 'node_modules/@doyensec/electronegativity/dist/index.js';
const FAIL_ON = new Set(['HIGH', 'MEDIUM']);

const argv = process.argv.slice(2);
const option = (name) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const offline = argv.includes('--offline');
const REPORT = option('--report') ?? '.bench/electronegativity.csv';
const planted = option('--input');
for (const [i, a] of argv.entries()) {
  const isValue = i > 0 && ['--input', '--report'].includes(argv[i - 1] ?? '');
  if (!isValue && !['--offline', '--input', '--report'].includes(a)) {
    console.error(`security:electron: unknown argument ${JSON.stringify(a)}`);
    process.exit(2);
  }
}
if ((argv.includes('--input') && !planted) || (argv.includes('--report') && !option('--report'))) {
  console.error('security:electron: --input and --report need a value');
  process.exit(2);
}

if (!existsSync(CLI)) {
  console.error('security:electron: @doyensec/electronegativity is not installed (npm ci)');
  process.exit(1);
}
if (
  planted === undefined &&
  (!existsSync('dist/electron/main.js') || !existsSync('dist/electron/preload.cjs'))
) {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

// Electronegativity reads .js/.ts/.html only: the preload bundle is scanned under a .js name.
let INPUT = planted;
if (INPUT === undefined) {
  INPUT = '.bench/electronegativity-input';
  rmSync(INPUT, { recursive: true, force: true });
  cpSync('dist/electron', INPUT, { recursive: true });
  renameSync(`${INPUT}/preload.cjs`, `${INPUT}/preload.js`);
  if (existsSync('dist/renderer/index.html'))
    cpSync('dist/renderer/index.html', `${INPUT}/index.html`);
} else if (!existsSync(INPUT)) {
  console.error(`security:electron: --input ${INPUT}: no such file or folder`);
  process.exit(2);
}

const electron = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;
mkdirSync(dirname(REPORT), { recursive: true });
rmSync(REPORT, { force: true });
const preloadOf = (name) => [
  '--require',
  fileURLToPath(new URL(`security/${name}`, import.meta.url)),
];
const preload = [
  ...preloadOf('sync-report-writes.cjs'),
  ...(offline ? preloadOf('offline-network.cjs') : []),
];
const skip = offline ? ['-x', 'AvailableSecurityFixesGlobalCheck'] : [];
const r = spawnSync(
  process.execPath,
  [...preload, CLI, '-i', INPUT, '-e', electron, '-r', '-o', REPORT, ...skip],
  { encoding: 'utf8' },
);
if (!existsSync(REPORT)) {
  console.error(r.stdout + r.stderr);
  console.error('security:electron: Electronegativity wrote no report');
  process.exit(1);
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field.trim());
      field = '';
    } else if (c === '\n') {
      row.push(field.trim());
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field.trim()]);
  return rows.filter((x) => x.length > 1);
}

const [header, ...findings] = parseCsv(readFileSync(REPORT, 'utf8'));
const col = (name) => header.indexOf(name);
const [ISSUE, SEVERITY, CONFIDENCE, FILE, LOCATION, , DESCRIPTION] = [
  'issue',
  'severity',
  'confidence',
  'filename',
  'location',
  'sample',
  'description',
].map(col);

let failed = 0;
for (const f of findings) {
  const severity = f[SEVERITY];
  const bad = FAIL_ON.has(severity);
  if (bad) failed++;
  console.log(
    `${bad ? 'FAIL' : 'note'} ${severity} ${f[ISSUE]} (${f[CONFIDENCE]}) ${f[FILE]}:${f[LOCATION]} ${f[DESCRIPTION]}`,
  );
}
console.log(
  `security:electron: Electronegativity on ${planted ?? "dist/electron (main, preload) and the renderer's index.html"} (Electron ${electron}${offline ? ', offline' : ''}): ${findings.length} finding(s), ${failed} HIGH or MEDIUM; report in ${REPORT}`,
);
process.exit(failed > 0 ? 1 : 0);
