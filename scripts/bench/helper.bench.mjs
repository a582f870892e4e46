// The privileged path, measured: how fast the simulated kernel applies a helper write (target
// within 100 ms, on the small tb3-nvidia machine and on the 6,000-file lab), one helper run as a
// real child end to end (eject-style remove of the enclosure through the privileged runner until
// the kernel applied it), and how far past its step timeout the watchdog resolves a write stuck in
// the kernel while a timer measures that the event loop never stalls.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createNodeCommandRunner } from '../../dist/main/platform/command-runner.js';
import { createPrivilegedRunner } from '../../dist/main/platform/privileged.js';
import { SimKernel } from '../../dist/main/sim/kernel.js';
import { scenarioByName } from '../../dist/main/sim/scenarios/index.js';
import { pciDevicePath, writeScenario } from '../../dist/main/sim/sysroot-writer.js';
import { round } from './lib.mjs';

export const title = 'privileged helper and simulated kernel';

const percentile = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function withSim(name, fn) {
  const dir = fs.mkdtempSync(`/tmp/egpu-bench-helper-${name}-`);
  const scenario = scenarioByName(name);
  writeScenario(dir, scenario);
  const kernel = new SimKernel({ dir, scenario });
  const keepAlive = setInterval(() => undefined, 1000);
  return Promise.resolve(fn({ dir, scenario, kernel })).finally(() => {
    clearInterval(keepAlive);
    kernel.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

const nextApplied = (kernel) =>
  new Promise((resolve) => {
    const sub = kernel.onEvent((e) => {
      if (e.kind === 'applied') {
        sub.dispose();
        resolve();
      }
    });
  });

/**
 * Unbinds and binds the eGPU by appending to the driver's unbind/bind files as the helper does
 * (DRM minors go and come, the watch set is rebuilt): time until the kernel is done with it.
 */
async function applyLatency(name, bdf, runs) {
  return withSim(name, async ({ dir, kernel }) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const seen = nextApplied(kernel);
      const t0 = performance.now();
      fs.appendFileSync(
        `${dir}/sys/bus/pci/drivers/nvidia/${i % 2 === 0 ? 'unbind' : 'bind'}`,
        `${bdf}\n`,
      );
      await seen;
      times.push(performance.now() - t0);
    }
    return times;
  });
}

async function endToEndRemove() {
  return withSim('tb3-nvidia', async ({ dir, kernel }) => {
    const helper = createPrivilegedRunner({
      runner: createNodeCommandRunner(),
      testRoot: dir,
      stepTimeoutMs: 10_000,
    });
    const seen = nextApplied(kernel);
    const t0 = performance.now();
    const r = await helper.run('remove', ['0000:08:00.0']);
    await seen;
    return { ok: r.ok, ms: performance.now() - t0 };
  });
}

async function stuckWrite(stepTimeoutMs) {
  const dir = fs.mkdtempSync('/tmp/egpu-bench-stuck-');
  const scenario = scenarioByName('tb3-nvidia');
  writeScenario(dir, scenario);
  const remove = `${dir}${pciDevicePath(scenario, '0000:0a:00.0')}/remove`;
  fs.rmSync(remove);
  execFileSync('/usr/bin/mkfifo', [remove]);
  const helper = createPrivilegedRunner({
    runner: createNodeCommandRunner(),
    testRoot: dir,
    stepTimeoutMs,
  });
  let last = performance.now();
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  const t0 = performance.now();
  const r = await helper.run('remove', ['0000:0a:00.0']);
  const ms = performance.now() - t0;
  clearInterval(tick);
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.ok ? 'ok' : r.error.code, overshoot: ms - stepTimeoutMs, maxGap };
}

export async function run() {
  const small = await applyLatency('tb3-nvidia', '0000:0a:00.0', 40);
  const large = await applyLatency('lab', '0000:22:00.0', 20);
  const e2e = await endToEndRemove();
  const stuck = await stuckWrite(1000);
  const p95small = percentile(small, 0.95);
  const p95large = percentile(large, 0.95);
  return [
    {
      metric: 'sim applies an unbind/bind write, tb3-nvidia (p50 of 40)',
      value: round(percentile(small, 0.5), 1),
      unit: 'ms',
      target: '',
    },
    {
      metric: 'sim applies an unbind/bind write, tb3-nvidia (p95 of 40)',
      value: round(p95small, 1),
      unit: 'ms',
      target: '< 100 ms',
      pass: p95small < 100,
    },
    {
      metric: 'sim applies an unbind/bind write, lab 250 functions (p95 of 20)',
      value: round(p95large, 1),
      unit: 'ms',
      target: '< 100 ms',
      pass: p95large < 100,
    },
    {
      metric: 'remove of the enclosure: helper child + kernel applied',
      value: round(e2e.ms, 1),
      unit: 'ms',
      target: '< 1000 ms',
      pass: e2e.ok && e2e.ms < 1000,
    },
    {
      metric: 'stuck write: driver-stuck after step timeout + …',
      value: round(stuck.overshoot, 1),
      unit: 'ms',
      target: '< 2000 ms',
      pass: stuck.code === 'driver-stuck' && stuck.overshoot < 2000,
    },
    {
      metric: 'stuck write: longest event-loop gap meanwhile',
      value: round(stuck.maxGap, 1),
      unit: 'ms',
      target: '< 100 ms',
      pass: stuck.maxGap < 100,
    },
  ];
}
