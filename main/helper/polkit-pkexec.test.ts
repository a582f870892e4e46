// Real pkexec against a real polkitd: inside `unshare --mount --propagation private --fork --pid`
// a private system bus and polkitd run with the shipped policy, the helper sits at its exec.path
// and a fake sysfs (never the real one) is mounted over /sys. The probe drives the real privileged
// runner: as root pkexec runs the helper (which then refuses --test-root: PKEXEC_UID is set) and
// the writes land in the fake sysfs; as nobody, without an agent, pkexec exits 127 →
// not-authorized — except for `rescan`, which a test admin rule allows, and `bind`, whose action
// rescan's implies (one authentication covers a recovery), while the eject verbs stay refused.
// The PID namespace takes every daemon down with it.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tb3Nvidia } from '../sim/scenarios/tb3-nvidia.js';
import { pciDevicePath, writeScenario } from '../sim/sysroot-writer.js';
import { worldReadableBuild } from '../test/world-readable-build.js';
import { HELPER_BIN, POLICY_FILE, REPO_ROOT } from './test/helper-fixture.js';

const PROBE = path.join(REPO_ROOT, 'main/helper/test/pkexec-probe.mjs');
const SYSTEM_POLKIT_POLICY = '/usr/share/polkit-1/actions/org.freedesktop.policykit.policy';
const NEEDED = [
  SYSTEM_POLKIT_POLICY,
  '/usr/bin/unshare',
  '/usr/bin/pkexec',
  '/usr/lib/polkit-1/polkitd',
  '/usr/bin/dbus-daemon',
  '/usr/bin/dbus-send',
  '/usr/bin/setpriv',
  '/usr/bin/pkaction',
];

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (private mount namespace, polkitd)';
  const missing = NEEDED.filter((p) => !fs.existsSync(p));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const probe = spawnSync('/usr/bin/unshare', ['--mount', '--propagation', 'private', 'true']);
  return probe.status === 0 ? null : 'unshare --mount is not permitted on this machine';
}
const SKIP = skipReason();

const BUS_CONF = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
`;

/** An admin rule, as a site would write one, that relaxes a single verb. */
const TEST_RULE = `// Test only: anyone may rescan; every other verb keeps the shipped defaults.
polkit.addRule(function (action, subject) {
  if (action.id == "io.github.egpuguard.rescan") return polkit.Result.YES;
});
`;

function prepare(work: string, helperBin: string): void {
  for (const d of ['rundbus', 'actions', 'rules', 'libexec/egpu-guard', 'root']) {
    fs.mkdirSync(path.join(work, d), { recursive: true, mode: 0o755 });
  }
  // polkitd drops to its own user: everything it reads must be world-readable.
  fs.chmodSync(work, 0o755);
  fs.writeFileSync(path.join(work, 'bus.conf'), BUS_CONF);
  fs.copyFileSync(POLICY_FILE, path.join(work, 'actions/io.github.egpuguard.policy'));
  // polkit's own actions, as on any real system: argv1 '--test-root' matches none of ours, so
  // pkexec falls back to org.freedesktop.policykit.exec (admin), and root gets through to the
  // helper — whose own refusal is what the test is after.
  fs.copyFileSync(
    SYSTEM_POLKIT_POLICY,
    path.join(work, 'actions/org.freedesktop.policykit.policy'),
  );
  fs.writeFileSync(path.join(work, 'rules/49-egpu-guard-test.rules'), TEST_RULE, { mode: 0o644 });
  // What packaging installs at the exec.path: a Node script starting the helper.
  fs.writeFileSync(
    path.join(work, 'libexec/egpu-guard/egpu-guard-helper'),
    `#!${process.execPath}\nimport(${JSON.stringify(pathToFileURL(helperBin).href)});\n`,
    { mode: 0o755 },
  );
  writeScenario(path.join(work, 'root'), tb3Nvidia);
  // The sandbox refuses to go on unless /sys shows this marker after the bind mount.
  fs.writeFileSync(path.join(work, 'root/sys/.egpu-guard-fake-sysfs'), '');
}

type Summary = { ok: boolean; code?: string; message?: string; stderr?: string };
type ProbeOutput = {
  uid: number;
  pkaction: string;
  rescan: Summary;
  remove: Summary;
  internal: Summary;
  testRoot: { exitCode: number; stderr: string } | null;
  user: { uid: number; rescan: Summary; remove: Summary; bind: Summary };
};

