// Test support for `egpu doctor`: a scenario sysroot made ready (or broken) piece by piece —
// the helper, the polkit policy and pkexec installed with real modes, udevd's control socket,
// NVIDIA's /proc files, a kernel journal written by the real systemd-journal-remote.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { HELPER_INSTALL_PATH, PKEXEC_PATH } from '../../../common/helper-contract.js';
import { createNodeCommandRunner } from '../../../platform/command-runner.js';
import { createSystemRoot } from '../../../platform/system-root.js';
import { scenarioByName } from '../../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../../sim/sysroot-fixture.js';
import { appendJournalEntries, kernelEntry } from '../../../sources/test/journal-builder.js';
import { POLICY_INSTALL_PATH, type DoctorFacts } from '../doctor-model.js';
import { runDoctorChecks, type DoctorResult } from '../doctor.js';
import { gatherDoctorFacts, type DoctorDeps } from '../gather.js';

export const REPO_POLICY = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../../../assets/polkit/io.github.egpuguard.policy',
);

export function scenarioRoot(name: string): SysrootFixture {
  const s = scenarioByName(name);
  if (s === undefined) throw new Error(`no scenario ${name}`);
  return makeSysroot(s);
}

function put(f: SysrootFixture, target: string, content: string, mode: number): void {
  const host = f.host(target);
  fs.mkdirSync(path.dirname(host), { recursive: true });
  fs.writeFileSync(host, content);
  fs.chmodSync(host, mode);
}

/** What packaging installs: helper 0755, policy 0644, pkexec 04755, all root-owned. */
export function installPrivileged(
  f: SysrootFixture,
  parts = { helper: true, policy: true, pkexec: true },
): void {
  if (parts.helper) put(f, HELPER_INSTALL_PATH, '#!/usr/bin/env node\n', 0o755);
  if (parts.policy) put(f, POLICY_INSTALL_PATH, fs.readFileSync(REPO_POLICY, 'utf8'), 0o644);
  if (parts.pkexec) put(f, PKEXEC_PATH, '\x7fELF', 0o4755);
}

/** udevd's control socket stands for a running udevd (a plain file does for the check). */
export function startUdev(f: SysrootFixture): void {
  put(f, '/run/udev/control', '', 0o600);
}

export function writeNvidiaProc(
  f: SysrootFixture,
  versionLine: string,
  params: Record<string, string> = {},
): void {
  put(
    f,
    '/proc/driver/nvidia/version',
    `${versionLine}\nGCC version:  gcc version 12.2.0\n`,
    0o444,
  );
  const text = Object.entries(params)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  put(f, '/proc/driver/nvidia/params', `${text}\n`, 0o444);
}

export const NV_PROPRIETARY =
  'NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.154.05  Thu Dec 28 15:37:48 UTC 2023';
export const NV_OPEN =
  'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release Build  (dvs-builder@U16-I3-B03-4-3)  Thu Feb 22 01:25:25 UTC 2024';

/** Kernel messages in <root>/var/log/journal/<machine>/system.journal, as journald keeps them. */
export async function writeJournal(f: SysrootFixture, messages: readonly string[]): Promise<void> {
  const dir = f.host('/var/log/journal/0123456789abcdef0123456789abcdef');
  fs.mkdirSync(dir, { recursive: true });
  await appendJournalEntries(
    path.join(dir, 'system.journal'),
    messages.map((m, i) => kernelEntry(i + 1, m)),
  );
}

/** Facts of a sysroot; the process table is an empty folder unless `proc` names one. */
export function gather(
  f: SysrootFixture,
  over: Partial<Omit<DoctorDeps, 'root'>> & { proc?: string } = {},
): Promise<DoctorFacts> {
  const { proc, ...deps } = over;
  const root = createSystemRoot({ root: f.dir, proc: proc ?? f.host('/run') });
  return gatherDoctorFacts({
    root,
    runner: createNodeCommandRunner(),
    dbus: null,
    env: {},
    pid: process.pid,
    uid: 1000,
    sysroot: true,
    ...deps,
  });
}

/** Sysroots of one test file, removed after each test. */
export function sysrootPool(): { root(name: string): SysrootFixture; cleanup(): void } {
  const open: SysrootFixture[] = [];
  return {
    root(name) {
      const f = scenarioRoot(name);
      open.push(f);
      return f;
    },
    cleanup() {
      for (const f of open.splice(0)) f.cleanup();
    },
  };
}

/** The doctor's verdict on a sysroot, with id → severity of every finding. */
export async function severities(
  f: SysrootFixture,
  over: Parameters<typeof gather>[1] = {},
): Promise<{ map: Record<string, string>; result: DoctorResult }> {
  const result = runDoctorChecks(await gather(f, over));
  return { map: Object.fromEntries(result.findings.map((x) => [x.id, x.severity])), result };
}
