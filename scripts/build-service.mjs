// Bundles `egpu service` (the session's core on io.github.EgpuGuard1) into one CommonJS file,
// dist/service/egpu-guard-service.cjs, with a `#!/usr/bin/node` line — like the privileged helper
// (scripts/build-helper.mjs): every import inlined, dbus-next and zod and the commands' dynamic
// imports included, Node 18 syntax (Debian 12's nodejs). Packages install exactly this file as
// /usr/libexec/egpu-guard/egpu-guard-service, the ExecStart of assets/systemd/egpu-guard.service:
// systemd's user manager runs it with the system's Node, outside app.asar (which only Electron
// can read) and without the app's node_modules. scripts/build.mjs builds it on every
// `npm run build`, scripts/package.mjs before every package.
//
// The version the service reports (Manager.Version) is written in at build time: the installed
// file has no package.json near it for main/platform/app-version.ts to read.
//
// Beside it goes proc-scan-worker.cjs, the thread that shares `Clients` scans with the core.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'vite';

export const SERVICE_BUNDLE = 'dist/service/egpu-guard-service.cjs';
const FILE = 'egpu-guard-service.cjs';
/** The scan worker's file beside the bundle (main/platform/proc-scan.ts, workerFile). */
export const WORKER_FILE = 'proc-scan-worker.cjs';

/** Replaces main/platform/app-version.ts with the version package.json says now. */
function bakedVersion() {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  return {
    name: 'egpu-baked-version',
    transform(_code, id) {
      if (!id.split('?')[0].endsWith(path.join('main', 'platform', 'app-version.ts'))) return null;
      return {
        code: `export function readAppVersion() { return ${JSON.stringify(version)}; }\n`,
        map: null,
      };
    },
  };
}

/**
 * Builds the bundle into `out` (default dist/service/egpu-guard-service.cjs). It is written next to
 * its place and renamed into it, so a test running the old file never reads half a new one.
 * @returns {Promise<string>} the bundle's path
 */
export async function buildService(out = SERVICE_BUNDLE) {
  const dir = path.dirname(out);
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(path.join(dir, '.build-'));
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      publicDir: false,
      plugins: [bakedVersion()],
      build: {
        ssr: 'scripts/packaging/service-entry.ts',
        outDir: staging,
        emptyOutDir: true,
        target: 'node18',
        minify: false,
        sourcemap: false,
        rolldownOptions: {
          // dbus-next's optional modules, which it require()s only on the paths that need them:
          // usocket (a native socket; electron-builder.yml leaves it out of the app too: dbus-next
          // falls back to net sockets) and x11 (finding the bus address in an X11 selection, which
          // a systemd user service never needs: the user manager sets DBUS_SESSION_BUS_ADDRESS).
          // Left as require() calls that fail and are caught, as in the packaged app.
          external: ['usocket', 'x11'],
          output: {
            format: 'cjs',
            entryFileNames: FILE,
            banner: '#!/usr/bin/node',
            // One file: the CLI loads each command with import() (main/cli/commands/index.ts).
            codeSplitting: false,
          },
        },
      },
      ssr: { noExternal: true, target: 'node' },
    });
    // The /proc scan's worker thread (main/platform/proc-scan-worker.ts), beside the bundle where
    // main/platform/proc-scan.ts looks for it: without it the service scans on one thread.
    await build({
      configFile: false,
      logLevel: 'warn',
      publicDir: false,
      build: {
        ssr: 'main/platform/proc-scan-worker.ts',
        outDir: staging,
        emptyOutDir: false,
        target: 'node18',
        minify: false,
        sourcemap: false,
        rolldownOptions: { output: { format: 'cjs', entryFileNames: WORKER_FILE } },
      },
      ssr: { noExternal: true, target: 'node' },
    });
    renameSync(path.join(staging, WORKER_FILE), path.join(dir, WORKER_FILE));
    const built = path.join(staging, FILE);
    if (!readFileSync(built, 'utf8').startsWith('#!/usr/bin/node\n')) {
      throw new Error(`${out} does not start with its #!/usr/bin/node line`);
    }
    chmodSync(built, 0o755);
    renameSync(built, out);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await buildService(process.argv[2]);
  } catch (e) {
    console.error(`build: service bundle failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
