// `egpu explain` end to end: in-process for the cases, and as a real child process (bin/egpu.js
// on dist/) with stdin piped, the way people use it: `journalctl -k | egpu explain`.

import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EGPU_BIN, REPO_ROOT, runCliInProcess, runCliProcess } from '../test/run-cli.js';

const CORPUS = path.join(REPO_ROOT, 'main/diagnose/fixtures/logcorpus');
const corpusFile = (n: string): string => path.join(CORPUS, `case-${n}`, 'input.log');
const expected = (n: string): unknown[] =>
  (
    JSON.parse(fs.readFileSync(path.join(CORPUS, `case-${n}`, 'expected.json'), 'utf8')) as {
      events: unknown[];
    }
  ).events;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-explain-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const withoutText = ({ text: _t, ...rest }: Record<string, unknown>): Record<string, unknown> =>
  rest;

describe('egpu explain --json', () => {
  it('prints one object per event, keys in order, optional keys only when present', async () => {
    const r = await runCliInProcess(['explain', '--json', corpusFile('046')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(
      '{"kind":"gpu-fell-off-bus","bdf":"0000:06:00.0","line":6,"xid":79,"text":"NVRM: Xid (PCI:0000:06:00): 79, GPU has fallen off the bus."}',
    );
    expect(lines[2]).toBe(
      '{"kind":"driver-remove-blocked","bdf":null,"line":11,"text":"NVRM: Attempting to remove minor device 0 with non-zero usage count!"}',
    );
    expect(jsonLines(r.stdout).map(withoutText)).toStrictEqual(expected('046'));
  });

  it('gives the labelled events for every corpus case', async () => {
    for (const n of ['001', '002', '009', '011', '019', '022', '024', '027', '044']) {
      const r = await runCliInProcess(['explain', corpusFile(n), '--json']);
      expect(jsonLines(r.stdout).map(withoutText)).toStrictEqual(expected(n));
    }
  });

  it('prints nothing for a log without events, and still exits 0', async () => {
    expect(await runCliInProcess(['explain', '--json', corpusFile('033')])).toStrictEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('reads journalctl -o json lines (byte-array MESSAGE included)', async () => {
    const bytes = [
      ...Buffer.from('pcieport 0000:00:07.0: pciehp: Slot(4): Card not present \xff', 'latin1'),
    ];
    const input = [
      JSON.stringify({ MESSAGE: 'thunderbolt 0-1: device disconnected', PRIORITY: '6' }),
      JSON.stringify({ MESSAGE: null }),
      JSON.stringify({ MESSAGE: bytes }),
    ].join('\n');
    const r = await runCliInProcess(['explain', '--json', '-'], { stdin: input });
    expect(jsonLines(r.stdout).map(withoutText)).toStrictEqual([
      { kind: 'tb-disconnected', bdf: null, line: 1 },
      { kind: 'pcie-link-down', bdf: '0000:00:07.0', line: 3 },
    ]);
  });
});

describe('egpu explain (for people)', () => {
  it('groups by device and says what it means and what to do', async () => {
    const r = await runCliInProcess(['explain', corpusFile('046')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GPU 0000:06:00.0 (NVIDIA) — critical, lines 6–11\n');
    expect(r.stdout).toContain('  What it means:\n');
    expect(r.stdout).toContain('  What to do next:\n    1. Run `egpu clients`');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      '6 events on 4 devices in 36 lines. Most serious (critical): Xid 79: GPU has fallen off the bus — GPU 0000:06:00.0 (NVIDIA).',
    );
  });

  it('says so when nothing was found', async () => {
    const r = await runCliInProcess(['explain', corpusFile('033')]);
    expect(r).toStrictEqual({
      code: 0,
      stdout: 'No GPU or PCIe trouble found in 15 lines.\n',
      stderr: '',
    });
  });

  it('reads piped stdin when no FILE is given', async () => {
    const r = await runCliInProcess(['explain'], {
      stdin: fs.readFileSync(corpusFile('019'), 'utf8'),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5 events on 5 devices in 17 lines.');
  });
});

describe('egpu explain: errors and odd input', () => {
  it('exits 1 with one line when FILE is missing', async () => {
    const missing = path.join(dir, 'missing.log');
    expect(await runCliInProcess(['explain', missing])).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `egpu explain: ${missing}: no such file\n`,
    });
  });

  it('exits 1 with one line when FILE is a directory', async () => {
    expect(await runCliInProcess(['explain', dir])).toStrictEqual({
      code: 1,
      stdout: '',
      stderr: `egpu explain: ${dir}: is a directory\n`,
    });
  });

  it('exits 2 for an unknown flag, an extra argument, or no input at a terminal', async () => {
    const unknown = await runCliInProcess(['explain', '--frobnicate', corpusFile('001')]);
    expect(unknown).toStrictEqual({
      code: 2,
      stdout: '',
      stderr: "egpu explain: unknown option '--frobnicate'\n",
    });
    const extra = await runCliInProcess(['explain', corpusFile('001'), corpusFile('002')]);
    expect(extra.code).toBe(2);
    const tty = await runCliInProcess(['explain']); // no stdin given: the runner reports a TTY
    expect(tty.code).toBe(2);
    expect(tty.stderr.split('\n')).toHaveLength(2); // one line plus its newline
    expect(tty.stderr).toContain('journalctl -k -b | egpu explain');
  });

  it('survives binary garbage, NUL bytes, CRLF and 1 MB lines', async () => {
    const garbage = Buffer.alloc(200_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    const files = {
      'garbage.bin': garbage,
      'nul.log': Buffer.from(
        '[ 1.0] a\0b\n\0\0\0\n[ 2.0] pcieport 0000:00:07.0: pciehp: Slot(4): Link Down\0\n',
      ),
      'crlf.log': Buffer.from(
        '[ 1.0] x\r\n[ 2.0] pcieport 0000:00:07.0: pciehp: Slot(4): Link Down\r\n',
      ),
      'long.log': Buffer.from(
        `${'y'.repeat(1 << 20)}\n[ 2.0] thunderbolt 0-1: device disconnected\n`,
      ),
    };
    for (const [name, data] of Object.entries(files)) {
      const p = path.join(dir, name);
      fs.writeFileSync(p, data);
      const r = await runCliInProcess(['explain', '--json', p]);
      if (name === 'garbage.bin') {
        // Not a kernel log at all: one line on stderr, exit 3 (see the next tests).
        expect(r.code, name).toBe(3);
        expect(r.stderr.split('\n'), name).toHaveLength(2);
        continue;
      }
      expect(r.code, name).toBe(0);
      expect(r.stderr, name).toBe('');
    }
    const crlf = await runCliInProcess(['explain', '--json', path.join(dir, 'crlf.log')]);
    expect(jsonLines(crlf.stdout)).toStrictEqual([
      {
        kind: 'pcie-link-down',
        bdf: '0000:00:07.0',
        line: 2,
        text: 'pcieport 0000:00:07.0: pciehp: Slot(4): Link Down',
      },
    ]);
    const long = await runCliInProcess(['explain', '--json', path.join(dir, 'long.log')]);
    expect(jsonLines(long.stdout).map(withoutText)).toStrictEqual([
      { kind: 'tb-disconnected', bdf: null, line: 2 },
    ]);
  });
});

describe('egpu explain: input that is not a kernel log', () => {
  const notLog =
    /^egpu explain: .* does not look like a kernel log \(\d+ of the \d+ lines read look like log lines\)\. Give it the output of dmesg or journalctl -k, e\.g\. {2}journalctl -k -b \| egpu explain\n$/;

  it('says so for a program, a JPEG or a text file, and exits 3', async () => {
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
      Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 2654435761) >>> 24)),
    ]);
    const text = 'Dear Anna,\n\nthanks for the photos. The cable arrived today.\n'.repeat(20);
    fs.writeFileSync(path.join(dir, 'photo.jpg'), jpeg);
    fs.writeFileSync(path.join(dir, 'letter.txt'), text);
    for (const file of [
      process.execPath,
      path.join(dir, 'photo.jpg'),
      path.join(dir, 'letter.txt'),
    ]) {
      for (const json of [[], ['--json']]) {
        const r = await runCliInProcess(['explain', ...json, file]);
        expect(r.code, file).toBe(3);
        expect(r.stdout, file).toBe('');
        expect(r.stderr, file).toMatch(notLog);
        expect(r.stderr, file).toContain(file);
      }
    }
    const piped = await runCliInProcess(['explain'], { stdin: text });
    expect(piped).toMatchObject({ code: 3, stdout: '' });
    expect(piped.stderr).toContain('the input does not look like a kernel log');
  });

  it('keeps quiet kernel logs "no trouble found" (every realdmesg log without events)', async () => {
    const quiet = path.join(
      REPO_ROOT,
      'main/diagnose/fixtures/realdmesg/logs/nouveau-0da7e7ca-p0b0.log',
    );
    const r = await runCliInProcess(['explain', quiet]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No GPU or PCIe trouble found in \d+ lines\.\n$/);
  });

  it('says an empty input is empty (exit 3), not "no trouble found in 0 lines"', async () => {
    const empty = path.join(dir, 'empty.log');
    fs.writeFileSync(empty, '\n\n');
    for (const r of [
      await runCliInProcess(['explain', empty]),
      await runCliInProcess(['explain', '--json', empty]),
    ]) {
      expect(r).toMatchObject({ code: 3, stdout: '' });
      expect(r.stderr).toBe(
        `egpu explain: ${empty} is empty. Give it the output of dmesg or journalctl -k, e.g.  journalctl -k -b | egpu explain\n`,
      );
    }
    const piped = await runCliInProcess(['explain'], { stdin: '' });
    expect(piped).toMatchObject({ code: 3, stdout: '' });
    expect(piped.stderr).toMatch(/^egpu explain: the input is empty\./);
  });

  it('documents exit status 3 in --help', async () => {
    const r = await runCliInProcess(['explain', '--help']);
    expect(r.stdout).toContain('3 when the input is empty or does not look like a kernel log');
  });
});

describe('egpu explain as a real process', () => {
  it('reads a log piped into stdin and prints JSON lines', async () => {
    const input = fs.readFileSync(corpusFile('022'), 'utf8');
    const r = await runCliProcess(['explain', '--json'], { stdin: input });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map(withoutText)).toStrictEqual(expected('022'));
  });

  it('prints the diagnosis for a FILE, and exits 1 for a missing one', async () => {
    const ok = await runCliProcess(['explain', corpusFile('024')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('GPU 0000:c5:00.0 (AMD)');
    const missing = await runCliProcess(['explain', path.join(dir, 'nope.log')]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  /** `egpu explain FIFO` as a child, resolved once it holds the FIFO open and waits for a writer. */
  async function explainFifo(fifo: string) {
    const child = spawn(process.execPath, [EGPU_BIN, 'explain', fifo], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) =>
      child.on('close', (code) => r({ code, stdout, stderr })),
    );
    const holds = (): boolean => {
      try {
        return fs
          .readdirSync(`/proc/${child.pid}/fd`)
          .some((fd) => fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`) === fifo);
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 400 && !holds(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(holds()).toBe(true);
    return { child, exited };
  }

  it('Ctrl+C (SIGINT) or SIGTERM ends the wait on a FIFO nobody writes to', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const fifo = path.join(dir, `quiet-${signal}.fifo`);
      execFileSync('mkfifo', [fifo]);
      const { child, exited } = await explainFifo(fifo);
      const t0 = Date.now();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const r = await exited;
      clearTimeout(timer);
      expect(r).toEqual({
        code,
        stdout: '',
        stderr: `egpu explain: interrupted while waiting for ${fifo} (a FIFO); nothing was read\n`,
      });
      expect(Date.now() - t0).toBeLessThan(3000);
    }
  });

  it('still reads a FIFO to its end once a writer comes', async () => {
    const fifo = path.join(dir, 'log.fifo');
    execFileSync('mkfifo', [fifo]);
    const { exited } = await explainFifo(fifo);
    // A writer that comes late, writes in two parts, then closes: like `egpu explain <(journalctl -k)`.
    const log = fs.readFileSync(corpusFile('024'));
    const w = fs.createWriteStream(fifo);
    w.write(log.subarray(0, 100));
    await new Promise((r) => setTimeout(r, 200));
    w.end(log.subarray(100));
    const r = await exited;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GPU 0000:c5:00.0 (AMD)');
  });
});
