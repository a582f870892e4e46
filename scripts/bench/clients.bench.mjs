// `egpu clients` against `fuser -v` on the same device nodes, with 2,000 live processes, side by
// side in one run. Target: a cold `egpu clients` — a fresh process as a user types it, Node's
// start and module loading included — at most 0.75 × fuser's wall time, finding exactly the
// holders fuser finds. Processes hold the nodes in several ways: open fds on card/render/nvidia
// nodes, driver-wide nodes only, and (every 100th) a mapping with the fd closed. The cold CLI
// scans with its C scanner where it was built (main/platform/native-scan.ts); a row times it
// without, the TypeScript scan on two threads.
//
// The commands are timed in rounds, one run of each per round, so that a noisy neighbour on a
// shared machine slows all of them alike rather than whichever happened to run then.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanClients } from '../../dist/main/inventory/clients/scan-clients.js';
import { readInventory } from '../../dist/main/inventory/inventory.js';
import { procScanRequest, procScanTarget, sharedScan } from '../../dist/main/platform/proc-scan.js';
import { createSystemRoot } from '../../dist/main/platform/system-root.js';
import { writeScenario } from '../../dist/main/sim/sysroot-writer.js';
import { scenarioByName } from '../../dist/main/sim/scenarios/index.js';
import { cleanEnv, round } from './lib.mjs';
import { clientsCall, startPrivateBus, startService } from './service.bench.mjs';

export const title = 'clients vs fuser (2,000 processes)';

const PROCESSES = 2000;
const ROUNDS = 11;
const SETTLE = new Int32Array(new SharedArrayBuffer(4));
const SETTLE_MS = 150;

async function startHolders(dir) {
  const nodes = [
    '/dev/dri/card1',
    '/dev/dri/renderD129',
    '/dev/nvidia0',
    '/dev/nvidiactl',
    '/dev/nvidia-uvm',
    '/dev/dri/renderD128',
  ].map((n) => path.join(dir, n));
  fs.writeFileSync(nodes[1], Buffer.alloc(4096));
  const children = [];
  const mapScript =
    'import ctypes,os,sys,time\nl=ctypes.CDLL(None)\nl.mmap.restype=ctypes.c_void_p\nl.mmap.argtypes=[ctypes.c_void_p,ctypes.c_size_t,ctypes.c_int,ctypes.c_int,ctypes.c_int,ctypes.c_long]\nfd=os.open(sys.argv[1],os.O_RDWR)\nl.mmap(None,4096,3,1,fd,0)\nos.close(fd)\ntime.sleep(3600)';
  for (let i = 0; i < PROCESSES; i++) {
    if (i % 100 === 99) {
      children.push(spawn('python3', ['-c', mapScript, nodes[1]], { stdio: 'ignore' }));
      continue;
    }
    // 1 in 5 holds something; the rest are bystanders the scan must still walk past.
    const held =
      i % 5 === 0
        ? [nodes[(i / 5) % nodes.length]]
        : i % 5 === 1 && i % 15 === 1
          ? [nodes[2], nodes[3], nodes[4]]
          : [];
    const fds = held.map((p) => fs.openSync(p, 'r'));
    children.push(spawn('sleep', ['3600'], { stdio: ['ignore', 'ignore', 'ignore', ...fds] }));
    for (const fd of fds) fs.closeSync(fd);
  }
  await new Promise((r) => setTimeout(r, 1500)); // let python map its file
  return { nodes, children };
}

/** PIDs in fuser's output (with access letters such as 'm'; names and the table go to stderr). */
const fuserPids = (stdout) =>
  new Set(
    stdout
      .toString()
      .split(/\s+/)
      .map((t) => parseInt(t, 10))
      .filter((n) => Number.isInteger(n)),
  );

/**
 * Runs every command once per round for `rounds` rounds: per command the median wall seconds and
 * the last result.
 */
