// Test support for the helper: scenario sysroots in temp folders, a byte-for-byte snapshot of a
// whole tree (files, modes, symlink targets, FIFOs), and the helper run in-process or as the real
// bin/egpu-guard-helper.js child process.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../../sim/scenario.js';
import { writeScenario } from '../../sim/sysroot-writer.js';
import { runHelper } from '../main.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const HELPER_BIN = path.join(REPO_ROOT, 'bin/egpu-guard-helper.js');
export const POLICY_FILE = path.join(REPO_ROOT, 'assets/polkit/io.github.egpuguard.policy');

export type HelperRun = { code: number; stdout: string; stderr: string };

export function makeRoot(scenario: Scenario): { dir: string; cleanup(): void } {
  const dir = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), `egpu-helper-${scenario.name}-`)),
  );
  writeScenario(dir, scenario);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Every entry under dir → a fingerprint of its kind, mode and content (or link target). `quick`
 * fingerprints files by size, inode and mtime instead of a content hash: any write(2) shows, at a
 * fraction of the cost on the 6,000-file lab scenario.
 */
export function snapshot(dir: string, quick = false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const p = path.join(dir, rel);
    const st = fs.lstatSync(p);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(rel, `link ${fs.readlinkSync(p)}`);
    else if (st.isDirectory()) {
      out.set(rel, `dir ${mode}`);
      for (const name of fs.readdirSync(p).sort()) walk(path.join(rel, name));
    } else if (st.isFile() && quick) {
      out.set(rel, `file ${mode} ${st.size} ${st.ino} ${st.mtimeMs}`);
    } else if (st.isFile()) {
      const hash = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
      out.set(rel, `file ${mode} ${st.size} ${hash}`);
    } else out.set(rel, `special ${mode} ${st.mode.toString(8)}`);
  };
  walk('.');
  return out;
}

/** Entries that differ between two snapshots (added, removed or changed). */
export function changedEntries(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

export function runInProcess(argv: readonly string[], env: Record<string, string> = {}): HelperRun {
  let stdout = '';
  let stderr = '';
  const code = runHelper(argv, env, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

/** bin/egpu-guard-helper.js as a real child (the vitest global setup built dist/). */
export function runProcess(
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<HelperRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HELPER_BIN, ...argv], {
      env: { PATH: '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Reads a file inside a sysroot (target path). */
export const readIn = (dir: string, target: string): string =>
  fs.readFileSync(path.join(dir, target), 'utf8');
