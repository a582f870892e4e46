import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import {
  appendJournalEntries,
  journalRemoteAvailable,
  kernelEntry,
} from '../../sources/test/journal-builder.js';
import { ProcessPool } from '../../inventory/test/processes.js';
import { startCli, type CliChild } from '../test/cli-child.js';
import { runCliInProcess } from '../test/run-cli.js';

const EGPU_PATH =
  '/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:01.0/0000:08:00.0/0000:09:01.0/0000:0a:00.0';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(): { f: SysrootFixture; udev: string; kern: string } {
  const f = makeSysroot(scenarioByName('tb3-nvidia')!);
  const udev = path.join(f.dir, 'udev.log');
  const kern = path.join(f.dir, 'kern.log');
  fs.writeFileSync(udev, '');
  fs.writeFileSync(kern, '');
  cleanups.push(() => f.cleanup());
  return { f, udev, kern };
}

function watch(argv: string[]): CliChild {
  const w = startCli(['watch', '--json', '--no-dbus', ...argv]);
  cleanups.push(() => w.stop('SIGKILL'));
  return w;
}

const udevRemove = (devpath: string, seq: number): string =>
  `UDEV  [8123.${seq}] remove   ${devpath} (pci)\nACTION=remove\nDEVPATH=${devpath}\nSUBSYSTEM=pci\nSEQNUM=${seq}\n\n`;

type Line = {
  type: string;
  case?: string;
  text?: string;
  gpu?: string;
  state?: string;
  incident?: string;
  evidence?: { source: string; text: string }[];
};
const parse = (l: string): Line => JSON.parse(l) as Line;

describe('egpu watch', () => {
  it('leaves no tail following its --udev-log behind when it is killed outright', async () => {
    const { f, udev, kern } = setup();
    const w = watch(['--root', f.dir, '--udev-log', udev, '--kernel-log', kern]);
    await w.waitFor((l) => parse(l).type === 'source' && l.includes('replaying'));
    const tails = (): number[] =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
            return path.basename(argv[0] ?? '') === 'tail' && argv.includes(udev);
          } catch {
            return false; // gone meanwhile
          }
        })
        .map(Number);
    expect(tails()).toHaveLength(1);
    await w.stop('SIGKILL'); // no handler runs: as after a crash
    const end = Date.now() + 5000;
    while (tails().length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(tails()).toEqual([]);
  });

  it('prints coldplug states, then a surprise unplug from the kernel log and udev as one incident', async () => {
    const { f, udev, kern } = setup();
    // A real process holds the eGPU, so that the unplug is one that loses an app.
    const pool = new ProcessPool();
    cleanups.push(() => pool.dispose());
    pool.hold('ollama', [f.host('/dev/nvidia0'), f.host('/dev/nvidiactl')]);
    const w = watch(['--root', f.dir, '--udev-log', udev, '--kernel-log', kern]);
    await w.waitFor((l) => parse(l).type === 'state' && parse(l).gpu === '0000:0a:00.0');
    await w.waitFor((l) => parse(l).type === 'source' && l.includes('text-log'));
    // The sources start before the first client scan ends; the yank comes once it is known.
    await w.waitFor((l) => parse(l).gpu === '0000:0a:00.0' && parse(l).state === 'in-use');
    const mark = w.lines.length;
    fs.appendFileSync(kern, '[ 1234.000000] pcieport 0000:06:01.0: pciehp: Slot(1): Link Down\n');
    const state = parse(
      await w.waitFor((l) => parse(l).state === 'surprise-removed', 10_000, mark),
    );
    expect(state).toMatchObject({ gpu: '0000:0a:00.0', state: 'surprise-removed' });
    expect(state.evidence?.[0]).toMatchObject({
      source: 'kernel',
      text: 'pcieport 0000:06:01.0: pciehp: Slot(1): Link Down',
    });
    expect(state).toMatchObject({ case: 'surprise-removed' });
    expect(state.text).toMatch(
      /^It disappeared without an eject\. ollama \(pid \d+\) was using it and may have crashed\.$/,
    );
    fs.appendFileSync(udev, udevRemove(EGPU_PATH, 5208));
    await w.waitFor((l) => parse(l).type === 'incident', 10_000, mark);
    // The udev remove merges into the same incident; a person reads it once, not per evidence.
    await new Promise((r) => setTimeout(r, 1000));
    // (This sysroot is static: the GPU stays listed after the udev remove, so the core may later
    // see it back and print the incident's end; the opening is what must come once.)
    const incidents = w.lines
      .slice(mark)
      .map(parse)
      .filter((l) => l.type === 'incident' && !('resolvedAt' in l));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ gpu: '0000:0a:00.0', incident: 'surprise-removal' });
    expect(await w.stop()).toBe(0);
  });

  it('follows a real journal file through journalctl', async () => {
    if (!journalRemoteAvailable())
      return expect.fail(
        'systemd-journal-remote is required (apt-get install systemd-journal-remote)',
      );
    const { f } = setup();
    const journal = path.join(f.dir, 'kernel.journal');
    await appendJournalEntries(journal, [kernelEntry(1, 'Linux version 6.12.0 (simulated)')]);
    const w = watch(['--root', f.dir, '--journal-file', journal]);
    await w.waitFor(
      (l) => parse(l).type === 'source' && l.includes('"journal"') && l.includes('running'),
    );
    const mark = w.lines.length;
    await appendJournalEntries(journal, [
      kernelEntry(
        2,
        "NVRM: Xid (PCI:0000:0a:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
      ),
    ]);
    const line = parse(await w.waitFor((l) => parse(l).type === 'incident', 10_000, mark));
    expect(line).toMatchObject({ gpu: '0000:0a:00.0', incident: 'fell-off-bus' });
    expect(
      w.lines
        .slice(mark)
        .map(parse)
        .some((l) => l.state === 'fell-off-bus'),
    ).toBe(true);
  });

  it('refuses missing files and conflicting kernel logs with exit 2', async () => {
    const { f, kern } = setup();
    const missing = await runCliInProcess([
      'watch',
      '--root',
      f.dir,
      '--udev-log',
      '/nope/udev.log',
    ]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'egpu watch: --udev-log /nope/udev.log: no such file\n',
    });
    const both = await runCliInProcess([
      'watch',
      '--root',
      f.dir,
      '--kernel-log',
      kern,
      '--journal-file',
      kern,
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/cannot be combined/);
  });
});
