// Test and demo support: a scenario written into a fresh temporary folder, with its SystemRoot.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSystemRoot, type SystemRoot } from '../platform/system-root.js';
import type { Scenario } from './scenario.js';
import { writeScenario } from './sysroot-writer.js';

export type SysrootFixture = {
  readonly dir: string;
  readonly root: SystemRoot;
  readonly scenario: Scenario;
  /** Host path of a target path inside the sysroot. */
  host(target: string): string;
  cleanup(): void;
};

/** `parent`: the folder it is made in (default the system's temporary folder). */
export function makeSysroot(
  scenario: Scenario,
  options: { proc?: string; parent?: string } = {},
): SysrootFixture {
  const dir = fs.mkdtempSync(path.join(options.parent ?? os.tmpdir(), `egpu-${scenario.name}-`));
  writeScenario(dir, scenario);
  const root = createSystemRoot({
    root: dir,
    ...(options.proc === undefined ? {} : { proc: options.proc }),
  });
  return {
    dir: root.root,
    root,
    scenario,
    host: (target) => path.join(root.root, target),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes /etc/egpu-guard/removable.conf in the sysroot with exactly these permission bits. */
export function writeRemovableList(f: SysrootFixture, text: string, mode = 0o644): void {
  fs.mkdirSync(f.host('/etc/egpu-guard'), { recursive: true, mode: 0o755 });
  fs.writeFileSync(f.host('/etc/egpu-guard/removable.conf'), text, { mode });
  fs.chmodSync(f.host('/etc/egpu-guard/removable.conf'), mode); // past the umask
}
