// The /dev/kmsg reader's pacing: quick while the kernel talks, backing off to every maxPollMs
// while it is quiet (an idle laptop must not be woken 4 times a second), and quick again after
// the next record. The file stands in for /dev/kmsg as under a test --root.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KMSG_POLL, nextPollDelay, openKmsgReader } from './kmsg-reader.js';

describe('nextPollDelay', () => {
  const o = { pollMs: 250, idleAfterMs: 10_000, maxPollMs: 30_000 };
  it('polls every pollMs while the last record is recent', () => {
    expect(nextPollDelay(250, 0, o)).toBe(250);
    expect(nextPollDelay(8_000, 9_999, o)).toBe(250);
  });
  it('then doubles per empty poll, up to maxPollMs', () => {
    const waits: number[] = [];
    let wait = 250;
    for (let i = 0; i < 10; i++) waits.push((wait = nextPollDelay(wait, 10_000 + i, o)));
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });
  it('defaults keep an idle watch within the wake-up budget (nothing more often than every 30 s)', () => {
    expect(KMSG_POLL.maxPollMs).toBeGreaterThanOrEqual(30_000);
  });
});

describe('openKmsgReader pacing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-kmsg-'));
  const file = path.join(dir, 'kmsg');
  let close = (): void => undefined;
  afterEach(() => {
    close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('still delivers after backing off, and is quick again after a record', async () => {
    fs.writeFileSync(file, '');
    const seen: { text: string; at: number }[] = [];
    const r = openKmsgReader({
      hostPath: file,
      skipExisting: false,
      pollMs: 10,
      idleAfterMs: 50,
      maxPollMs: 1_000,
      onChunk: (text) => seen.push({ text, at: performance.now() }),
      onError: (e) => {
        throw new Error(e.message);
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    close = () => r.value.dispose();
    const append = (text: string): number => {
      fs.appendFileSync(file, text);
      return performance.now();
    };
    const arrival = async (n: number): Promise<number> => {
      await expect.poll(() => seen.length, { timeout: 3_000, interval: 5 }).toBe(n);
      return seen[n - 1]!.at;
    };
    // Quiet for a while: the wait has grown to 1 s (10, 20, … 640, 1000 ms).
    await new Promise((done) => setTimeout(done, 2_500));
    const sent1 = append('6,1,100,-;first\n');
    const got1 = await arrival(1);
    expect(got1 - sent1).toBeLessThan(1_000 + 500);
    // Right after a record the reader polls every 10 ms again (without the reset it would still
    // wait up to 1 s).
    const sent2 = append('6,2,200,-;second\n');
    const got2 = await arrival(2);
    expect(got2 - sent2).toBeLessThan(250);
    expect(seen.map((s) => s.text).join('')).toBe('6,1,100,-;first\n6,2,200,-;second\n');
  });
});
