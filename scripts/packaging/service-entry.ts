// Entry of the single-file session service bundle that packages install as
// /usr/libexec/egpu-guard/egpu-guard-service (scripts/build-service.mjs builds it into
// dist/service/egpu-guard-service.cjs). systemd's user manager runs it for
// assets/systemd/egpu-guard.service, or the session bus has systemd start that unit on the first
// call to io.github.EgpuGuard1 (assets/dbus/io.github.EgpuGuard1.service). It is `egpu service` —
// the same flags, output and exit codes (main/cli/commands/service.ts) — started the way
// bin/egpu.js starts a command. No top-level await: the bundle is CommonJS.
import { runCli } from '../../main/cli/run.js';

void runCli(['service', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
