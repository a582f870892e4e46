// Everything `egpu doctor` looks at, read once: the inventory and clients, the session (through
// the compositor module), /proc and /sys files under the root, the journal through the
// CommandRunner, bolt and the tray watcher over D-Bus, and the installed helper, policy and
// pkexec. The checks themselves are pure (checks-*.ts).

import { readAdminRemovable } from '../../inventory/admin-removable.js';
import {
  HELPER_INSTALL_PATH,
  HELPER_VERBS,
  PKEXEC_PATH,
  POLKIT_ACTION_PREFIX,
} from '../../common/helper-contract.js';
import type { CommandRunner } from '../../platform/command-runner.js';
import type { DbusPort } from '../../platform/dbus.js';
import { probeFile } from '../../platform/file-probe.js';
import { probeKmsg } from '../../platform/kmsg-reader.js';
import type { SystemRoot } from '../../platform/system-root.js';
import { probeJournal } from '../../platform/journal-probe.js';
import { findTextLog } from '../../platform/text-logs.js';
import { gatherCompositorFacts } from '../compositor/compositor-advice.js';
import { POLKIT_AGENTS } from '../compositor/session-names.js';
import { listHooks } from '../hooks/hook-runner.js';
import { checkBolt, checkTray } from './bus-checks.js';
import {
  POLICY_INSTALL_PATH,
  type DoctorFacts,
  type JournalFacts,
  type KernelLogFacts,
  type NvidiaFacts,
  type PolkitFacts,
} from './doctor-model.js';
import { readKernelLog } from './kernel-log.js';
import { parseNvidiaParams, parseNvidiaVersion } from './nvidia-proc.js';

export type DoctorDeps = {
  readonly root: SystemRoot;
  readonly runner: CommandRunner;
  /** null: no D-Bus questions (--no-dbus). */
  readonly dbus: DbusPort | null;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pid: number;
  readonly uid: number | null;
  /**
   * The root is a sysroot, not this machine: the system journal says nothing about it, so only a
   * journal folder inside the root (var/log/journal, run/log/journal) is read.
   */
  readonly sysroot: boolean;
  readonly journalctl?: string;
  /** The source checkout eGPU Guard runs from, when it does (DoctorFacts.checkout). */
  readonly checkout?: string | null;
  /** Host path of the user's hooks.d (docs/hooks.md); absent or null: not looked at. */
  readonly hooksDir?: string | null;
};

const text = (root: SystemRoot, path: string, max = 64 * 1024): string | null => {
  const r = root.readText(path, max);
  return r.ok ? r.value : null;
};

/** PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" → the name (os-release(5)). */
export function prettyName(osRelease: string | null): string | null {
  const m = osRelease === null ? null : /^PRETTY_NAME=(["']?)(.*)\1\s*$/m.exec(osRelease);
  return m && m[2]!.trim() !== '' ? m[2]!.trim().slice(0, 200) : null;
}

const NVIDIA_SERVICE_LINKS: readonly (readonly [string, string])[] = [
  ['nvidia-suspend', 'systemd-suspend.service.wants/nvidia-suspend.service'],
  ['nvidia-resume', 'systemd-suspend.service.wants/nvidia-resume.service'],
  ['nvidia-hibernate', 'systemd-hibernate.service.wants/nvidia-hibernate.service'],
];

function nvidiaFacts(root: SystemRoot): NvidiaFacts {
  const v = parseNvidiaVersion(text(root, '/proc/driver/nvidia/version') ?? '');
  const params = parseNvidiaParams(text(root, '/proc/driver/nvidia/params') ?? '');
  const enabled = NVIDIA_SERVICE_LINKS.filter(([, link]) =>
    // The .wants link itself is what `systemctl enable` makes (its target may be absolute).
    ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'].some(
      (d) => root.lstat(`${d}/${link}`).ok,
    ),
  ).map(([name]) => name);
  return {
    versionLine: v?.line ?? null,
    flavor: v?.flavor ?? null,
    version: v?.version ?? null,
    params,
    suspendServices: enabled,
  };
}

function journalSelector(root: SystemRoot, sysroot: boolean): readonly string[] | null {
  if (!sysroot) return ['-k'];
  const dir = ['/var/log/journal', '/run/log/journal'].find((d) => root.exists(d));
  return dir === undefined ? null : ['-D', root.hostPath(dir), '-k'];
}

async function journalFacts(deps: DoctorDeps): Promise<JournalFacts> {
  const { root } = deps;
  const selector = journalSelector(root, deps.sysroot);
  let journal: JournalFacts['journal'];
  if (selector === null) {
    journal = {
      ok: false,
      reason: 'no journal under the root (/var/log/journal, /run/log/journal)',
    };
  } else {
    const p = await probeJournal(deps.runner, deps.journalctl ?? 'journalctl', selector);
    journal = p.ok ? { ok: true } : { ok: false, reason: p.error.message };
  }
  const k = probeKmsg(root.hostPath('/dev/kmsg'));
  const errno = k.ok ? null : k.error.detail?.['errno'];
  return {
    selector,
    journal,
    kmsg: k.ok
      ? { ok: true }
      : {
          ok: false,
          reason:
            errno === 'ENOENT'
              ? 'missing'
              : `not readable (${typeof errno === 'string' ? errno : k.error.code})`,
        },
    textLog: findTextLog(root),
  };
}

function kernelLogNotRead(j: JournalFacts): KernelLogFacts {
  const tried = [
    `journal: ${j.journal.ok ? 'readable' : j.journal.reason}`,
    `/dev/kmsg: ${j.kmsg.ok ? 'readable (not read for the report; try `sudo dmesg | egpu explain`)' : j.kmsg.reason}`,
    `text log: ${j.textLog ?? 'none (/var/log/kern.log, /var/log/messages)'}`,
  ];
  return { source: `not read — ${tried.join('; ')}`, diagnosis: null, lines: new Map() };
}

function polkitFacts(root: SystemRoot): PolkitFacts {
  const policyText = text(root, POLICY_INSTALL_PATH, 1024 * 1024);
  const execPaths =
    policyText === null
      ? null
      : [...policyText.matchAll(/policykit\.exec\.path">\s*([^<\s]*)\s*</g)].map((m) => m[1]!);
  const missing =
    policyText === null
      ? []
      : HELPER_VERBS.filter((v) => !policyText.includes(`id="${POLKIT_ACTION_PREFIX}${v}"`));
  return {
    policy: probeFile(root, POLICY_INSTALL_PATH),
    policyExecPaths: execPaths,
    policyMissingVerbs: missing,
    pkexec: probeFile(root, PKEXEC_PATH),
    helper: probeFile(root, HELPER_INSTALL_PATH),
  };
}

export async function gatherDoctorFacts(deps: DoctorDeps): Promise<DoctorFacts> {
  const { root } = deps;
  const compositorP = gatherCompositorFacts({
    root,
    dbus: deps.dbus,
    env: deps.env,
    pid: deps.pid,
    uid: deps.uid,
  });
  const journalP = journalFacts(deps);
  const boltP = checkBolt(deps.dbus);
  const trayP = checkTray(deps.dbus);
  const [compositor, journal, bolt, tray] = await Promise.all([
    compositorP,
    journalP,
    boltP,
    trayP,
  ]);
  const kernelLog =
    journal.journal.ok && journal.selector !== null
      ? await readKernelLog(deps.runner, journal.selector, deps.journalctl)
      : kernelLogNotRead(journal);
  const inventory = compositor.inventory;
  return {
    kernelRelease: text(root, '/proc/sys/kernel/osrelease')?.trim() || null,
    osRelease: prettyName(text(root, '/etc/os-release') ?? text(root, '/usr/lib/os-release')),
    inventory,
    clients: compositor.clients,
    nvidia: nvidiaFacts(root),
    amdgpuRunpm: text(root, '/sys/module/amdgpu/parameters/runpm')?.trim() ?? null,
    udevRunning: root.exists('/run/udev/control'),
    journal,
    kernelLog,
    bolt,
    tray,
    polkit: polkitFacts(root),
    agents: compositor.processes.filter((p) => POLKIT_AGENTS.includes(p.name)),
    power: inventory.gpus
      .filter((g) => g.external)
      .map((g) => ({
        bdf: g.bdf,
        driver: g.driver,
        control: text(root, `/sys/bus/pci/devices/${g.bdf}/power/control`)?.trim() ?? null,
        d3coldAllowed: text(root, `/sys/bus/pci/devices/${g.bdf}/d3cold_allowed`)?.trim() ?? null,
        runtimeStatus: g.runtimeStatus,
      })),
    session: compositor.session,
    holds: compositor.holds,
    removableList: readAdminRemovable(root),
    checkout: deps.checkout ?? null,
    ...(deps.hooksDir === undefined || deps.hooksDir === null
      ? {}
      : // Printed as the target system's path, as every doctor finding is.
        { hooks: { ...listHooks(deps.hooksDir, deps.uid), dir: root.targetPath(deps.hooksDir) } }),
  };
}
