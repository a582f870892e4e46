// `node dist/main/sim/kernel-cli.js DIR SCENARIO`: writes the scenario into DIR and runs the
// simulated kernel on it until SIGTERM/SIGINT, for manual demos. Point the helper at it with
// `bin/egpu-guard-helper.js --test-root DIR …` and `egpu watch` at DIR/run/egpu-sim/*.log.
// Lines on stdin act on the hardware: `plug [router|bdf]`, `unplug [router|bdf]`, `fall [bdf]`.

import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { SimKernel } from './kernel.js';
import { SIM_KERNEL_LOG, SIM_UDEV_LOG } from './kernel-output.js';
import { SCENARIOS, scenarioByName } from './scenarios/index.js';
import { writeScenario } from './sysroot-writer.js';

const out = (text: string): void => void process.stdout.write(`${text}\n`);

function usage(message: string): number {
  process.stderr.write(
    `egpu-sim: ${message}\nUsage: kernel-cli.js DIR SCENARIO  (scenarios: ${SCENARIOS.map((s) => s.name).join(', ')})\n`,
  );
  return 2;
}

function hardware(kernel: SimKernel, line: string): string {
  const [verb, arg] = line.trim().split(/\s+/);
  switch (verb) {
    case 'plug':
      return kernel.plug(arg) ? 'plugged' : 'nothing to plug';
    case 'unplug':
      return kernel.unplug(arg) ? 'unplugged' : 'nothing to unplug';
    case 'fall': {
      const fell = kernel.fallOffBus(arg);
      return fell.length > 0 ? `fell off the bus: ${fell.join(' ')}` : 'nothing fell';
    }
    case '':
    case undefined:
      return '';
    default:
      return `unknown command '${verb}' (plug, unplug, fall)`;
  }
}

export function main(argv: readonly string[]): Promise<number> | number {
  const [dir, name, ...extra] = argv;
  if (dir === undefined || name === undefined || extra.length > 0)
    return usage('need DIR and SCENARIO');
  const scenario = scenarioByName(name);
  if (scenario === undefined) return usage(`unknown scenario '${name}'`);
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) return usage(`${dir} is not empty`);
  writeScenario(dir, scenario);
  const kernel = new SimKernel({ dir, scenario });
  out(`egpu-sim: ${scenario.name} running in ${kernel.dir}`);
  out(`egpu-sim: udev log ${kernel.dir}${SIM_UDEV_LOG}, kernel log ${kernel.dir}${SIM_KERNEL_LOG}`);
  const input = readline.createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const said = hardware(kernel, line);
    if (said !== '') out(`egpu-sim: ${said}`);
  });
  return new Promise((resolve) => {
    // The watchers do not hold the process open; this timer does, until a signal ends the run.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const stop = (): void => {
      clearInterval(keepAlive);
      input.close();
      kernel.dispose();
      resolve(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
