// `egpu doctor`: findings about this machine's readiness for an eGPU, and the facts they are
// computed from. Facts are gathered once (gather.ts, the only I/O); every check is a pure function
// of them (checks-*.ts), so each finding can be tested as a table.
//
// Severities: ok — fine; info — worth knowing, nothing to do; warning — works, with a risk or a
// degraded path the fix removes; problem — eGPU Guard or the eGPU cannot do its job here (the
// command exits 1 when there is one).

import type { ClientsReport } from '../../common/clients-model.js';
import type { Inventory } from '../../common/inventory-model.js';
import type { Diagnosis } from '../../diagnose/diagnosis.js';
import type { AdminRemovable } from '../../inventory/admin-removable.js';
import type { FileProbe } from '../../platform/file-probe.js';
import type { CompositorHold } from '../compositor/gpu-roles.js';
import type { HookListing } from '../hooks/hook-rules.js';
import type { DetectedSession, SessionProcess } from '../compositor/session-model.js';

/** Where packaging installs assets/polkit/io.github.egpuguard.policy. */
export { POLICY_INSTALL_PATH } from '../../common/helper-contract.js';

export const SEVERITIES = ['ok', 'info', 'warning', 'problem'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DOCTOR_AREAS = [
  'kernel',
  'events',
  'thunderbolt',
  'privileges',
  'desktop',
  'gpus',
  'power',
  'hooks',
] as const;
export type DoctorArea = (typeof DOCTOR_AREAS)[number];

export const AREA_TITLES: Readonly<Record<DoctorArea, string>> = {
  kernel: 'Kernel and drivers',
  events: 'udev and the kernel log',
  thunderbolt: 'Thunderbolt',
  privileges: 'Privileges (polkit, pkexec, helper)',
  desktop: 'Desktop (tray, compositor)',
  gpus: 'GPUs and PCIe links',
  power: 'Power management and suspend',
  hooks: 'User hooks',
};

export type DoctorFinding = {
  /** Stable id for scripts and tests: 'udevd', 'link:0000:03:00.0', 'tb-security:domain0' … */
  readonly id: string;
  readonly area: DoctorArea;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  /** What to do, in plain words with exact commands; absent when nothing needs doing. */
  readonly fix?: string;
};

export type NvidiaFacts = {
  /** First line of /proc/driver/nvidia/version; null when the file is absent. */
  readonly versionLine: string | null;
  readonly flavor: 'open' | 'proprietary' | null;
  readonly version: string | null;
  /** /proc/driver/nvidia/params as name → value. */
  readonly params: Readonly<Record<string, string>>;
  /** nvidia-suspend/-resume/-hibernate.service enabled (their .wants links exist). */
  readonly suspendServices: readonly string[];
};

export type JournalFacts = {
  /** The journalctl selector tried, e.g. ['-k'] or ['-D', '<root>/var/log/journal', '-k']. */
  readonly selector: readonly string[] | null;
  readonly journal: { readonly ok: true } | { readonly ok: false; readonly reason: string };
  readonly kmsg: { readonly ok: true } | { readonly ok: false; readonly reason: string };
  /** /var/log/kern.log or /var/log/messages when readable. */
  readonly textLog: string | null;
};

export type KernelLogFacts = {
  /** What was read: `journalctl -k -b -o json` (and how many kernel messages), or why not. */
  readonly source: string;
  readonly diagnosis: Diagnosis | null;
  /** Kernel message text and its time, by the line number diagnose() reports. */
  readonly lines: ReadonlyMap<number, { readonly text: string; readonly time: string | null }>;
};

export type BusCheck<T> =
  { readonly checked: false; readonly reason: string } | ({ readonly checked: true } & T);

export type BoltFacts = BusCheck<{
  readonly state: 'running' | 'activatable' | 'absent';
  readonly securityLevel: string | null;
  readonly version: number | null;
}>;

export type TrayFacts = BusCheck<{ readonly watcher: boolean; readonly host: boolean }>;

export type PolkitFacts = {
  readonly policy: FileProbe;
  /** exec.path annotations of the installed policy; null when it cannot be read. */
  readonly policyExecPaths: readonly string[] | null;
  /** Helper verbs whose action the installed policy lacks. */
  readonly policyMissingVerbs: readonly string[];
  readonly pkexec: FileProbe;
  readonly helper: FileProbe;
};

export type PowerFacts = {
  readonly bdf: string;
  readonly driver: string | null;
  /** power/control: 'auto' lets runtime PM suspend it, 'on' keeps it powered. */
  readonly control: string | null;
  readonly d3coldAllowed: string | null;
  readonly runtimeStatus: string | null;
};

export type DoctorFacts = {
  readonly kernelRelease: string | null;
  /** PRETTY_NAME of /etc/os-release under the root. */
  readonly osRelease: string | null;
  readonly inventory: Inventory;
  readonly clients: ClientsReport;
  readonly nvidia: NvidiaFacts;
  /** /sys/module/amdgpu/parameters/runpm (-1 auto, 0 off …); null when unreadable. */
  readonly amdgpuRunpm: string | null;
  readonly udevRunning: boolean;
  readonly journal: JournalFacts;
  readonly kernelLog: KernelLogFacts;
  readonly bolt: BoltFacts;
  readonly tray: TrayFacts;
  readonly polkit: PolkitFacts;
  /** polkit agents seen in the process table (only a guess: agents register on the bus). */
  readonly agents: readonly SessionProcess[];
  readonly power: readonly PowerFacts[];
  readonly session: DetectedSession;
  readonly holds: readonly CompositorHold[];
  /** /etc/egpu-guard/removable.conf, as the helper will read it. */
  readonly removableList: AdminRemovable;
  /**
   * The folder of the source checkout eGPU Guard runs from (`node bin/egpu.js`, `npm start`), or
   * null/absent when a package installed it: a missing helper or policy is then installed from
   * that checkout, not from a package.
   */
  readonly checkout?: string | null;
  /** The user's hooks folder (docs/hooks.md) as eGPU Guard would run it; absent: not looked at. */
  readonly hooks?: HookListing | null;
};
