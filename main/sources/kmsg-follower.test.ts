// The kmsg follower on a stand-in /dev/kmsg under a test --root (a regular file and a FIFO), and
// on the machine's real /dev/kmsg when it is readable (read only: nothing is written to it).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { probeKmsg } from '../platform/kmsg-reader.js';
import { createSystemRoot } from '../platform/system-root.js';
import type { EventSource, KernelRecord } from '../common/source-events.js';
import { createKmsgFollower } from './kmsg-follower.js';
import { createCollector, type Collector } from './test/collect.js';

const isKernel = (e: { source: string }): e is KernelRecord => e.source === 'kernel';
const BOOT = '5f1d6c0a-2b8e-4a41-9d0e-8f1b2c3d4e5f';
const rec = (seq: number, text: string, dict = ''): string =>
  `6,${seq},${seq * 1000},-;${text}\n${dict}`;

let dir: string;
let kmsg: string;
const sources: EventSource[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-kmsg-'));
  fs.mkdirSync(path.join(dir, 'dev'));
  fs.mkdirSync(path.join(dir, 'proc/sys/kernel/random'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'proc/sys/kernel/random/boot_id'), `${BOOT}\n`);
  kmsg = path.join(dir, 'dev/kmsg');
});
afterEach(() => {
  for (const s of sources.splice(0)) s.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function follow(
  c: Collector,
  seqPath: string | null = path.join(dir, 'state/kmsg-seq'),
  root = dir,
) {
  const s = createKmsgFollower({
    root: createSystemRoot({ root }),
    clock: systemClock,
    onEvent: c.onEvent,
    seqPath,
    pollMs: 20,
    persistDelayMs: 10,
  });
  sources.push(s);
  s.start();
  return s;
}

describe('kmsg follower', () => {
  it('starts at the end, then delivers new records with device and priority', async () => {
    fs.writeFileSync(kmsg, rec(1, 'old one') + rec(2, 'old two'));
    const c = createCollector();
    follow(c);
    await new Promise((r) => setTimeout(r, 100));
    fs.appendFileSync(
      kmsg,
      rec(
        3,
        'amdgpu 0000:06:00.0: amdgpu: GPU reset begin!',
        ' SUBSYSTEM=pci\n DEVICE=+pci:0000:06:00.0\n',
      ),
    );
    fs.appendFileSync(kmsg, '3,4,4000,-;thunderbolt 0-1: \\xff name\n');
    const got = await c.waitFor(isKernel, 2);
    expect(got[0]).toMatchObject({
      transport: 'kmsg',
      message: 'amdgpu 0000:06:00.0: amdgpu: GPU reset begin!',
      priority: 6,
      sequence: '3',
      monotonicUs: '3000',
      kernelDevice: '+pci:0000:06:00.0',
      kernelSubsystem: 'pci',
    });
    expect(got[1]).toMatchObject({
      message: 'thunderbolt 0-1: \ufffd name',
      priority: 3,
      lossy: true,
    });
    expect(c.of('kernel')).toHaveLength(2);
  });

  it('resumes after the saved sequence of the same boot, and starts at the end after a reboot', async () => {
    fs.writeFileSync(kmsg, rec(1, 'a'));
    const c1 = createCollector();
    const f1 = follow(c1);
    await new Promise((r) => setTimeout(r, 60));
    fs.appendFileSync(kmsg, rec(2, 'b') + rec(3, 'c'));
    await c1.waitFor(isKernel, 2);
    f1.dispose();
    expect(fs.readFileSync(path.join(dir, 'state/kmsg-seq'), 'utf8')).toBe(
      `${BOOT.replaceAll('-', '')}:3`,
    );

    fs.appendFileSync(kmsg, rec(4, 'd'));
    const c2 = createCollector();
    follow(c2);
    fs.appendFileSync(kmsg, rec(5, 'e'));
    await c2.waitFor(isKernel, 2);
    await new Promise((r) => setTimeout(r, 60));
    expect(c2.of('kernel').map((r) => r.message)).toEqual(['d', 'e']);

    // A new boot: the saved sequence means nothing any more.
    fs.writeFileSync(
      path.join(dir, 'proc/sys/kernel/random/boot_id'),
      '00000000-0000-0000-0000-000000000001\n',
    );
    const c3 = createCollector();
    follow(c3);
    await new Promise((r) => setTimeout(r, 60));
    fs.appendFileSync(kmsg, rec(6, 'f'));
    await c3.waitFor(isKernel, 1);
    expect(c3.of('kernel').map((r) => r.message)).toEqual(['f']);
  });

  it('reads records written one by one into a FIFO', async () => {
    execFileSync('mkfifo', [kmsg]);
    const c = createCollector();
    follow(c, null);
    await c.waitFor((e) => e.source === 'status' && e.state === 'running');
    const fd = fs.openSync(kmsg, 'w');
    try {
      for (let i = 1; i <= 5; i++) fs.writeSync(fd, rec(i, `line ${i}`));
      await c.waitFor(isKernel, 5);
    } finally {
      fs.closeSync(fd);
    }
    expect(c.of('kernel').map((r) => r.message)).toEqual([
      'line 1',
      'line 2',
      'line 3',
      'line 4',
      'line 5',
    ]);
  });

  it('is unavailable when there is no /dev/kmsg', async () => {
    const c = createCollector();
    follow(c);
    const [u] = await c.waitFor((e) => e.source === 'status' && e.state === 'unavailable');
    expect(u?.source === 'status' && u.detail).toMatch(/ENOENT/);
  });

  it.skipIf(!probeKmsg('/dev/kmsg').ok)(
    'opens the real /dev/kmsg and skips its backlog',
    async () => {
      const c = createCollector();
      follow(c, null, '/');
      await c.waitFor((e) => e.source === 'status' && e.state === 'running');
      await new Promise((r) => setTimeout(r, 150));
      // The backlog (hundreds of boot messages) is drained without being delivered.
      expect(c.of('kernel').length).toBeLessThan(5);
      expect(c.statuses('kmsg')).toEqual(['starting', 'running']);
    },
  );
});
