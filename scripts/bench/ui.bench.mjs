// The status window and browser mode: renderer bundle size (target: JS under 200 KB gzipped),
// `egpu ui` start-up to its printed address (the live core on a scenario sysroot, and `--demo`,
// the real core on the simulated machine, which also writes that machine first), page load to the
// first GPU card in Debian Chromium (`--demo`), and the push path (a demo action POSTed → its
// snapshot arriving over SSE) over the scripted FakeCore, so that it measures the transport and
// not the simulated machine. The FakeCore is test support and not in dist/:
// scripts/build-fake-ui.mjs bundles its browser-mode entry into a temporary folder.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { scenarioByName } from '../../dist/main/sim/scenarios/index.js';
import { writeScenario } from '../../dist/main/sim/sysroot-writer.js';
import { buildFakeUi } from '../build-fake-ui.mjs';
import { round } from './lib.mjs';

export const title = 'status window and egpu ui';

const DIST = 'dist/renderer';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function buildRenderer() {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'error',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`vite build failed: ${r.stderr}`);
  return performance.now() - t0;
}

function gzippedSize(ext) {
  const dir = path.join(DIST, 'assets');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .reduce(
      (sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length,
      0,
    );
}

/**
 * Starts browser mode (`egpu ui --demo` by default, or node with `argv`); resolves with the URL
 * and the ms it took to print it.
 */
function startUi(argv = ['bin/egpu.js', 'ui', '--demo']) {
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
      const m = /^(http:\/\/127\.0\.0\.1:(\d+))\/#token=([0-9a-f]{32})$/m.exec(out);
      if (m)
        resolve({ child, url: m[0], port: Number(m[2]), token: m[3], ms: performance.now() - t0 });
    });
    child.on('exit', (code) => reject(new Error(`egpu ui exited ${code}`)));
  });
}

/** SIGTERM, and wait for the exit: a demo run removes its temporary machine on the way out. */
async function stopUi(ui) {
  if (ui.child.exitCode !== null || ui.child.signalCode !== null) return;
  const exited = new Promise((r) => ui.child.once('exit', r));
  ui.child.kill('SIGTERM');
  await exited;
}

function post(port, token, channel, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/${channel}`,
        headers: { 'x-egpu-token': token, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** POST demo:act, time until the SSE stream delivers the next snapshot:changed. */
async function pushLatency(port, token, rounds) {
  const times = [];
  await new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/events', headers: { 'x-egpu-token': token } },
      (res) => {
        let buffer = '';
        let waiting = null;
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (frame.startsWith('event: snapshot:changed') && waiting) {
              const w = waiting;
              waiting = null;
              w();
            }
          }
        });
        (async () => {
          await new Promise((r) => setTimeout(r, 200));
          for (let i = 0; i < rounds; i++) {
            const t0 = performance.now();
            const arrived = new Promise((r) => (waiting = r));
            await post(port, token, 'demo:act', { action: i % 2 === 0 ? 'start-app' : 'stop-app' });
            await arrived;
            times.push(performance.now() - t0);
          }
          req.destroy();
          resolve();
        })().catch(reject);
      },
    );
    req.on('error', (e) => (e.code === 'ECONNRESET' ? resolve() : reject(e)));
  });
  return median(times);
}

async function pageReady(url, runs) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const page = await (await browser.newContext()).newPage();
      const t0 = performance.now();
      await page.goto(url);
      await page.getByRole('heading', { name: 'NVIDIA GeForce RTX 3070' }).waitFor();
      times.push(performance.now() - t0);
      await page.context().close();
    }
    return median(times);
  } finally {
    await browser.close();
  }
}

export async function run() {
  const buildMs = buildRenderer();
  const js = gzippedSize('.js');
  const css = gzippedSize('.css');
  const rows = [
    { metric: 'renderer build (vite build)', value: round(buildMs, 0), unit: 'ms', target: '' },
    {
      metric: 'renderer JS, gzipped',
      value: round(js / 1024, 1),
      unit: 'KB',
      target: '< 200 KB',
      pass: js < 200 * 1024,
    },
    { metric: 'renderer CSS, gzipped', value: round(css / 1024, 1), unit: 'KB', target: '' },
  ];
  // `egpu ui` as ui.test.ts starts it: the live core on a tb3-nvidia sysroot, logs empty, no bus.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-bench-ui-root-'));
  writeScenario(root, scenarioByName('tb3-nvidia'));
  for (const log of ['udev.log', 'kern.log']) fs.writeFileSync(path.join(root, log), '');
  const live = ['bin/egpu.js', 'ui', '--root', root, '--udev-log', path.join(root, 'udev.log')];
  live.push('--kernel-log', path.join(root, 'kern.log'), '--no-dbus');
  const liveStarts = [];
  try {
    for (let i = 0; i < 5; i++) {
      const run = await startUi(live);
      liveStarts.push(run.ms);
      await stopUi(run);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const starts = [];
  let ui;
  for (let i = 0; i < 5; i++) {
    ui = await startUi();
    starts.push(ui.ms);
    if (i < 4) await stopUi(ui);
  }
  const fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-bench-fake-ui-'));
  let fake;
  try {
    const start = median(liveStarts);
    rows.push({
      metric: 'egpu ui start to printed address (median of 5)',
      value: round(start, 0),
      unit: 'ms',
      target: '< 1000 ms',
      pass: start < 1000,
      note: 'live core on a scenario sysroot',
    });
    rows.push({
      metric: 'egpu ui --demo start to printed address (median of 5)',
      value: round(median(starts), 0),
      unit: 'ms',
      target: '',
      note: 'writes and starts the simulated machine first',
    });
    fake = await startUi([await buildFakeUi(fakeDir), path.resolve(DIST)]);
    const push = await pushLatency(fake.port, fake.token, 41);
    rows.push({
      metric: 'demo:act POST → snapshot over SSE (median of 41)',
      value: round(push, 2),
      unit: 'ms',
      target: '< 50 ms',
      pass: push < 50,
      note: 'scripted FakeCore',
    });
    if (fs.existsSync('/usr/bin/chromium')) {
      const ready = await pageReady(ui.url, 5);
      rows.push({
        metric: 'page load to first GPU card, Chromium (median of 5)',
        value: round(ready, 0),
        unit: 'ms',
        target: '< 1500 ms',
        pass: ready < 1500,
        note: '--demo',
      });
    }
  } finally {
    await stopUi(ui);
    if (fake !== undefined) await stopUi(fake);
    fs.rmSync(fakeDir, { recursive: true, force: true });
  }
  return rows;
}