function timeInRounds(commands, rounds) {
  const env = cleanEnv();
  const times = commands.map(() => []);
  const last = [];
  for (let round = 0; round < rounds; round++) {
    commands.forEach((c, i) => {
      // Each command starts on a settled machine: one run right after fuser was up to ~8 %
      // slower than the same command later in the round (the kernel still tidying up after
      // fuser's ~10,000 /proc lookups, it seems), which made the order of the list a figure.
      Atomics.wait(SETTLE, 0, 0, SETTLE_MS);
      const t0 = process.hrtime.bigint();
      last[i] = spawnSync(c.file, c.args, {
        env: { ...env, ...c.env },
        maxBuffer: 256 * 1024 * 1024,
      });
      times[i].push(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return commands.map((c, i) => ({ key: c.key, median: median(times[i]), result: last[i] }));
}

/** Whether `dir` is writable and on another filesystem than /tmp. */
function ownFilesystem(dir) {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return fs.statSync(dir).dev !== fs.statSync('/tmp').dev;
  } catch {
    return false;
  }
}

// ── The warm core through the session service ───────────────────────────────────────────────────
// `egpu service` on a private session bus over the same sysroot and the same 2,000 processes,
// asked by busctl (systemd's D-Bus client, no Node start) for Manager.Clients: what the session's
// long-running core pays to answer. Its holders are checked against fuser's like the CLI's.
async function startWarmService(dir) {
  const bus = await startPrivateBus(dir);
  const env = cleanEnv({ DBUS_SESSION_BUS_ADDRESS: bus.address, HOME: dir });
  const service = await startService(
    ['--no-dbus', '--no-notify', '--no-hooks', '--root', dir],
    env,
  );
  const args = clientsCall(bus.address, '--json=short');
  // A core that has answered before, as a session's core soon has: its first answers also pay
  // the scan worker's boot and V8 compiling the scan on that thread. The first is reported.
  const warmUps = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('busctl', args, { env, maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`busctl Clients failed: ${r.stderr}`);
    warmUps.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return {
    firstCall: warmUps[0],
    command: {
      key: 'warm',
      file: 'busctl',
      args,
    },
    /** busctl's JSON (aa{sv}) as `egpu clients --json` output, for the holders check. */
    asClientsJson: (stdout) =>
      JSON.stringify({
        clients: JSON.parse(stdout.toString()).data[0].map((c) => ({ pid: c.pid.data })),
      }),
    stop: async () => {
      service.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      bus.stop();
    },
  };
}
// ─────────────────────────────────────────────────────────────────────────────────────────────────

export async function run() {
  // The sysroot on a filesystem of its own where the machine has one (/dev/shm, a tmpfs), as a
  // real /dev is devtmpfs: the C scanner asks the kernel for the paths of mappings on the
  // filesystem that holds the nodes only, not of every mapped library (native/proc-scan.c,
  // mapped_by_query). On the root filesystem beside the libraries it asks for them all.
  const dir = fs.mkdtempSync(
    path.join(ownFilesystem('/dev/shm') ? '/dev/shm' : '/tmp', 'egpu-bench-clients-'),
  );
  writeScenario(dir, scenarioByName('tb3-nvidia'));
  const { nodes, children } = await startHolders(dir);
  try {
    const cli = [path.resolve('bin/egpu.js'), 'clients', '--root', dir];
    const commands = [
      { key: 'fuser', file: 'fuser', args: ['-v', ...nodes] },
      { key: 'cold', file: process.execPath, args: cli },
      { key: 'cold-json', file: process.execPath, args: [...cli, '--json'] },
      // The same without the C scanner: the TypeScript scan on two threads.
      { key: 'cold-ts', file: process.execPath, args: cli, env: { EGPU_NATIVE_SCAN: '0' } },
      // The C scanner reading every maps file as text, as before PROCMAP_QUERY (Linux 6.11).
      { key: 'cold-text', file: process.execPath, args: cli, env: { EGPU_PROC_SCAN_MAPS: 'text' } },
      { key: 'node', file: process.execPath, args: ['-e', '0'] },
    ];
    const warmService = await startWarmService(dir);
    const warm = warmService?.command ?? null;
    if (warm !== null) commands.push(warm);
    let timed;
    try {
      timed = Object.fromEntries(timeInRounds(commands, ROUNDS).map((t) => [t.key, t]));
    } finally {
      await warmService?.stop();
    }
    const { fuser, cold, node } = timed;

    // The same scan without a process start: what a long-running core pays (the first run warms
    // the JIT as a long-running core would be), on its own thread in slices and shared with a
    // worker thread as `egpu clients` does.
    const root = createSystemRoot({ root: dir });
    const inProcess = [];
    const shared = [];
    let workerShare = 0;
    for (let i = 0; i < 8; i++) {
      let t = performance.now();
      await scanClients(root, readInventory(root));
      if (i > 0) inProcess.push(performance.now() - t);
      t = performance.now();
      const processes = sharedScan(procScanRequest(procScanTarget(root)));
      await scanClients(root, readInventory(root), { processes });
      if (i > 0) shared.push(performance.now() - t);
      workerShare = Math.max(workerShare, processes.scannedByWorker() / processes.scanned());
    }
    inProcess.sort((a, b) => a - b);
    shared.sort((a, b) => a - b);
    const scanMedian = inProcess[3] / 1000;
    const sharedMedian = shared[3] / 1000;

    const expected = fuserPids(fuser.result.stdout);
    const holders = (t) => {
      const found = new Set(JSON.parse(t.result.stdout.toString()).clients.map((c) => c.pid));
      const missed = [...expected].filter((p) => !found.has(p)).length;
      const extra = [...found].filter((p) => !expected.has(p)).length;
      return { found: found.size, missed, extra };
    };
    const coldHolders = holders(timed['cold-json']);
    const ratio = cold.median / fuser.median;
    const ms = (s) => round(s * 1000, 1);
    const rows = [
      {
        metric: `fuser -v wall (median of ${ROUNDS})`,
        value: ms(fuser.median),
        unit: 'ms',
        target: '',
      },
      {
        metric: `cold egpu clients wall, Node start included (median of ${ROUNDS})`,
        value: ms(cold.median),
        unit: 'ms',
        target: '',
      },
      {
        metric: `cold egpu clients --json wall (median of ${ROUNDS})`,
        value: ms(timed['cold-json'].median),
        unit: 'ms',
        target: '',
      },
      {
        metric: `cold egpu clients without the C scanner (EGPU_NATIVE_SCAN=0), wall (median of ${ROUNDS})`,
        value: ms(timed['cold-ts'].median),
        unit: 'ms',
        target: '',
        note: `${round(timed['cold-ts'].median / fuser.median, 2)} × fuser`,
      },
      {
        metric: `cold egpu clients, the C scanner reading maps as text (EGPU_PROC_SCAN_MAPS=text), wall (median of ${ROUNDS})`,
        value: ms(timed['cold-text'].median),
        unit: 'ms',
        target: '',
        note: `${round(timed['cold-text'].median / fuser.median, 2)} × fuser`,
      },
      {
        metric: `node -e 0 wall, Node's own start (median of ${ROUNDS})`,
        value: ms(node.median),
        unit: 'ms',
        target: '',
      },
      {
        metric: 'inventory + client scan in-process, one thread, no process start (median of 7)',
        value: ms(scanMedian),
        unit: 'ms',
        target: '',
        note: `${round(scanMedian / fuser.median, 2)} × fuser`,
      },
      {
        metric: 'the same, scan shared with a worker thread as egpu clients does (median of 7)',
        value: ms(sharedMedian),
        unit: 'ms',
        target: '',
        note: `worker took up to ${Math.round(workerShare * 100)} % of the processes`,
      },
      {
        metric: 'ratio cold egpu clients / fuser',
        value: round(ratio, 2),
        unit: '×',
        target: '≤ 0.75',
        pass: ratio <= 0.75,
      },
      {
        metric: 'holders fuser found / egpu found / missed / extra',
        value: `${expected.size} / ${coldHolders.found} / ${coldHolders.missed} / ${coldHolders.extra}`,
        unit: '',
        target: 'identical',
        pass: expected.size > 0 && coldHolders.missed === 0 && coldHolders.extra === 0,
      },
    ];
    if (warm !== null) {
      const w = timed[warm.key];
      const wh = holders({
        result: { stdout: warmService.asClientsJson(w.result.stdout) },
      });
      rows.push(
        {
          metric: "the service's first Clients answer after its start (busctl), wall",
          value: ms(warmService.firstCall),
          unit: 'ms',
          target: '',
        },
        {
          metric: `warm core via the session service (busctl … Clients, after 3 answers), wall (median of ${ROUNDS})`,
          value: ms(w.median),
          unit: 'ms',
          target: '',
        },
        {
          metric: 'ratio warm core / fuser',
          value: round(w.median / fuser.median, 2),
          unit: '×',
          target: '≤ 0.5',
          pass: w.median / fuser.median <= 0.5,
        },
        {
          metric: 'warm core: holders found / missed / extra',
          value: `${wh.found} / ${wh.missed} / ${wh.extra}`,
          unit: '',
          target: 'identical',
          pass: wh.missed === 0 && wh.extra === 0,
        },
      );
    }
    return rows;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
