// The text-log fallback (platform/file-follow.ts) on real files: stamps stripped, rotation by rename
// and re-creation survived, and the file picked under a --root.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { createSystemRoot } from '../platform/system-root.js';
import type { EventSource, KernelRecord } from '../common/source-events.js';
import { createCollector } from './test/collect.js';
import { createTextLogFollower, findTextLog } from './text-log-follower.js';

const isKernel = (e: { source: string }): e is KernelRecord => e.source === 'kernel';
let dir: string;
const sources: EventSource[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-textlog-'));
});
afterEach(() => {
  for (const s of sources.splice(0)) s.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function follow(file: string, fromBeginning = false) {
  const c = createCollector();
  const s = createTextLogFollower({
    clock: systemClock,
    onEvent: c.onEvent,
    hostPath: file,
    fromBeginning,
    checkMs: 50,
  });
  sources.push(s);
  s.start();
  return c;
}
const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

describe('text log follower', () => {
  it('starts at the end and strips syslog and dmesg stamps', async () => {
    const file = path.join(dir, 'kern.log');
    fs.writeFileSync(file, 'Jun 15 10:00:00 laptop kernel: [  100.000000] old line\n');
    const c = follow(file);
    await settle();
    fs.appendFileSync(
      file,
      'Jun 15 10:00:01 laptop kernel: [ 8123.401991] pcieport 0000:00:07.0: pciehp: Slot(4): Link Down\n' +
        '2025-06-15T10:00:02.123456+02:00 laptop kernel: NVRM: Xid (PCI:0000:0a:00): 79, GPU has fallen off the bus.\n',
    );
    const got = await c.waitFor(isKernel, 2);
    expect(got.map((r) => r.message)).toEqual([
      'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
      'NVRM: Xid (PCI:0000:0a:00): 79, GPU has fallen off the bus.',
    ]);
    expect(got[0]?.transport).toBe('text');
  });

  it('survives rotation: rename, re-create, and reads the new file from its first line', async () => {
    const file = path.join(dir, 'kern.log');
    fs.writeFileSync(file, '');
    const c = follow(file);
    await settle();
    fs.appendFileSync(file, 'Jun 15 10:00:00 h kernel: before rotation\n');
    await c.waitFor(isKernel, 1);
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, 'Jun 15 10:00:05 h kernel: first in the new file\n');
    fs.appendFileSync(file, 'Jun 15 10:00:06 h kernel: second in the new file\n');
    await c.waitFor(isKernel, 3);
    fs.appendFileSync(file, 'Jun 15 10:00:07 h kernel: appended later\n');
    await c.waitFor(isKernel, 4);
    await settle();
    expect(c.of('kernel').map((r) => r.message)).toEqual([
      'before rotation',
      'first in the new file',
      'second in the new file',
      'appended later',
    ]);
    expect(c.events.some((e) => e.source === 'status' && e.detail.includes('(rotated)'))).toBe(
      true,
    );
  });

  it('waits for a missing file and reads a recorded log from the beginning (--kernel-log FILE)', async () => {
    const file = path.join(dir, 'later.log');
    const c = follow(file, true);
    await c.waitFor((e) => e.source === 'status' && e.state === 'degraded');
    fs.writeFileSync(
      file,
      '[ 1.000000] thunderbolt 0-1: new device found, vendor=0x41 device=0x305\n',
    );
    const got = await c.waitFor(isKernel, 1);
    expect(got[0]?.message).toBe('thunderbolt 0-1: new device found, vendor=0x41 device=0x305');
  });

  it('sees an Xid right after 10 MB of NUL bytes (ext4 after a crash), CPU bounded', async () => {
    const file = path.join(dir, 'kern.log');
    fs.writeFileSync(file, 'Jun 15 10:00:00 h kernel: before the crash\n');
    const c = follow(file);
    await settle();
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    fs.appendFileSync(file, Buffer.alloc(10 * 1024 * 1024));
    fs.appendFileSync(
      file,
      'Jun 15 10:05:00 h kernel: NVRM: Xid (PCI:0000:0a:00): 79, GPU has fallen off the bus.\n',
    );
    const got = await c.waitFor(isKernel, 1);
    const cpu = process.cpuUsage(cpu0);
    expect(got.map((r) => r.message)).toEqual([
      'NVRM: Xid (PCI:0000:0a:00): 79, GPU has fallen off the bus.',
    ]);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(1500);
  });

  it('caps a huge line and keeps following; survives truncation; nothing lost or twice', async () => {
    const file = path.join(dir, 'kern.log');
    fs.writeFileSync(file, '');
    const c = follow(file);
    await settle();
    fs.appendFileSync(file, `Jun 15 10:00:00 h kernel: ${'x'.repeat(3 * 1024 * 1024)}\n`);
    fs.appendFileSync(file, 'Jun 15 10:00:01 h kernel: after the long line\r\n');
    const got = await c.waitFor(isKernel, 2);
    expect(got[0]!.message.length).toBeLessThanOrEqual(64 * 1024);
    expect(got[1]!.message).toBe('after the long line');
    fs.truncateSync(file, 0);
    await settle();
    fs.appendFileSync(file, 'Jun 15 10:00:02 h kernel: after truncation\n');
    await c.waitFor(isKernel, 3);
    // Lines the writer adds to the old file before letting go of it are read too.
    fs.appendFileSync(file, 'Jun 15 10:00:03 h kernel: last in the old file\n');
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, 'Jun 15 10:00:04 h kernel: first in the new file\n');
    await c.waitFor(isKernel, 5);
    await settle();
    expect(
      c
        .of('kernel')
        .map((r) => r.message)
        .slice(1),
    ).toEqual([
      'after the long line',
      'after truncation',
      'last in the old file',
      'first in the new file',
    ]);
  });

  it('picks /var/log/kern.log before /var/log/messages under the root', () => {
    const root = createSystemRoot({ root: dir });
    expect(findTextLog(root)).toBeNull();
    fs.mkdirSync(path.join(dir, 'var/log'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'var/log/messages'), '');
    expect(findTextLog(root)).toBe(path.join(root.root, 'var/log/messages'));
    fs.writeFileSync(path.join(dir, 'var/log/kern.log'), '');
    expect(findTextLog(root)).toBe(path.join(root.root, 'var/log/kern.log'));
  });
});
