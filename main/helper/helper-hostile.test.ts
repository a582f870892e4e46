// Hostile arguments: every one is refused with exit 2, one line on stderr, and the test root stays
// byte-for-byte the same (the whole tree is fingerprinted before and after). Each case runs through
// the real child process (bin/egpu-guard-helper.js) and in-process; NUL cannot cross execve, so
// that one runs in-process only.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dgpuNvidiaEgpu } from '../sim/scenarios/dgpu-nvidia-egpu.js';
import { lab } from '../sim/scenarios/lab.js';
import { tb3Nvidia } from '../sim/scenarios/tb3-nvidia.js';
import {
  changedEntries,
  makeRoot,
  runInProcess,
  runProcess,
  snapshot,
  type HelperRun,
} from './test/helper-fixture.js';

/** Dozens of real Node children, and a 6,000-file tree hashed twice: generous on a busy machine. */
const SLOW = 120_000;

type Case = {
  name: string;
  args: readonly string[];
  env?: Record<string, string>;
  inProcessOnly?: boolean;
};

/** tb3-nvidia: iGPU 00:02.0 (boot VGA), NVMe 02:00.0, USB 00:14.0 and 3c:00.0, root port 1c.4,
 * hot-plug port 06:01.0, enclosure 08:00.0 → 09:01.0 → 0a:00.0 (RTX 3070) + 0a:00.1. */
const TB3_CASES: Case[] = [
  // path traversal
  { name: 'traversal in BDF', args: ['remove', '../../../etc/passwd'] },
  { name: 'BDF with a path tail', args: ['remove', '0000:0a:00.0/../../x'] },
  { name: 'BDF with ..', args: ['unbind', '0000:0a:00.0/..'] },
  { name: 'bare ..', args: ['unbind', '..'] },
  { name: 'card traversal', args: ['drm-release', '../card1'] },
  { name: 'card with a path tail', args: ['drm-release', 'card1/../card0'] },
  { name: 'router traversal', args: ['tb-authorize', '../0-1'] },
  { name: 'router with a path tail', args: ['tb-deauthorize', '0-1/../../../x'] },
  { name: 'driver traversal', args: ['bind', '0000:0a:00.0', '../nvidia'] },
  { name: 'module traversal', args: ['module-load', '../../x'] },
  // injection
  { name: 'shell list', args: ['remove', ';rm -rf /'] },
  { name: 'BDF then shell', args: ['remove', '0000:0a:00.0;rm -rf /'] },
  { name: 'command substitution', args: ['remove', '$(touch /tmp/egpu-pwned)'] },
  { name: 'backticks', args: ['rescan', '`id`'] },
  { name: 'unit with shell', args: ['restart-unit', 'display-manager; reboot'] },
  { name: 'module with shell', args: ['module-unload', 'nvidia && reboot'] },
  // newlines and case
  { name: 'trailing newline', args: ['remove', '0000:0a:00.0\n'] },
  { name: 'two BDFs on two lines', args: ['unbind', '0000:0a:00.0\n0000:00:02.0'] },
  { name: 'unit with newline', args: ['restart-unit', 'display-manager\n'] },
  { name: 'NUL byte', args: ['remove', '0000:0a:00.0\0'], inProcessOnly: true },
  { name: 'uppercase BDF', args: ['remove', '0000:0A:00.0'] },
  { name: 'short BDF', args: ['remove', '0a:00.0'] },
  // wrong targets
  { name: 'the NVMe drive', args: ['remove', '0000:02:00.0'] },
  { name: 'the USB controller', args: ['unbind', '0000:00:14.0'] },
  { name: 'the Thunderbolt USB controller', args: ['remove', '0000:3c:00.0'] },
  { name: 'the boot VGA iGPU (remove)', args: ['remove', '0000:00:02.0'] },
  { name: 'the boot VGA iGPU (unbind)', args: ['unbind', '0000:00:02.0'] },
  { name: 'the iGPU card', args: ['drm-release', 'card0'] },
  { name: 'the iGPU bind', args: ['bind', '0000:00:02.0', 'i915'] },
  { name: 'a root port outside the enclosure', args: ['remove', '0000:00:1c.4'] },
  { name: 'the hot-plug port above the enclosure', args: ['remove', '0000:06:01.0'] },
  { name: 'the host router', args: ['tb-authorize', '0-0'] },
  { name: 'the host router, deauthorized', args: ['tb-deauthorize', '0-0'] },
  // allow-lists
  { name: 'module off the list', args: ['module-load', 'evil'] },
  { name: 'one module off the list', args: ['module-unload', 'nvidia', 'snd_hda_intel'] },
  { name: 'a module twice', args: ['module-unload', 'nvidia', 'nvidia'] },
  { name: 'unit off the list', args: ['restart-unit', 'sshd'] },
  { name: 'unit of another type', args: ['restart-unit', 'display-manager.socket'] },
  { name: 'driver off the list', args: ['bind', '0000:0a:00.0', 'vfio-pci'] },
  { name: 'GPU driver on the audio function', args: ['bind', '0000:0a:00.1', 'nvidia'] },
  { name: 'audio driver on the GPU', args: ['bind', '0000:0a:00.0', 'snd_hda_intel'] },
  // shape
  { name: 'extra argument to rescan', args: ['rescan', 'now'] },
  { name: 'two BDFs', args: ['remove', '0000:0a:00.0', '0000:0a:00.1'] },
  { name: 'extra module to load', args: ['module-load', 'nvidia', 'nvidia_drm'] },
  { name: 'extra card', args: ['drm-release', 'card1', 'card2'] },
  { name: 'unknown verb', args: ['eject', '0000:0a:00.0'] },
  { name: 'verb in capitals', args: ['REMOVE', '0000:0a:00.0'] },
  { name: 'an option as verb', args: ['--help'] },
  { name: 'a shell as verb', args: ['sh', '-c', 'id'] },
  { name: 'empty verb', args: [''] },
  { name: 'missing BDF', args: ['remove'] },
  { name: 'missing driver', args: ['bind', '0000:0a:00.0'] },
  { name: 'missing router', args: ['tb-authorize'] },
  { name: 'missing module', args: ['module-unload'] },
  { name: 'missing unit', args: ['restart-unit'] },
];

