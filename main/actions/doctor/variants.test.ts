// Doctor findings as one machine (tb3-nvidia) changes: the helper, policy and pkexec installed
// or broken, Thunderbolt settings, NVIDIA's suspend setup, runtime PM, the process table.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HELPER_INSTALL_PATH, PKEXEC_PATH } from '../../common/helper-contract.js';
import { writeRemovableList, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import { writeFakeProc } from '../compositor/test/fake-proc.js';
import { POLICY_INSTALL_PATH, type Severity } from './doctor-model.js';
import {
  NV_OPEN,
  NV_PROPRIETARY,
  gather,
  installPrivileged,
  severities,
  startUdev,
  sysrootPool,
  writeNvidiaProc,
} from './test/doctor-fixture.js';

const pool = sysrootPool();
const dirs: string[] = [];
afterEach(() => {
  pool.cleanup();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const root = (name: string): SysrootFixture => pool.root(name);

type Row = [
  string,
  (f: SysrootFixture) => void | Promise<void>,
  Record<string, Severity | undefined>,
];

describe('doctor findings as the machine changes', () => {
  const rows: Row[] = [
    [
      'a ready machine: helper, policy, pkexec, udevd',
      (f) => {
        installPrivileged(f);
        startUdev(f);
      },
      { helper: 'ok', 'polkit-policy': 'ok', pkexec: 'ok', udevd: 'ok' },
    ],
    [
      'the helper is a symlink (pkexec would resolve it)',
      (f) => {
        installPrivileged(f);
        fs.renameSync(f.host(HELPER_INSTALL_PATH), f.host('/usr/libexec/egpu-guard/real'));
        fs.symlinkSync('real', f.host(HELPER_INSTALL_PATH));
      },
      { helper: 'problem' },
    ],
    [
      'the helper is writable by everyone',
      (f) => {
        installPrivileged(f);
        fs.chmodSync(f.host(HELPER_INSTALL_PATH), 0o777);
      },
      { helper: 'problem' },
    ],
    [
      'pkexec without its setuid bit',
      (f) => {
        installPrivileged(f);
        fs.chmodSync(f.host(PKEXEC_PATH), 0o755);
      },
      { pkexec: 'problem' },
    ],
    [
      'a policy naming another helper path (nvidia-tray’s mistake)',
      (f) => {
        installPrivileged(f);
        const p = f.host(POLICY_INSTALL_PATH);
        fs.writeFileSync(
          p,
          fs.readFileSync(p, 'utf8').replaceAll(HELPER_INSTALL_PATH, '/usr/local/libexec/x'),
        );
      },
      { 'polkit-policy': 'warning' },
    ],
    [
      'an old policy without the restart-unit action',
      (f) => {
        installPrivileged(f);
        const p = f.host(POLICY_INSTALL_PATH);
        fs.writeFileSync(
          p,
          fs.readFileSync(p, 'utf8').replace('io.github.egpuguard.restart-unit', 'x'),
        );
      },
      { 'polkit-policy': 'warning' },
    ],
    [
      'Thunderbolt security dponly: no PCIe tunnels',
      (f) => fs.writeFileSync(f.host('/sys/bus/thunderbolt/devices/domain0/security'), 'dponly\n'),
      { 'tb-security:domain0': 'problem' },
    ],
    [
      'no de-authorization support',
      (f) =>
        fs.writeFileSync(f.host('/sys/bus/thunderbolt/devices/domain0/deauthorization'), '0\n'),
      { 'tb-deauth:domain0': 'info' },
    ],
    [
      'NVIDIA proprietary, no video memory preservation',
      (f) => writeNvidiaProc(f, NV_PROPRIETARY, { PreserveVideoMemoryAllocations: '0' }),
      { 'driver:nvidia': 'warning', 'nvidia-suspend': 'warning' },
    ],
    [
      'NVIDIA open modules, preservation on but services off',
      (f) => writeNvidiaProc(f, NV_OPEN, { PreserveVideoMemoryAllocations: '1' }),
      { 'driver:nvidia': 'info', 'nvidia-suspend': 'warning' },
    ],
    [
      'NVIDIA preservation on and its services enabled',
      (f) => {
        writeNvidiaProc(f, NV_OPEN, { PreserveVideoMemoryAllocations: '1' });
        for (const [unit, wants] of [
          ['nvidia-suspend', 'systemd-suspend'],
          ['nvidia-resume', 'systemd-suspend'],
          ['nvidia-hibernate', 'systemd-hibernate'],
        ]) {
          const d = f.host(`/etc/systemd/system/${wants}.service.wants`);
          fs.mkdirSync(d, { recursive: true });
          fs.symlinkSync(`/usr/lib/systemd/system/${unit}.service`, `${d}/${unit}.service`);
        }
      },
      { 'nvidia-suspend': 'ok' },
    ],
    [
      'the eGPU kept powered',
      (f) => fs.writeFileSync(f.host('/sys/bus/pci/devices/0000:0a:00.0/power/control'), 'on\n'),
      { 'runtime-pm:0000:0a:00.0': 'ok' },
    ],
    [
      'no removable list: nothing to say about it',
      () => undefined,
      { 'removable-list': undefined },
    ],
    [
      'a removable list others may write: ignored, and the fix says how',
      (f) => writeRemovableList(f, '0000:08:00.0\n', 0o666),
      { 'removable-list': 'warning' },
    ],
    [
      'a removable list with a typo',
      (f) => writeRemovableList(f, '0000:08:00.0\n08:00:0\n'),
      { 'removable-list': 'warning' },
    ],
    [
      'a good removable list',
      (f) => writeRemovableList(f, '0000:08:00.0\n'),
      // Trusted only when root owns it: the tests' files are root's when they run as root.
      { 'removable-list': process.getuid?.() === 0 ? 'info' : 'warning' },
    ],
  ];

  it.each(rows)('%s', async (_name, change, expected) => {
    const f = root('tb3-nvidia');
    await change(f);
    const { map } = await severities(f);
    for (const [id, sev] of Object.entries(expected)) expect(map[id], id).toBe(sev);
  });

  it('the repository’s own policy names the installed helper path for every verb', async () => {
    const f = root('desktop-single');
    installPrivileged(f);
    const facts = await gather(f);
    expect(facts.polkit.policyMissingVerbs).toEqual([]);
    expect(new Set(facts.polkit.policyExecPaths)).toEqual(new Set([HELPER_INSTALL_PATH]));
  });

  it('amdgpu on a kernel before 5.14 is a problem only when an eGPU uses it', async () => {
    for (const [name, sev] of [
      ['usb4-amd', 'problem'],
      ['desktop-single', 'info'],
    ] as const) {
      const f = root(name);
      fs.writeFileSync(f.host('/proc/sys/kernel/osrelease'), '5.10.0-28-amd64\n');
      const { map } = await severities(f);
      expect(map['driver:amdgpu'], name).toBe(sev);
    }
  });

  it('a compositor drawing with the eGPU, and a polkit agent, seen in the process table', async () => {
    const f = root('tb3-nvidia');
    const proc = writeFakeProc([
      { pid: 2100, argv: ['/usr/bin/gnome-shell'], fds: [f.host('/dev/dri/card1')] },
      { pid: 2200, argv: ['/usr/lib/x86_64-linux-gnu/libexec/polkit-kde-authentication-agent-1'] },
    ]);
    dirs.push(proc);
    const env = { XDG_SESSION_TYPE: 'wayland', XDG_CURRENT_DESKTOP: 'GNOME' };
    const { map, result } = await severities(f, { proc, env });
    expect(map['compositor-primary']).toBe('warning');
    expect(map['polkit-agent']).toBe('ok');
    expect(result.findings.find((x) => x.id === 'compositor-primary')?.title).toBe(
      'gnome-shell draws the desktop with the eGPU 0000:0a:00.0',
    );
    // A graphical session without any agent is a warning; a sysroot without a session only info.
    const none = writeFakeProc([{ pid: 2100, argv: ['/usr/bin/sway'] }]);
    dirs.push(none);
    expect(
      (await severities(f, { proc: none, env: { XDG_SESSION_TYPE: 'wayland' } })).map[
        'polkit-agent'
      ],
    ).toBe('warning');
  });

  it('exit code: 1 with a problem, 0 on a ready machine', async () => {
    const f = root('desktop-single');
    expect((await severities(f)).result.exitCode).toBe(1);
    installPrivileged(f);
    startUdev(f);
    const { result } = await severities(f);
    expect(result.findings.filter((x) => x.severity === 'problem')).toEqual([]);
    expect(result.exitCode).toBe(0);
  });
});
