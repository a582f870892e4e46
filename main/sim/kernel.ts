// The simulated kernel for tests, benchmarks and the demo. It owns a sysroot written by
// writeScenario() and the Scenario it came from (the hardware), applies the writes the helper
// makes there (`--test-root`) as the kernel would — remove, unbind, bind, rescan, Thunderbolt
// authorization, synthetic DRM uevents, recorded modprobe/systemctl — and offers the hardware
// actions a person would do: plug, unplug, a GPU falling off the bus. Everything it does shows up
// as udev blocks and dmesg lines in <dir>/run/egpu-sim/ and as in-process events.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from '../common/disposable.js';
import { HELPER_COMMAND_LOG } from '../common/helper-contract.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { ControlWatcher, type ControlFile } from './control-watcher.js';
import { fallOffBus, plug, setAuthorized, unplug } from './kernel-hotplug.js';
import { autoloadModule, runRecordedCommand, SIM_COMMAND_LOG } from './kernel-modules.js';
import { SimOutput } from './kernel-output.js';
import {
  addMissing,
  attachDriver,
  detachDriver,
  removeSubtree,
  synthDrmEvent,
} from './kernel-pci.js';
import {
  createSimState,
  devPath,
  driverOf,
  hostPath,
  listDir,
  specOf,
  type Enclosure,
  type SimState,
} from './kernel-state.js';
import type { Scenario } from './scenario.js';
import { tbRouterPath } from './sysroot-writer.js';

export type SimKernelOptions = {
  /** The sysroot folder, already written by writeScenario(dir, scenario). */
  readonly dir: string;
  readonly scenario: Scenario;
  readonly clock?: Clock;
  /** Simulated uptime at start, in seconds (dmesg and udev timestamps continue from it). */
  readonly uptimeSec?: number;
  readonly firstSeqnum?: number;
};

const BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const positive = (line: string): boolean => /^[0-9]+$/.test(line) && parseInt(line, 10) > 0;

const realOrNull = (p: string): string | null => {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
};

export class SimKernel implements Disposable {
  readonly #out: SimOutput;
  readonly #state: SimState;
  readonly #watcher: ControlWatcher;
  readonly onEvent: SimOutput['onEvent'];