/** Cases that need no test root in front (the root is added per case where marked). */
function withRoot(dir: string, c: Case): Case {
  return { ...c, args: ['--test-root', dir, ...c.args] };
}

function expectRefused(r: HelperRun): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^egpu-guard-helper: /);
}

async function expectAllRefused(dir: string, cases: readonly Case[]): Promise<void> {
  const before = snapshot(dir);
  for (const c of cases) expectRefused(runInProcess(c.args, c.env));
  expect(changedEntries(before, snapshot(dir))).toEqual([]);
  const viaProcess = cases.filter((c) => c.inProcessOnly !== true);
  // A few at a time: real children, without flooding a 2-core machine.
  for (let i = 0; i < viaProcess.length; i += 6) {
    const batch = viaProcess.slice(i, i + 6);
    const runs = await Promise.all(batch.map((c) => runProcess(c.args, c.env)));
    runs.forEach((r, j) => {
      expect(r.code, `${batch[j]?.name}: ${r.stderr}`).toBe(2);
      expectRefused(r);
    });
  }
  expect(changedEntries(before, snapshot(dir))).toEqual([]);
}

describe('helper refuses hostile arguments (tb3-nvidia)', () => {
  let root: ReturnType<typeof makeRoot>;
  beforeAll(() => (root = makeRoot(tb3Nvidia)));
  afterAll(() => root.cleanup());

  it(
    'refuses every hostile word with exit 2 and leaves the tree untouched',
    async () => {
      await expectAllRefused(
        root.dir,
        TB3_CASES.map((c) => withRoot(root.dir, c)),
      );
    },
    SLOW,
  );

  it(
    'refuses --test-root under pkexec, out of place, or pointing nowhere',
    async () => {
      const d = root.dir;
      await expectAllRefused(d, [
        {
          name: 'under PKEXEC_UID',
          args: ['--test-root', d, 'rescan'],
          env: { PKEXEC_UID: '1000' },
        },
        {
          name: 'under PKEXEC_UID=0',
          args: ['--test-root', d, 'rescan'],
          env: { PKEXEC_UID: '0' },
        },
        // Not first: refused as an extra argument before anything is looked at (and these verbs
        // would be harmless on the real machine even if they were not).
        { name: 'not first', args: ['drm-release', 'card99', '--test-root', d] },
        { name: 'as an argument', args: ['module-load', '--test-root', d] },
        { name: 'twice', args: ['--test-root', d, '--test-root', d, 'rescan'] },
        { name: 'without a folder', args: ['--test-root'] },
        { name: 'a missing folder', args: ['--test-root', path.join(d, 'nope'), 'rescan'] },
        { name: 'a file', args: ['--test-root', path.join(d, 'etc/passwd'), 'rescan'] },
        { name: 'the real root', args: ['--test-root', '/', 'rescan'] },
        { name: 'no verb', args: ['--test-root', d] },
        { name: 'nothing at all', args: [] },
      ]);
    },
    SLOW,
  );

  it(
    'refuses a PCI link that leaves /sys/devices/pci…',
    async () => {
      const link = path.join(root.dir, 'sys/bus/pci/devices/0000:0a:00.0');
      const saved = fs.readlinkSync(link);
      fs.unlinkSync(link);
      fs.mkdirSync(path.join(root.dir, 'etc/fake/0000:0a:00.0'), { recursive: true });
      fs.writeFileSync(path.join(root.dir, 'etc/fake/0000:0a:00.0/remove'), '');
      fs.symlinkSync('../../../../etc/fake/0000:0a:00.0', link);
      try {
        await expectAllRefused(root.dir, [
          { name: 'link outside', args: ['--test-root', root.dir, 'remove', '0000:0a:00.0'] },
        ]);
      } finally {
        fs.unlinkSync(link);
        fs.symlinkSync(saved, link);
        fs.rmSync(path.join(root.dir, 'etc/fake'), { recursive: true });
      }
    },
    SLOW,
  );
});

