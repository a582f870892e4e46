// Transport selection with real parts: journalctl on an empty journal folder ("No journal files
// were found"), a stand-in /dev/kmsg and a kern.log under a test --root.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../platform/clock.js';
import { createNodeCommandRunner } from '../platform/command-runner.js';
import { createSystemRoot } from '../platform/system-root.js';
import type { KernelRecord, SourceStatusEvent } from '../common/source-events.js';
import {
  createKernelLogSource,
  type KernelLogSource,
  type KernelLogSourceOptions,
} from './kernel-log-source.js';
import { createCollector, type Collector } from './test/collect.js';

const isKernel = (e: { source: string }): e is KernelRecord => e.source === 'kernel';
const isChoice = (e: { source: string }): e is SourceStatusEvent =>
  e.source === 'status' && (e as SourceStatusEvent).name === 'kernel-log';
const runner = createNodeCommandRunner();
let dir: string;
let sources: KernelLogSource[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-klog-'));
  fs.mkdirSync(path.join(dir, 'journal'));
  fs.mkdirSync(path.join(dir, 'dev'));
  fs.mkdirSync(path.join(dir, 'var/log'), { recursive: true });
});
afterEach(() => {
  for (const s of sources) s.dispose();
  sources = [];
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(c: Collector, extra: Partial<KernelLogSourceOptions> = {}): KernelLogSource {
  const s = createKernelLogSource({
    runner,
    clock: systemClock,
    root: createSystemRoot({ root: dir }),
    onEvent: c.onEvent,
    cursorPath: null,
    kmsgSeqPath: null,
    journalDirectory: path.join(dir, 'journal'),
    pollMs: 20,
    ...extra,
  });
  sources.push(s);
  s.start();
  return s;
}

describe('kernel log source', () => {
  it('falls back from a journal without files to /dev/kmsg and says so', async () => {
    fs.writeFileSync(path.join(dir, 'dev/kmsg'), '');
    const c = createCollector();
    const s = open(c);
    const [running] = await c.waitFor((e) => isChoice(e) && e.state === 'running');
    // One source, one status: why the journal was passed over is in its detail, and the
    // followers it tried are not sources of their own ("journal: stopped" beside it).
    expect(running).toMatchObject({
      state: 'running',
      via: 'kmsg',
      detail: expect.stringMatching(
        /^reading the kernel log from kmsg \(journal: .*no journal files were found/,
      ) as unknown,
    });
    expect(s.via()).toBe('kmsg');
    await new Promise((r) => setTimeout(r, 100));
    const names = c.events.flatMap((e) => (e.source === 'status' ? [e.name] : []));
    expect(new Set(names)).toEqual(new Set(['kernel-log']));
    fs.appendFileSync(
      path.join(dir, 'dev/kmsg'),
      '6,9,9000,-;pcieport 0000:00:07.0: pciehp: Slot(4): Link Down\n',
    );
    const [r] = await c.waitFor(isKernel, 1);
    expect(r).toMatchObject({
      transport: 'kmsg',
      message: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
    });
  });

  it('uses kern.log when neither the journal nor /dev/kmsg can be read', async () => {
    const log = path.join(dir, 'var/log/kern.log');
    fs.writeFileSync(log, '');
    const c = createCollector();
    const s = open(c, { journalctlPath: path.join(dir, 'no-journalctl') });
    await c.waitFor((e) => isChoice(e) && e.state === 'running');
    expect(s.via()).toBe('text');
    fs.appendFileSync(log, 'Jun 15 10:00:01 laptop kernel: thunderbolt 0-1: device disconnected\n');
    const [r] = await c.waitFor(isKernel, 1);
    expect(r).toMatchObject({ transport: 'text', message: 'thunderbolt 0-1: device disconnected' });
  });

  it('is unavailable, with every reason, when nothing is readable', async () => {
    const c = createCollector();
    const s = open(c);
    const [u] = await c.waitFor((e) => isChoice(e) && e.state === 'unavailable');
    expect(u?.source === 'status' && u.detail).toMatch(
      /journal: no journal files.*kmsg: .*ENOENT.*text: no \/var\/log\/kern.log/,
    );
    expect(s.via()).toBeNull();
  });

  it('follows the order it is given', async () => {
    fs.writeFileSync(path.join(dir, 'dev/kmsg'), '');
    fs.writeFileSync(path.join(dir, 'var/log/messages'), '');
    const c = createCollector();
    const s = open(c, { order: ['text', 'kmsg'] });
    await c.waitFor((e) => isChoice(e) && e.state === 'running');
    expect(s.via()).toBe('text');
  });
});
