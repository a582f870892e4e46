// The journal follower against the real journalctl following journal files that the real
// systemd-journal-remote writes (and appends to while we follow).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { createNodeCommandRunner } from '../platform/command-runner.js';
import { createSystemRoot } from '../platform/system-root.js';
import type { KernelRecord } from '../common/source-events.js';
import { createJournalFollower, type JournalFollower } from './journal-follower.js';
import { createCollector, type Collector } from './test/collect.js';
import {
  appendJournalEntries,
  journalRemoteAvailable,
  kernelEntry,
} from './test/journal-builder.js';

const isKernel = (e: { source: string }): e is KernelRecord => e.source === 'kernel';
const runner = createNodeCommandRunner();
const FAST = { initialMs: 50, maxMs: 400, stableMs: 60_000 };
const messages = (c: Collector): string[] => c.of('kernel').map((r) => r.message);
const range = (from: number, to: number, prefix = 'msg'): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);
const entries = (from: number, to: number, prefix = 'msg') =>
  range(from, to, prefix).map((m, i) => kernelEntry(from + i, m));

let dir: string;
let journal: string;
let cursorPath: string;
const followers: JournalFollower[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-journal-'));
  journal = path.join(dir, 'test.journal');
  cursorPath = path.join(dir, 'state', 'journal-cursor');
});
afterEach(() => {
  for (const f of followers.splice(0)) f.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function follow(c: Collector, extra: { journalDirectory?: string } = {}): JournalFollower {
  const f = createJournalFollower({
    runner,
    clock: systemClock,
    root: createSystemRoot({ root: dir }),
    onEvent: c.onEvent,
    cursorPath,
    backoff: FAST,
    persistDelayMs: 20,
    ...(extra.journalDirectory === undefined ? { journalFile: journal } : extra),
  });
  followers.push(f);
  f.start();
  return f;
}

const running = (c: Collector, n = 1) =>
  c.waitFor((e) => e.source === 'status' && e.name === 'journal' && e.state === 'running', n);

describe.skipIf(!journalRemoteAvailable())(
  'journal follower (journalctl --file, real files)',
  () => {
    it('starts at "now", then delivers appended kernel entries in order, binary MESSAGE included', async () => {
      await appendJournalEntries(journal, [
        ...entries(0, 3, 'old'),
        { ...kernelEntry(3, 'from syslog'), _TRANSPORT: 'syslog' },
      ]);
      const c = createCollector();
      follow(c);
      await running(c);
      await appendJournalEntries(journal, [
        kernelEntry(10, 'amdgpu 0000:06:00.0: amdgpu: amdgpu: finishing device.', {
          PRIORITY: '4',
          _KERNEL_DEVICE: '+pci:0000:06:00.0',
          _KERNEL_SUBSYSTEM: 'pci',
        }),
        { ...kernelEntry(11, 'a userspace line'), _TRANSPORT: 'stdout' },
        kernelEntry(12, Buffer.from([...Buffer.from('thunderbolt 0-1: '), 0xff, 0x41])),
        kernelEntry(13, 'line one\nline two'),
      ]);
      const got = await c.waitFor(isKernel, 3);
      expect(got.map((r) => r.message)).toEqual([
        'amdgpu 0000:06:00.0: amdgpu: amdgpu: finishing device.',
        'thunderbolt 0-1: \ufffdA',
        'line one\nline two',
      ]);
      expect(got[0]).toMatchObject({
        transport: 'journal',
        priority: 4,
        kernelDevice: '+pci:0000:06:00.0',
        kernelSubsystem: 'pci',
        bootId: '0123456789abcdef0123456789abcdef',
      });
      expect(got[1]?.lossy).toBe(true);
      expect(got.every((r) => typeof r.cursor === 'string')).toBe(true);
    });

    it('SIGKILL of journalctl mid-stream: after the automatic restart every entry arrives exactly once, in order', async () => {
      await appendJournalEntries(journal, entries(0, 1, 'seed'));
      const c = createCollector();
      const f = follow(c);
      await running(c);
      await appendJournalEntries(journal, entries(0, 400));
      await c.waitFor(isKernel, 20);
      const pid = f.childPid();
      expect(pid).toBeGreaterThan(0);
      process.kill(pid ?? 0, 'SIGKILL');
      // Written while no journalctl runs.
      await appendJournalEntries(journal, entries(400, 450));
      await c.waitFor((e) => e.source === 'status' && e.state === 'restarting');
      await running(c, 2);
      await appendJournalEntries(journal, entries(450, 500));
      await c.waitFor(isKernel, 500);
      await new Promise((r) => setTimeout(r, 200));
      expect(messages(c)).toEqual(range(0, 500));
      expect(f.childPid()).not.toBe(pid);
    });

    it('resumes after a restart of the follower object from the cursor file', async () => {
      await appendJournalEntries(journal, entries(0, 2, 'before'));
      const c1 = createCollector();
      const f1 = follow(c1);
      await running(c1);
      await appendJournalEntries(journal, entries(0, 5));
      await c1.waitFor(isKernel, 5);
      f1.dispose();
      const saved = fs.readFileSync(cursorPath, 'utf8');
      expect(saved).toBe(c1.of('kernel').at(-1)?.cursor);

      await appendJournalEntries(journal, entries(5, 9)); // while the app is not running
      const c2 = createCollector();
      follow(c2);
      await running(c2);
      await appendJournalEntries(journal, entries(9, 12));
      await c2.waitFor(isKernel, 7);
      await new Promise((r) => setTimeout(r, 200));
      expect(messages(c2)).toEqual(range(5, 12));
      expect(c2.events.find((e) => e.source === 'status' && e.state === 'running')).toMatchObject({
        detail: expect.stringContaining('resuming after the saved cursor') as unknown,
      });
    });

    it('drops a cursor journalctl rejects and follows from now', async () => {
      await appendJournalEntries(journal, entries(0, 2, 'old'));
      fs.mkdirSync(path.dirname(cursorPath), { recursive: true });
      fs.writeFileSync(cursorPath, 'not-a-cursor');
      const c = createCollector();
      follow(c);
      await c.waitFor((e) => e.source === 'status' && e.state === 'degraded');
      await running(c, 2);
      await appendJournalEntries(journal, entries(0, 3));
      await c.waitFor(isKernel, 3);
      expect(messages(c)).toEqual(range(0, 3));
      await new Promise((r) => setTimeout(r, 100));
      expect(fs.readFileSync(cursorPath, 'utf8')).toBe(c.of('kernel').at(-1)?.cursor);
    });

    it('follows from the start of a journal that has no kernel entry yet', async () => {
      await appendJournalEntries(journal, [
        { ...kernelEntry(0, 'not kernel'), _TRANSPORT: 'journal' },
      ]);
      const c = createCollector();
      follow(c);
      await running(c);
      await appendJournalEntries(journal, entries(1, 4));
      await c.waitFor(isKernel, 3);
      expect(messages(c)).toEqual(range(1, 4));
    });

    it('"No journal files were found" (exit 0) → unavailable, with the reason; no child is started', async () => {
      const empty = path.join(dir, 'empty');
      fs.mkdirSync(empty);
      const c = createCollector();
      const f = follow(c, { journalDirectory: empty });
      const [u] = await c.waitFor((e) => e.source === 'status' && e.state === 'unavailable');
      expect(u).toMatchObject({
        name: 'journal',
        detail: expect.stringMatching(/no journal files were found/) as unknown,
      });
      expect(f.childPid()).toBeUndefined();
    });

    it('a missing journal file → unavailable', async () => {
      const c = createCollector();
      follow(c);
      const [u] = await c.waitFor((e) => e.source === 'status' && e.state === 'unavailable');
      expect(u?.source === 'status' && u.detail).toMatch(
        /journalctl exited with 1: Failed to open files/,
      );
    });
  },
);
