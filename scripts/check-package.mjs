// `node scripts/check-package.mjs [dist-packages/linux-unpacked]`: opens the packaged app.asar
// with @electron/asar and checks that it holds what the tray app needs — every module reachable
// from dist/electron/main.js (relative imports and npm packages), the preload, the renderer with
// its assets, the tray and app icons, the production dependencies — and nothing from tests or
// sources; and that the resources next to it hold the helper, its polkit policy, the install
// script, and the session service with its systemd user unit and D-Bus activation file. Exit 1
// with one line per problem. electron/packaging.test.ts runs it from `npm test`.
import asar from '@electron/asar';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const TRAY_STATES = ['no-egpu', 'attached', 'in-use', 'ejecting', 'safe-to-unplug', 'problem'];

/** Paths that must never ship: tests, fixtures, benches, sources, dev tooling. */
const FORBIDDEN = [
  [/\.test\.[cm]?[jt]sx?$/, 'a test file'],
  [/\/tests?\.(js|html)$/, 'a test file'],
  [/\/(test|tests|__tests__|fixtures|benchmarks)\//, 'a test, fixture or bench folder'],
  [/\.bench(\.|\/|$)/, 'a benchmark'],
  [/(?<!\.d)\.(ts|mts|cts|svelte)$/, 'a source file'],
  [/\.map$/, 'a source map'],
  [/^\/(main|electron|renderer|scripts|dist-packages|\.git)\//, 'a source or build folder'],
  [
    /^\/node_modules\/(electron|electron-builder|vite|vitest|typescript|@doyensec|playwright-core)\//,
    'a dev dependency',
  ],
];

const IMPORT_RE =
  /(?:^|[;\s])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[;\s])import\s*['"]([^'"]+)['"]/gm;

const BUILTINS = new Set(builtinModules);

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @returns {Promise<{ problems: string[], files: number }>} */
export async function checkPackage(
  unpackedDir,
  { rendererRequired = true, scannerRequired = existsSync('dist/native/egpu-proc-scan') } = {},
) {
  const problems = [];
  const asarPath = join(unpackedDir, 'resources', 'app.asar');
  if (!existsSync(asarPath)) return { problems: [`${asarPath} does not exist`], files: 0 };
  const listed = asar.listPackage(asarPath, { isPack: false });
  const files = new Set(listed);
  const read = (p) => asar.extractFile(asarPath, p.slice(1)).toString('utf8');
  const need = (p, why) => {
    if (!files.has(p)) problems.push(`missing ${p} (${why})`);
  };

  for (const p of listed) {
    for (const [re, what] of FORBIDDEN) if (re.test(p)) problems.push(`${p} is ${what}`);
  }

  need('/package.json', 'the app manifest');
  if (files.has('/package.json')) {
    const pkg = JSON.parse(read('/package.json'));
    if (pkg.main !== 'dist/electron/main.js') problems.push(`package.json main is ${pkg.main}`);
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      need(`/node_modules/${dep}/package.json`, 'a production dependency');
    }
  }

  // Everything reachable from the entry, the way Node will load it.
  const seen = new Set();
  const queue = ['/dist/electron/main.js'];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!files.has(file)) continue;
    for (const m of read(file).matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        if (files.has(target)) queue.push(target);
        else problems.push(`missing ${target} (imported by ${file})`);
      } else if (spec !== 'electron' && !spec.startsWith('node:') && !BUILTINS.has(spec)) {
        need(`/node_modules/${packageName(spec)}/package.json`, `imported by ${file}`);
      }
    }
  }
  need('/dist/electron/main.js', 'the entry');
  need('/dist/electron/preload.cjs', "the window's preload");
  need('/bin/egpu-guard-helper.js', "the helper's launcher for --demo");

  if (rendererRequired) {
    need('/dist/renderer/index.html', 'the status window');
    if (files.has('/dist/renderer/index.html')) {
      for (const m of read('/dist/renderer/index.html').matchAll(/(?:src|href)="\.\/([^"]+)"/g)) {
        need(`/dist/renderer/${m[1]}`, 'referenced by the renderer');
      }
    }
  }
  for (const s of TRAY_STATES) {
    need(`/assets/icons/tray/${s}.png`, 'a tray icon');
    need(`/assets/icons/tray/${s}@2x.png`, 'a HiDPI tray icon');
  }
  need('/assets/icons/app/256x256.png', 'the window icon');

  // Outside the asar: root copies these to system paths on install.
  const res = join(unpackedDir, 'resources');
  // The helper and the session service: single-file bundles the system's Node runs.
  for (const f of ['helper/egpu-guard-helper', 'service/egpu-guard-service']) {
    const bundle = join(res, f);
    if (!existsSync(bundle)) problems.push(`missing ${bundle}`);
    else {
      if ((statSync(bundle).mode & 0o111) === 0) problems.push(`${bundle} is not executable`);
      if (!readFileSync(bundle, 'utf8').startsWith('#!/usr/bin/node\n')) {
        problems.push(`${bundle} does not start with #!/usr/bin/node`);
      }
    }
  }
  // The service's C /proc scanner beside it, a program for this machine (an ELF file) — where
  // the build had a C compiler to make it (without, the service scans in TypeScript).
  const scanner = join(res, 'service/egpu-proc-scan');
  if (!existsSync(scanner)) {
    if (scannerRequired) problems.push(`missing ${scanner}`);
  } else {
    if ((statSync(scanner).mode & 0o111) === 0) problems.push(`${scanner} is not executable`);
    if (!readFileSync(scanner).subarray(0, 4).equals(Buffer.from('\x7fELF', 'latin1')))
      problems.push(`${scanner} is not a program (no ELF header)`);
  }
  for (const f of [
    'polkit/io.github.egpuguard.policy',
    'packaging/install-helper.sh',
    // The service's /proc scan worker, which it looks for beside itself.
    'service/proc-scan-worker.cjs',
    // The session service's systemd user unit, its D-Bus activation file, and the page the unit's
    // Documentation= names.
    'systemd/egpu-guard.service',
    'dbus/io.github.EgpuGuard1.service',
    'docs/dbus-api.md',
  ]) {
    if (!existsSync(join(res, f))) problems.push(`missing ${join(res, f)}`);
  }
  problems.push(...(await checkFuses(join(unpackedDir, 'egpu-guard'))));
  return { problems, files: listed.length };
}

