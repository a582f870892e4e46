// Bundles the privileged helper into one CommonJS file, dist/helper/egpu-guard-helper.cjs, with a
// `#!/usr/bin/node` line: every import inlined, Node 18 syntax (Debian 12's nodejs). Packages
// install exactly this file at the polkit exec.path: pkexec runs it with a clean environment and
// PATH, so it must not depend on node_modules or on how the user installed Node. scripts/build.mjs
// builds it on every `npm run build`, and bin/egpu-guard-helper.js (tests, the demo, `--root`)
// runs it too, so the tests exercise the very file that ships — and one file loads in a few
// milliseconds where the ESM module graph of dist/main/helper took ~20 ms per helper start.
import { chmodSync, readFileSync } from 'node:fs';
import { build } from 'vite';

export const HELPER_BUNDLE = 'dist/helper/egpu-guard-helper.cjs';

export async function buildHelper() {
  await build({
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    build: {
      ssr: 'scripts/packaging/helper-entry.ts',
      outDir: 'dist/helper',
      emptyOutDir: true,
      target: 'node18',
      minify: false,
      sourcemap: false,
      rollupOptions: {
        output: {
          format: 'cjs',
          entryFileNames: 'egpu-guard-helper.cjs',
          banner: '#!/usr/bin/node',
        },
      },
    },
    ssr: { noExternal: true, target: 'node' },
  });
  if (!readFileSync(HELPER_BUNDLE, 'utf8').startsWith('#!/usr/bin/node\n')) {
    throw new Error(`${HELPER_BUNDLE} does not start with its #!/usr/bin/node line`);
  }
  chmodSync(HELPER_BUNDLE, 0o755);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await buildHelper();
  } catch (e) {
    console.error(`build: helper bundle failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
