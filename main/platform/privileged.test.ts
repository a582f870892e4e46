// The pkexec port with real child processes: the real helper on a test root, a helper hung in
// open() on a FIFO planted where the sysfs attribute should be (the watchdog ends it in
// driver-stuck while this event loop keeps ticking), and small fake pkexec programs for pkexec's
// own exit codes and for the auth-dialog timing. Real pkexec runs in polkit-pkexec.test.ts.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPER_INSTALL_PATH, HELPER_READY_LINE } from '../common/helper-contract.js';
import { makeRoot } from '../helper/test/helper-fixture.js';
import { tb3Nvidia } from '../sim/scenarios/tb3-nvidia.js';
import { pciDevicePath } from '../sim/sysroot-writer.js';
import { createNodeCommandRunner } from './command-runner.js';
import { createPrivilegedRunner, nodeForHelper } from './privileged.js';

const runner = createNodeCommandRunner();

/** Counts timer ticks while `work` runs: the longest gap shows whether the loop stayed free. */
async function whileTicking<T>(
  work: () => Promise<T>,
): Promise<{ value: T; maxGapMs: number; ms: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 20);
  const started = performance.now();
  try {
    const value = await work();
    return { value, maxGapMs, ms: performance.now() - started };
  } finally {
    clearInterval(tick);
  }
}

describe('privileged runner with a test root (real helper)', () => {
  let root: ReturnType<typeof makeRoot>;
  beforeAll(() => (root = makeRoot(tb3Nvidia)));
  afterAll(() => root.cleanup());
  const dev = (): string => path.join(root.dir, pciDevicePath(tb3Nvidia, '0000:0a:00.0'));

  it('runs a verb and maps refusals and kernel errors', async () => {
    const priv = createPrivilegedRunner({ runner, testRoot: root.dir, stepTimeoutMs: 10_000 });
    const ok = await priv.run('rescan', []);
    expect(ok.ok && ok.value.stderr).toMatch(/rescan: PCI buses rescanned/);
    expect(fs.readFileSync(path.join(root.dir, 'sys/bus/pci/rescan'), 'utf8')).toBe('1\n');

    const refused = await priv.run('remove', ['0000:00:02.0']);
    expect(refused.ok ? null : refused.error.code).toBe('invalid-input');
    expect(refused.ok ? '' : refused.error.message).toMatch(
      /^remove: 0000:00:02.0 is not removable/,
    );

    fs.rmSync(`${dev()}/remove`);
    fs.mkdirSync(`${dev()}/remove`);
    const failed = await priv.run('remove', ['0000:0a:00.0']);
    expect(failed.ok ? null : failed.error).toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/EISDIR/),
    });
    fs.rmdirSync(`${dev()}/remove`);
    fs.writeFileSync(`${dev()}/remove`, '');
  });

  it.each(['remove', 'unbind'] as const)(
    'ends a %s hung in the kernel in driver-stuck while the loop stays responsive',
    async (verb) => {
      // The FIFO stands where the kernel attribute is: the helper's open() blocks like a write
      // NVIDIA holds up waiting for its usage count.
      const file =
        verb === 'remove'
          ? `${dev()}/remove`
          : path.join(root.dir, 'sys/bus/pci/drivers/nvidia/unbind');
      const saved = fs.readFileSync(file);
      fs.rmSync(file);
      execFileSync('/usr/bin/mkfifo', [file]);
      try {
        const stepTimeoutMs = 1000;
        const priv = createPrivilegedRunner({ runner, testRoot: root.dir, stepTimeoutMs });
        const {
          value: r,
          maxGapMs,
          ms,
        } = await whileTicking(() => priv.run(verb, ['0000:0a:00.0']));
        expect(r.ok ? null : r.error.code).toBe('driver-stuck');
        expect(r.ok ? '' : r.error.message).toMatch(
          /stuck inside the kernel.*usage count.*reboot/s,
        );
        expect(ms).toBeGreaterThanOrEqual(stepTimeoutMs - 50);
        expect(ms).toBeLessThan(stepTimeoutMs + 2000);
        expect(maxGapMs).toBeLessThan(250);
      } finally {
        fs.rmSync(file);
        fs.writeFileSync(file, saved);
      }
    },
  );
});

describe('the Node that runs the demo helper', () => {
  it('is this Node, or under Electron the system Node — never Electron run as Node', () => {
    expect(nodeForHelper()).toBe(process.execPath);
    const versions = process.versions as Record<string, string | undefined>;
    Object.defineProperty(versions, 'electron', { value: '41.7.1', configurable: true });
    try {
      expect(nodeForHelper()).toBe('/usr/bin/node');
    } finally {
      Reflect.deleteProperty(versions, 'electron');
    }
  });

  it('says so when that Node is not installed, and runs nothing', async () => {
    const priv = createPrivilegedRunner({
      runner,
      testRoot: os.tmpdir(),
      stepTimeoutMs: 1000,
      nodePath: '/nonexistent/node',
    });
    const r = await priv.run('rescan', []);
    expect(r.ok ? null : r.error).toMatchObject({
      code: 'unsupported',
      message: expect.stringMatching(
        /system's Node \(\/nonexistent\/node\), which is not installed/,
      ),
    });
  });
});

