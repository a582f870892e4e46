// `egpu clients` against `fuser -v` on the same device nodes, with 2,000 live processes, side by
// side in one run. Target: egpu at least 25% faster (ratio ≤ 0.75) and finding every holder
// fuser finds. Processes hold the nodes in several ways: open fds on card/render/nvidia nodes,
// driver-wide nodes only, and (every 100th) a mapping with the fd closed.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanClients } from '../../dist/main/inventory/clients/scan-clients.js';
import { readInventory } from '../../dist/main/inventory/inventory.js';
import { createSystemRoot } from '../../dist/main/platform/system-root.js';
import { writeScenario } from '../../dist/main/sim/sysroot-writer.js';
import { scenarioByName } from '../../dist/main/sim/scenarios/index.js';
import { cleanEnv, round, timeCommand } from './lib.mjs';

export const title = 'clients vs fuser (2,000 processes)';

const PROCESSES = 2000;

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

function fuserPids(nodes) {
  const r = spawnSync('fuser', ['-v', ...nodes], { env: cleanEnv() });
  // PIDs (with access letters such as 'm') go to stdout; names and the table to stderr.
  return new Set(
    r.stdout
      .toString()
      .split(/\s+/)
      .map((t) => parseInt(t, 10))
      .filter((n) => Number.isInteger(n)),
  );
}

export async function run() {
  const dir = fs.mkdtempSync('/tmp/egpu-bench-clients-');
  writeScenario(dir, scenarioByName('tb3-nvidia'));
  const { nodes, children } = await startHolders(dir);
  try {
    const fuser = timeCommand('fuser', ['-v', ...nodes], { runs: 7 });
    const egpu = timeCommand(
      process.execPath,
      ['bin/egpu.js', 'clients', '--json', '--root', dir],
      { runs: 7 },
    );
    // The same scan without a process start: what `egpu clients` costs beyond Node's own start
    // and module loading (the first run warms the JIT as a long-running core would be).
    const root = createSystemRoot({ root: dir });
    const inProcess = [];
    for (let i = 0; i < 8; i++) {
      const t = performance.now();
      await scanClients(root, readInventory(root));
      if (i > 0) inProcess.push(performance.now() - t);
    }
    inProcess.sort((a, b) => a - b);
    const scanMedian = inProcess[3] / 1000;
    const egpuPids = new Set(JSON.parse(egpu.result.stdout.toString()).clients.map((c) => c.pid));
    const expected = fuserPids(nodes);
    const missed = [...expected].filter((p) => !egpuPids.has(p));
    const ratio = egpu.median / fuser.median;
    return [
      {
        metric: 'fuser -v wall (median of 7)',
        value: round(fuser.median * 1000, 1),
        unit: 'ms',
        target: '',
      },
      {
        metric: 'egpu clients --json wall (median of 7)',
        value: round(egpu.median * 1000, 1),
        unit: 'ms',
        target: '',
      },
      {
        metric: 'inventory + client scan in-process, no process start (median of 7)',
        value: round(scanMedian * 1000, 1),
        unit: 'ms',
        target: '',
        note: `${round(scanMedian / fuser.median, 2)} × fuser`,
      },
      {
        metric: 'ratio egpu / fuser',
        value: round(ratio, 2),
        unit: '×',
        target: '≤ 0.75',
        pass: ratio <= 0.75,
      },
      {
        metric: 'holders fuser found / egpu missed',
        value: `${expected.size} / ${missed.length}`,
        unit: '',
        target: 'missed 0',
        pass: missed.length === 0 && expected.size > 0,
      },
    ];
  } finally {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
