// `egpu watch` latency and idle cost, against a sysroot with a real journal file (followed by the
// real journalctl) and a udevadm transcript (followed by a real `tail -F`):
// - journal entry appended (systemd-journal-remote has exited) → incident line printed: p99 < 100 ms
// - udev remove block appended → state line printed: p99 < 20 ms
// - 60 s idle: CPU of the whole process tree < 0.2 s; wake-ups (voluntary context switches of
//   every thread of every process in the tree) — nothing periodic more often than every 30 s
// - peak RSS < 100 MB
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeScenario } from '../../dist/main/sim/sysroot-writer.js';
import { scenarioByName } from '../../dist/main/sim/scenarios/index.js';
import { appendJournalEntries, kernelEntry } from './journal.mjs';
import { cleanEnv, processTree, round, treeUsage } from './lib.mjs';

export const title = 'watch latency and idle cost';

const SAMPLES = Number(process.env.EGPU_BENCH_SAMPLES ?? 60);
const IDLE_S = Number(process.env.EGPU_BENCH_IDLE_S ?? 60);
const GPU_PATH =
  '/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:01.0/0000:08:00.0/0000:09:01.0/0000:0a:00.0';

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

function lineWaiter(child) {
  let buf = '';
  const waiters = [];
  child.stdout.on('data', (c) => {
    buf += c.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const t = performance.now();
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(t);
        }
      }
    }
  });
  return (match, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const w = { match, resolve };
      waiters.push(w);
      setTimeout(() => reject(new Error('timed out waiting for watch output')), timeoutMs);
    });
}

export async function run() {
  const dir = fs.mkdtempSync('/tmp/egpu-bench-watch-');
  writeScenario(dir, scenarioByName('tb3-nvidia'));
  const udev = path.join(dir, 'udev.log');
  const journal = path.join(dir, 'kernel.journal');
  fs.writeFileSync(udev, '');
  await appendJournalEntries(journal, [kernelEntry(0, 'Linux version 6.12.0 (bench)')]);
  const child = spawn(
    process.execPath,
    [
      'bin/egpu.js',
      'watch',
      '--json',
      '--no-dbus',
      '--root',
      dir,
      '--udev-log',
      udev,
      '--journal-file',
      journal,
    ],
    {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const waitFor = lineWaiter(child);
  try {
    await waitFor((l) => l.includes('"source":"journal"') && l.includes('"running"'), 15_000);
    // Journal → incident.
    const journalMs = [];
    for (let i = 1; i <= SAMPLES; i++) {
      const line = waitFor((l) => l.includes('"type":"incident"') && l.includes(`bench-${i}-`));
      // "Appended" = the first change inotify reports on the journal file once
      // systemd-journal-remote starts writing (the same signal journalctl -f waits for).
      let t0 = 0;
      const w = fs.watch(journal, () => {
        if (t0 === 0) t0 = performance.now();
      });
      const spawned = performance.now();
      await appendJournalEntries(journal, [
        kernelEntry(
          i,
          `NVRM: Xid (PCI:0000:0a:00): 13, pid=${1000 + i}, name=bench-${i}-app, Graphics Exception`,
        ),
      ]);
      const printed = await line;
      w.close();
      journalMs.push(printed - (t0 || spawned));
      await new Promise((r) => setTimeout(r, 50));
    }
    // udev remove → state line (the sysroot still lists the GPU, so the next reconcile re-attaches it).
    const udevMs = [];
    for (let i = 1; i <= SAMPLES; i++) {
      const gone = waitFor(
        (l) => l.includes('"type":"state"') && l.includes('"state":"unplugged"'),
      );
      const back = waitFor(
        (l) =>
          l.includes('"type":"state"') &&
          l.includes('"state":"attached"') &&
          l.includes('0000:0a:00.0'),
      );
      const t0 = performance.now();
      fs.appendFileSync(
        udev,
        `UDEV  [9000.${String(i).padStart(6, '0')}] remove   ${GPU_PATH} (pci)\nACTION=remove\nDEVPATH=${GPU_PATH}\nSUBSYSTEM=pci\nSEQNUM=${6000 + i}\n\n`,
      );
      udevMs.push((await gone) - t0);
      await back;
      // Let the re-attach settle (inventory, client scan): the next removal comes at a random
      // moment of a quiet system, as a cable pull would, not inside the re-attach's own work.
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
    }
    // Idle.
    await new Promise((r) => setTimeout(r, 2000));
    const pids = processTree(child.pid);
    const before = treeUsage(pids);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const after = treeUsage(pids);
    const idleCpu = after.cpu - before.cpu;
    const wakeups = after.wakeups - before.wakeups;
    const wakeupBudget = Math.ceil(IDLE_S / 30) * pids.length * 4; // a few per 30 s per process
    return [
      {
        metric: `journal → incident p50 / p99 (${SAMPLES} entries)`,
        value: `${round(pct(journalMs, 50), 1)} / ${round(pct(journalMs, 99), 1)}`,
        unit: 'ms',
        target: 'p99 < 100 ms',
        pass: pct(journalMs, 99) < 100,
      },
      {
        metric: `udev remove → state p50 / p99 (${SAMPLES} blocks)`,
        value: `${round(pct(udevMs, 50), 1)} / ${round(pct(udevMs, 99), 1)}`,
        unit: 'ms',
        target: 'p99 < 20 ms',
        pass: pct(udevMs, 99) < 20,
      },
      {
        metric: `idle CPU over ${IDLE_S} s (watch + journalctl + tail)`,
        value: round(idleCpu, 2),
        unit: 's',
        target: '< 0.2 s',
        pass: idleCpu < 0.2,
      },
      {
        metric: `idle wake-ups over ${IDLE_S} s (all threads, ${pids.length} processes)`,
        value: wakeups,
        unit: '',
        target: `≤ ${wakeupBudget} (nothing faster than every 30 s)`,
        pass: wakeups <= wakeupBudget,
      },
      {
        metric: 'peak RSS of egpu watch',
        value: round(after.rss, 1),
        unit: 'MB',
        target: '< 100 MB',
        pass: after.rss < 100,
      },
    ];
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