describe('privileged runner through a fake pkexec', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-fake-pkexec-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A pkexec stand-in: a shell script that records how it was called, then does `body`. */
  function fakePkexec(name: string, body: string): string {
    const file = path.join(tmp, name);
    const record = `printf '%s\\n' "$@" > ${tmp}/${name}.argv; env > ${tmp}/${name}.env`;
    fs.writeFileSync(file, `#!/bin/sh\n${record}\n${body}\n`, { mode: 0o755 });
    return file;
  }
  const READY = `echo '${HELPER_READY_LINE}'`;
  const run = (pkexecPath: string, verb: 'remove' | 'restart-unit' = 'remove', extra = {}) =>
    createPrivilegedRunner({ runner, pkexecPath, stepTimeoutMs: 500, ...extra }).run(
      verb,
      verb === 'remove' ? ['0000:0a:00.0'] : ['display-manager'],
    );

  it('spawns pkexec directly with the helper path and a minimal environment', async () => {
    const r = await run(
      fakePkexec('ok', `${READY}; echo 'egpu-guard-helper: remove 0000:0a:00.0: removed' >&2`),
    );
    expect(r.ok && r.value.stderr).toMatch(/removed/);
    expect(fs.readFileSync(`${tmp}/ok.argv`, 'utf8')).toBe(
      `${HELPER_INSTALL_PATH}\nremove\n0000:0a:00.0\n`,
    );
    const env = fs.readFileSync(`${tmp}/ok.env`, 'utf8');
    expect(env).toMatch(/^LANG=C\.UTF-8$/m);
    expect(env).not.toMatch(/^(PKEXEC_UID|HOME|DISPLAY|NODE_OPTIONS)=/m);
  });

  it('maps pkexec and helper exit codes', async () => {
    const cases: [string, string, string, RegExp][] = [
      ['dismissed', 'exit 126', 'auth-dismissed', /^You dismissed the authentication dialog$/],
      [
        'noagent',
        `echo 'Error executing command as another user: No authentication agent found.' >&2; exit 127`,
        'not-authorized',
        /^Not authorized, or no polkit authentication agent is running$/,
      ],
      [
        'missing',
        `echo 'Cannot run program ${HELPER_INSTALL_PATH}: No such file or directory' >&2; exit 127`,
        'unsupported',
        /not installed/,
      ],
      [
        'busy',
        `${READY}; echo 'egpu-guard-helper: writing 1 failed: EBUSY' >&2; exit 1`,
        'command-failed',
        /^writing 1 failed: EBUSY$/,
      ],
      [
        'refused',
        `${READY}; echo 'egpu-guard-helper: remove: nope' >&2; exit 2`,
        'invalid-input',
        /^remove: nope$/,
      ],
      ['crashed', `${READY}; exit 70`, 'internal', /exit 70/],
    ];
    for (const [name, body, code, message] of cases) {
      const r = await run(fakePkexec(name, body));
      expect(r.ok ? null : r.error.code, name).toBe(code);
      expect(r.ok ? '' : r.error.message, name).toMatch(message);
    }
    const none = await run(path.join(tmp, 'no-such-pkexec'));
    expect(none.ok ? null : none.error.code).toBe('unsupported');
  });

  it('starts the step watchdog only when the helper runs, not while the dialog is open', async () => {
    // 1.5 s "typing the password" is longer than the 0.5 s step limit, and still fine.
    const slowAuth = await run(fakePkexec('slow', `sleep 1.5; ${READY}`));
    expect(slowAuth.ok).toBe(true);
    const stuck = await whileTicking(() => run(fakePkexec('stuck', `${READY}; exec sleep 30`)));
    expect(stuck.value.ok ? null : stuck.value.error.code).toBe('driver-stuck');
    expect(stuck.ms).toBeLessThan(500 + 2000);
    expect(stuck.maxGapMs).toBeLessThan(250);
    const unit = await run(fakePkexec('unit', `${READY}; exec sleep 30`), 'restart-unit');
    expect(unit.ok ? null : unit.error.code).toBe('timeout');
    const unanswered = await run(fakePkexec('unanswered', 'exec sleep 30'), 'remove', {
      authTimeoutMs: 300,
    });
    expect(unanswered.ok ? null : unanswered.error).toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/authentication dialog/),
    });
  });
});
