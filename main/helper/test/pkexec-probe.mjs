// Runs inside polkit-sandbox.sh (a private polkitd on a private system bus) and drives the real
// pkexec through the real privileged runner from dist/. `root`: verbs as root, then itself again
// as nobody (setpriv) for `user`. Prints one JSON object on stdout.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = (p) => new URL(`../../../dist/main/${p}`, import.meta.url).href;
const { createNodeCommandRunner } = await import(dist('platform/command-runner.js'));
const { createPrivilegedRunner } = await import(dist('platform/privileged.js'));
const { HELPER_INSTALL_PATH } = await import(dist('common/helper-contract.js'));

const runner = createNodeCommandRunner();
const priv = createPrivilegedRunner({ runner, stepTimeoutMs: 15_000, authTimeoutMs: 15_000 });
const summary = (r) =>
  r.ok
    ? { ok: true, stderr: r.value.stderr }
    : { ok: false, code: r.error.code, message: r.error.message };

const out = { uid: process.getuid() };
if (process.argv[2] === 'root') {
  const pkaction = await runner.run({
    file: '/usr/bin/pkaction',
    args: ['--verbose', '--action-id', 'io.github.egpuguard.remove'],
  });
  out.pkaction = pkaction.ok ? pkaction.value.stdout : pkaction.error.message;
  out.rescan = summary(await priv.run('rescan', []));
  out.remove = summary(await priv.run('remove', ['0000:0a:00.0']));
  out.internal = summary(await priv.run('remove', ['0000:00:02.0']));
  // The helper must refuse --test-root when pkexec ran it (PKEXEC_UID is set).
  const testRoot = await runner.run({
    file: '/usr/bin/pkexec',
    args: [HELPER_INSTALL_PATH, '--test-root', '/tmp', 'rescan'],
    env: { LANG: 'C.UTF-8' },
  });
  out.testRoot = testRoot.ok
    ? { exitCode: testRoot.value.exitCode, stderr: testRoot.value.stderr }
    : null;
  const user = spawnSync(
    '/usr/bin/setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      fileURLToPath(import.meta.url),
      'user',
    ],
    { encoding: 'utf8' },
  );
  out.user = user.status === 0 ? JSON.parse(user.stdout) : { failed: user.stderr };
} else {
  out.rescan = summary(await priv.run('rescan', []));
  out.remove = summary(await priv.run('remove', ['0000:0a:00.1']));
  // bind's action is implied by rescan's, which the test rule allows: polkit lets it through.
  out.bind = summary(await priv.run('bind', ['0000:0a:00.1', 'snd_hda_intel']));
}
process.stdout.write(`${JSON.stringify(out)}\n`);