  constructor(options: SimKernelOptions) {
    const dir = fs.realpathSync(options.dir);
    this.#out = new SimOutput(dir, {
      clock: options.clock ?? systemClock,
      uptimeSec: options.uptimeSec ?? 4242.5,
      firstSeqnum: options.firstSeqnum ?? 5200,
    });
    this.onEvent = this.#out.onEvent;
    this.#watcher = new ControlWatcher((file, line) => this.#apply(file, line));
    this.#state = createSimState(dir, options.scenario, this.#out, (host, text) =>
      this.#watcher.setState(host, text),
    );
    const state = this.#state;
    state.autoload = (mod) => autoloadModule(state, mod);
    // The helper's command log exists from the start so it can be watched.
    const log = path.join(dir, HELPER_COMMAND_LOG);
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.appendFileSync(log, '');
    this.#watcher.sync(this.#controlFiles(), true);
  }

  get dir(): string {
    return this.#state.dir;
  }

  get enclosures(): readonly Enclosure[] {
    return this.#state.enclosures;
  }

  /** Enclosure cable in (by top BDF or router id; default the first unplugged one). */
  plug(which?: string): boolean {
    return this.#hardware(() => plug(this.#state, which));
  }

  /** Enclosure cable yanked (by top BDF or router id; default the first plugged one). */
  unplug(which?: string): boolean {
    return this.#hardware(() => unplug(this.#state, which));
  }

  /** The GPU (default: the first plugged enclosure's GPU functions) stops answering. */
  fallOffBus(bdf?: string): string[] {
    return this.#hardware(() => fallOffBus(this.#state, bdf));
  }

  /** Applies pending helper writes now instead of waiting for the watcher to wake up. */
  flush(): void {
    this.#watcher.flush();
  }

  dispose(): void {
    this.#watcher.dispose();
  }

  #hardware<T>(action: () => T): T {
    const result = action();
    this.#watcher.sync(this.#controlFiles());
    return result;
  }

  /** Every file a helper write can land in, as it stands in sysfs now. */
  #controlFiles(): ControlFile[] {
    const s = this.#state;
    const host = (t: string): string => hostPath(s, t);
    const files: ControlFile[] = [
      { host: host('/sys/bus/pci/rescan'), kind: 'pci-rescan', target: '', readable: false },
      { host: host(HELPER_COMMAND_LOG), kind: 'commands', target: '', readable: false },
    ];
    for (const bdf of listDir(s, '/sys/bus/pci/devices')) {
      if (!BDF.test(bdf) || specOf(s, bdf) === undefined) continue;
      files.push({
        host: host(`${devPath(s, bdf)}/remove`),
        kind: 'pci-remove',
        target: bdf,
        readable: false,
      });
    }
    for (const drv of listDir(s, '/sys/bus/pci/drivers')) {
      files.push({
        host: host(`/sys/bus/pci/drivers/${drv}/bind`),
        kind: 'driver-bind',
        target: drv,
        readable: false,
      });
      files.push({
        host: host(`/sys/bus/pci/drivers/${drv}/unbind`),
        kind: 'driver-unbind',
        target: drv,
        readable: false,
      });
    }
    for (const r of s.scenario.thunderbolt.routers) {
      const p = host(`${tbRouterPath(s.scenario, r)}/authorized`);
      files.push({ host: p, kind: 'tb-authorized', target: r.id, readable: true });
    }
    for (const card of listDir(s, '/sys/class/drm').filter((n) => /^card[0-9]+$/.test(n))) {
      const real = realOrNull(host(`/sys/class/drm/${card}`));
      if (real !== null)
        files.push({ host: `${real}/uevent`, kind: 'drm-uevent', target: card, readable: true });
    }
    return files;
  }

  #apply(file: ControlFile, line: string): void {
    const s = this.#state;
    const blocks = this.#out.udevBlocks;
    switch (file.kind) {
      case 'pci-remove':
        if (positive(line)) removeSubtree(s, file.target);
        break;
      case 'pci-rescan':
        if (positive(line)) addMissing(s);
        break;
      case 'driver-bind':
        if (BDF.test(line)) attachDriver(s, line, file.target);
        break;
      case 'driver-unbind':
        if (BDF.test(line) && driverOf(s, line) === file.target) detachDriver(s, line);
        break;
      case 'tb-authorized':
        if (/^[0-9]+$/.test(line)) setAuthorized(s, file.target, parseInt(line, 10));
        break;
      case 'drm-uevent':
        // "remove" or "remove <uuid> KEY=value": only the action matters here.
        if (/^(add|remove|change)\b/.test(line))
          synthDrmEvent(s, file.target, line.split(' ')[0] ?? '');
        break;
      case 'commands':
        this.#command(line);
        break;
    }
    this.#out.fire({ kind: 'applied', control: file.kind, target: file.target, value: line });
    // Only a change in sysfs (which always sends a udev event) or a module load (a new driver
    // folder) can change the set of control files; a no-op write need not rescan them.
    if (this.#out.udevBlocks !== blocks || file.kind === 'commands') {
      this.#watcher.sync(this.#controlFiles());
    }
  }

  #command(line: string): void {
    let argv: unknown;
    try {
      argv = JSON.parse(line);
    } catch {
      argv = null;
    }
    const valid = Array.isArray(argv) && argv.every((a) => typeof a === 'string');
    const args = valid ? (argv as string[]) : [];
    const r = valid
      ? runRecordedCommand(this.#state, args)
      : { ok: false, message: 'not a JSON argv' };
    fs.appendFileSync(
      hostPath(this.#state, SIM_COMMAND_LOG),
      `${JSON.stringify({ argv: args, ok: r.ok, message: r.message })}\n`,
    );
    this.#out.fire({ kind: 'command', argv: args, ok: r.ok, message: r.message });
  }
}