describe('helper refuses internal devices on other machines', () => {
  it(
    'never touches the internal NVIDIA dGPU of an Optimus laptop',
    async () => {
      const root = makeRoot(dgpuNvidiaEgpu);
      try {
        await expectAllRefused(
          root.dir,
          [
            { name: 'remove dGPU', args: ['remove', '0000:01:00.0'] },
            { name: 'unbind dGPU', args: ['unbind', '0000:01:00.0'] },
            { name: 'unbind dGPU audio', args: ['unbind', '0000:01:00.1'] },
            { name: 'bind dGPU', args: ['bind', '0000:01:00.0', 'nvidia'] },
            { name: 'dGPU card', args: ['drm-release', 'card1'] },
            { name: 'its root port', args: ['remove', '0000:00:01.0'] },
          ].map((c) => withRoot(root.dir, c)),
        );
      } finally {
        root.cleanup();
      }
    },
    SLOW,
  );

  it(
    'does not de-authorize in a domain without de-authorization (lab, domain1)',
    async () => {
      const root = makeRoot(lab);
      try {
        await expectAllRefused(root.dir, [
          withRoot(root.dir, { name: 'deauth 1-301', args: ['tb-deauthorize', '1-301'] }),
          withRoot(root.dir, { name: 'an NVMe behind a switch', args: ['remove', '0000:82:00.0'] }),
        ]);
      } finally {
        root.cleanup();
      }
    },
    SLOW,
  );
});