/**
 * Every fuse of Electron's FuseV1 wire, as the packaged binary must have it (electron-builder.yml
 * flips the ones that differ from Electron's defaults).
 */
const WANTED_FUSES = {
  // Nobody runs the installed binary as a plain Node interpreter (the demo's helper uses /usr/bin/node).
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  // macOS and Windows only: nothing to embed on Linux.
  EnableEmbeddedAsarIntegrityValidation: false,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  // The status window is a file:// page inside app.asar (electron/paths.ts).
  GrantFileProtocolExtraPrivileges: true,
};

async function checkFuses(binary) {
  if (!existsSync(binary)) return [`missing ${binary} (the app's Electron binary)`];
  const { getCurrentFuseWire, FuseV1Options } = await import('@electron/fuses');
  let wire;
  try {
    wire = await getCurrentFuseWire(binary);
  } catch (e) {
    return [`${binary}: no fuse wire (${e.message})`];
  }
  const ENABLE = 49; // '1'
  return Object.entries(WANTED_FUSES)
    .filter(([name, on]) => (wire[FuseV1Options[name]] === ENABLE) !== on)
    .map(([name, on]) => `${binary}: fuse ${name} is not ${on ? 'on' : 'off'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'dist-packages/linux-unpacked';
  const { problems, files } = await checkPackage(dir, {
    rendererRequired: existsSync('renderer/vite.config.ts'),
  });
  for (const p of problems) console.error(`check-package: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(
    `check-package: ${dir}: ${files} entries in app.asar, all needed ones present, nothing from tests`,
  );
}