function runSandbox(
  work: string,
  probe: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = path.join(REPO_ROOT, 'main/helper/test/polkit-sandbox.sh');
  const args = ['--mount', '--propagation', 'private', '--fork', '--pid', '--mount-proc'];
  return new Promise((resolve) => {
    const child = spawn(
      '/usr/bin/unshare',
      [...args, '--kill-child', '--', '/bin/bash', script, work, process.execPath, probe, 'root'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // --kill-child: if unshare itself dies, the namespace's PID 1 and with it every daemon go too.
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Processes whose command line mentions `needle` (none may outlive the sandbox). */
function processesMentioning(needle: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^[0-9]+$/.test(p))
    .flatMap((pid) => {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmd.includes(needle) ? [`${pid}: ${cmd}`] : [];
      } catch {
        return [];
      }
    });
}

describe('real pkexec and polkitd in a private mount namespace', () => {
  it.skipIf(SKIP !== null)(
    `pkexec runs the helper as root and refuses others${SKIP === null ? '' : ` (skipped: ${SKIP})`}`,
    async () => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-polkit-'));
      // The probe re-runs itself as nobody: it and the build it imports must be reachable for
      // nobody wherever this checkout lives.
      const build = worldReadableBuild([PROBE]);
      try {
        prepare(work, build.pathOf(HELPER_BIN));
        const r = await runSandbox(work, build.pathOf(PROBE));
        expect(r.code, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ProbeOutput;

        // polkitd loaded the shipped policy as written.
        expect(out.pkaction).toMatch(/implicit any: +no\n/);
        expect(out.pkaction).toMatch(/implicit inactive: +no\n/);
        expect(out.pkaction).toMatch(/implicit active: +auth_admin_keep\n/);
        expect(out.pkaction).toContain(
          'org.freedesktop.policykit.exec.path -> /usr/libexec/egpu-guard/egpu-guard-helper',
        );

        // Root: pkexec runs the helper, which acts on the (fake) /sys and still validates.
        expect(out.rescan).toMatchObject({ ok: true, stderr: expect.stringMatching(/rescanned/) });
        expect(out.remove).toMatchObject({ ok: true, stderr: expect.stringMatching(/removed/) });
        expect(out.internal).toMatchObject({ ok: false, code: 'invalid-input' });
        expect(out.testRoot).toMatchObject({
          exitCode: 2,
          stderr: expect.stringMatching(/--test-root is refused under pkexec/),
        });

        // nobody, no agent: refused by polkit (127) — but the rule for rescan's own action applies.
        expect(out.user.uid).toBe(65534);
        expect(out.user.remove).toMatchObject({
          ok: false,
          code: 'not-authorized',
          message: 'Not authorized, or no polkit authentication agent is running',
        });
        expect(out.user.rescan).toMatchObject({ ok: true });
        // Implied by rescan's action: polkit ran the helper (which then did the bind, or said why
        // not), so the error, if any, is the helper's own and not polkit's.
        expect(out.user.bind.ok || out.user.bind.code !== 'not-authorized').toBe(true);
        expect(out.pkaction).toContain(
          'org.freedesktop.policykit.imply -> io.github.egpuguard.unbind io.github.egpuguard.module-unload',
        );

        const fakeSys = path.join(work, 'root');
        expect(fs.readFileSync(path.join(fakeSys, 'sys/bus/pci/rescan'), 'utf8')).toBe('1\n');
        const gpu = path.join(fakeSys, pciDevicePath(tb3Nvidia, '0000:0a:00.0'));
        const audio = path.join(fakeSys, pciDevicePath(tb3Nvidia, '0000:0a:00.1'));
        const igpu = path.join(fakeSys, pciDevicePath(tb3Nvidia, '0000:00:02.0'));
        expect(fs.readFileSync(`${gpu}/remove`, 'utf8')).toBe('1\n');
        expect(fs.readFileSync(`${audio}/remove`, 'utf8')).toBe('');
        expect(fs.readFileSync(`${igpu}/remove`, 'utf8')).toBe('');
        expect(processesMentioning(work)).toEqual([]);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
        build.cleanup();
      }
    },
    60_000,
  );
});
