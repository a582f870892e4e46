// The shortcuts of the /proc reader: a comm taken from status, and a maps read that ends at the
// gate line without asking the kernel for the read() that returns 0. (System tier: a FIFO and
// a shell writing it.)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commFromStatus, readMaps } from './proc-scan.js';

const GATE = 'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]\n';
const LIB = '7f00c0000000-7f00c0022000 r--p 00000000 fe:00 131 /usr/lib/libc.so.6\n';
const DRM = '7f00d0000000-7f00d0001000 rw-s 100000000 00:06 420 /dev/dri/renderD128\n';

const dirs: string[] = [];
const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-maps-'));
  dirs.push(d);
  return d;
};

describe('commFromStatus', () => {
  it('takes the Name line, unescaping the newline and backslash the kernel escapes', () => {
    expect(commFromStatus('Name:\tsleep\nUmask:\t0022\n')).toBe('sleep');
    expect(commFromStatus('Name:\tkworker/u8:2-events\nState:\tI\n')).toBe('kworker/u8:2-events');
    expect(commFromStatus('Name:\ta\\nb\\\\c d\nUmask:\t0022\n')).toBe('a\nb\\c d');
    expect(commFromStatus('Umask:\t0022\n')).toBeNull();
    expect(commFromStatus('')).toBeNull();
  });
});

describe('readMaps', () => {
  it('reads a whole file and decodes it only when a device can be named in it', () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, 'with'), LIB + DRM + GATE);
    fs.writeFileSync(path.join(d, 'without'), LIB + LIB + GATE);
    expect(readMaps(path.join(d, 'with'))).toBe(LIB + DRM + GATE);
    expect(readMaps(path.join(d, 'without'))).toBe('');
    expect(readMaps(path.join(d, 'missing'))).toBeNull();
  });

  it('stops at the gate line without waiting for another read, and reads on without one', async () => {
    const stopsAt = await fifoRead(LIB + DRM + GATE);
    expect(stopsAt.text).toBe(LIB + DRM + GATE);
    expect(stopsAt.ms).toBeLessThan(1500); // the writer holds the FIFO open for 3 s
    // A path that merely ends in "[vsyscall]" is no gate line: the reader waits for the end.
    const fake = '7f00e0000000-7f00e0001000 r--p 00000000 fe:00 7 /tmp/[vsyscall]\n';
    const readsOn = await fifoRead(LIB + DRM + fake);
    expect(readsOn.text).toBe(LIB + DRM + fake);
    expect(readsOn.ms).toBeGreaterThanOrEqual(2500);
  });
});

/**
 * What readMaps returns for a FIFO standing for a maps file, whose writer writes `text` and then
 * holds it open for 3 s: a reader that asks for one more read() waits that long.
 */
async function fifoRead(text: string): Promise<{ text: string | null; ms: number }> {
  const d = tmp();
  const fifo = path.join(d, 'maps');
  fs.writeFileSync(path.join(d, 'text'), text);
  await new Promise<void>((resolve, reject) =>
    spawn('mkfifo', [fifo]).on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error('mkfifo')),
    ),
  );
  const writer = spawn(
    'sh',
    ['-c', `cat "$1" > "$2" & exec 3>"$2"; sleep 3`, 'sh', path.join(d, 'text'), fifo],
    {
      stdio: 'ignore',
    },
  );
  children.push(writer);
  const t0 = Date.now();
  const got = readMaps(fifo);
  return { text: got, ms: Date.now() - t0 };
}
