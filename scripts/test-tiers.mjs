// Which test files are system tests: they start real parts — child processes (egpu, the helper,
// holders of device nodes), the simulated kernel with the helper, private dbus-daemons, journald
// tools, polkitd, dunst on Xvfb, Chromium. Everything else is pure or in-process and runs in the
// inner loop (`npm run test:unit`, under a minute). `npm test` runs both. A new test that starts a
// real part belongs here; scripts/test-tiers.test.ts checks that none slipped into the unit tier.

export const SYSTEM_TESTS = [
  'electron/packaging.test.ts',
  'electron/preload/preload-bundle.test.ts',
  'electron/tray/tray-host.test.ts',
  'main/actions/compositor/logind-session.test.ts',
  'main/actions/compositor/run-action.test.ts',
  'main/actions/compositor/session-processes.test.ts',
  'main/actions/doctor/doctor-bus.test.ts',
  // doctor over every scenario variant's sysroot: a whole-machine check, ~10 s
  'main/actions/doctor/variants.test.ts',
  'main/actions/eject/eject-hooks.test.ts',
  'main/actions/eject/eject-service.test.ts',
  'main/actions/eject/eject-tunnel.test.ts',
  'main/actions/recover/recover.test.ts',
  'main/cli/**/*.test.ts',
  'main/actions/gpu-lock.test.ts',
  // user hooks: real executables in their own process groups
  'main/actions/hooks/hook-runner.test.ts',
  'main/helper/polkit-pkexec.test.ts',
  'main/helper/helper-*.test.ts',
  'main/helper/admin-removable.test.ts',
  'main/inventory/clients/scan-clients.test.ts',
  'main/inventory/inventory.test.ts',
  'main/notify/desktop-notifier.test.ts',
  'main/notify/notification-story.test.ts',
  'main/notify/notify-dispatcher.test.ts',
  'main/platform/command-runner.test.ts',
  'main/platform/dbus.test.ts',
  'main/platform/privileged.test.ts',
  // maps reads from a FIFO held open by a shell
  'main/platform/proc-scan.test.ts',
  // the C scanner, a program run against a fake and the real /proc
  'main/platform/native-scan.test.ts',
  'main/platform/user-files.test.ts',
  'main/server/**/*.test.ts',
  'main/service/service-bus.test.ts',
  'main/service/attach.test.ts',
  'main/sim/**/*.test.ts',
  'main/sources/**/*.test.ts',
  'scripts/eslint/layers.test.ts',
  // the session service's bundle, run on private dbus-daemons over a simulated machine
  'scripts/packaging/service-bundle.test.ts',
  'scripts/security-electron.test.ts',
  'scripts/build-stamp.test.ts',
  // reads the dist/ the global setup built
  'scripts/prune-dist.test.ts',
];

/** What gives a test file away as a system test (checked by scripts/test-tiers.test.ts). */
export const SYSTEM_MARKERS =
  /startCli|runCliProcess|startSim|launchChromium|startTestBus|ProcessPool|appendJournalEntries|polkit-sandbox|startDunst|startUiProcess|startFakeUiProcess|node:child_process|DemoMachine|createPrivilegedRunner|new ESLint/;
