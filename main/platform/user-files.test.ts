// readUserFile and readStreamBytes against real files, a real FIFO with a writer process, and
// real permission checks (as an unprivileged child when the tests run as root).

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readStreamBytes, readUserFile } from './user-files.js';
import { worldReadableBuild } from '../test/world-readable-build.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-user-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, data: string | Uint8Array): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
};

describe('readUserFile', () => {
  it('reads a file', () => {
    const p = write('a.log', 'line one\nline two\n');
    const r = readUserFile(p);
    expect(r.ok && Buffer.from(r.value).toString()).toBe('line one\nline two\n');
  });

  it('reads into a buffer the caller allocates', () => {
    const p = write('b.log', 'abc');
    let asked = -1;
    const into = new Uint8Array(8);
    const r = readUserFile(p, {
      allocate: (n) => {
        asked = n;
        return into.subarray(0, n);
      },
    });
    expect(asked).toBe(3);
    expect(r.ok && r.value.buffer).toBe(into.buffer);
    expect(r.ok && [...r.value]).toStrictEqual([97, 98, 99]);
  });

  it('reads an empty file', () => {
    const r = readUserFile(write('empty.log', ''));
    expect(r.ok && r.value.length).toBe(0);
  });

  it('reads files that report size 0 (procfs) to their end', () => {
    const r = readUserFile('/proc/self/status');
    expect(r.ok && Buffer.from(r.value).toString()).toMatch(/^Name:/);
  });

  it('reads a FIFO until its writer closes it', async () => {
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', 'printf "one\\ntwo\\n" > "$1"', 'sh', fifo]);
    const r = readUserFile(fifo);
    await new Promise((resolve) => writer.on('close', resolve));
    expect(r.ok && Buffer.from(r.value).toString()).toBe('one\ntwo\n');
  });

  it('says "no such file" for a missing file', () => {
    const r = readUserFile(path.join(dir, 'missing.log'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatchObject({
      code: 'not-found',
      message: `${dir}/missing.log: no such file`,
    });
  });

  it('says "is a directory" for a directory', () => {
    const r = readUserFile(dir);
    expect(!r.ok && r.error).toMatchObject({
      code: 'invalid-input',
      message: `${dir}: is a directory`,
    });
  });

  it('refuses files larger than the limit', () => {
    const r = readUserFile(write('big.log', 'x'.repeat(100)), { maxBytes: 10 });
    expect(!r.ok && r.error.code).toBe('invalid-input');
    expect(!r.ok && r.error.message).toContain('larger than');
  });

  it('says "permission denied" for an unreadable file', (ctx) => {
    const p = write('secret.log', 'x');
    fs.chmodSync(p, 0o000);
    if (process.getuid?.() !== 0) {
      const r = readUserFile(p);
      expect(!r.ok && r.error).toMatchObject({
        code: 'permission-denied',
        message: `${p}: permission denied`,
      });
      return;
    }
    // root reads anything: run the same code as nobody, from a copy of the build nobody can read
    // whatever the checkout's modes.
    const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath];
    const probe = spawnSync('setpriv', [...nobody, '-e', 'process.stdout.write("ok")'], {
      encoding: 'utf8',
    });
    if (probe.stdout !== 'ok') ctx.skip(); // node itself is not runnable by nobody here
    const build = worldReadableBuild();
    try {
      fs.chmodSync(dir, 0o755);
      const url = `file://${build.root}/dist/main/platform/user-files.js`;
      const script = `import(${JSON.stringify(url)}).then((m) => { const r = m.readUserFile(${JSON.stringify(p)}); process.stdout.write(JSON.stringify(r.ok ? 'read' : r.error)); })`;
      const child = spawnSync('setpriv', [...nobody, '-e', script], { encoding: 'utf8' });
      expect(JSON.parse(child.stdout)).toMatchObject({
        code: 'permission-denied',
        message: `${p}: permission denied`,
      });
    } finally {
      build.cleanup();
    }
  });
});

describe('readStreamBytes', () => {
  it('collects string and byte chunks', async () => {
    const r = await readStreamBytes(Readable.from(['ab', Buffer.from([0xff, 0x0a]), 'c']));
    expect(r.ok && [...r.value]).toStrictEqual([97, 98, 0xff, 0x0a, 99]);
  });

  it('refuses more than the limit', async () => {
    const r = await readStreamBytes(Readable.from(['x'.repeat(20)]), 10);
    expect(!r.ok && r.error.message).toContain('standard input: larger than');
  });

  it('turns a failing stream into an io error', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('boom'));
      },
    });
    const r = await readStreamBytes(failing);
    expect(!r.ok && r.error).toMatchObject({
      code: 'io',
      message: 'standard input: cannot be read (boom)',
    });
  });
});
