// Shared helpers for the bench scripts: timing real commands side by side, peak RSS, and an
// environment like a desktop user's. NODE_EXTRA_CA_CERTS is dropped on purpose: build machines
// set it for their registry proxy, and loading ~140 extra certificates adds ~120 ms to every
// Node start, which no user of eGPU Guard pays.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}

/** Runs a command `runs` times; returns best and median wall seconds plus the last result. */
export function timeCommand(file, args, { runs = 7, env = cleanEnv(), input } = {}) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    last = spawnSync(file, args, { env, input, maxBuffer: 256 * 1024 * 1024 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)], result: last };
}

/** Peak resident set size (MB) of one run, from wait4's rusage via python3. */
export function peakRssMb(file, args, { env = cleanEnv() } = {}) {
  const py =
    'import resource,subprocess,sys\nsubprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const r = spawnSync('python3', ['-c', py, file, ...args], { env });
  return Number(r.stdout.toString().trim()) / 1024;
}

export const round = (n, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** A process and its descendants, from /proc's ppid fields. */
export function processTree(pid) {
  const out = [pid];
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (out.includes(ppid)) out.push(Number(p));
    } catch {
      // the process ended meanwhile: nothing to count
    }
  }
  return out;
}

/**
 * CPU seconds (user + system), voluntary context switches of every thread (wake-ups) and the
 * largest peak RSS (MB) of these processes, from /proc (proc(5): stat, task/N/status, status).
 */
export function treeUsage(pids) {
  let cpu = 0;
  let wakeups = 0;
  let rss = 0;
  const hz = 100;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += (Number(f[11]) + Number(f[12])) / hz;
      for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
        const st = fs.readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
        wakeups += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(st)?.[1] ?? 0);
      }
      rss = Math.max(
        rss,
        Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) /
          1024,
      );
    } catch {
      // the process ended meanwhile: nothing to count
    }
  }
  return { cpu, wakeups, rss };
}
