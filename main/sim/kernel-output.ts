// Where the simulated kernel speaks: udev blocks appended to <dir>/run/egpu-sim/udev.log and raw
// dmesg lines to <dir>/run/egpu-sim/kern.log (what `egpu watch --udev-log … --kernel-log …`
// follows), plus the same as in-process events. Owns the simulated uptime and SEQNUM counter.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Emitter } from '../common/disposable.js';
import type { Clock } from '../platform/clock.js';
import { formatKernelLine, formatUdevBlock, type UdevBlock } from './udev-format.js';

export const SIM_UDEV_LOG = '/run/egpu-sim/udev.log';
export const SIM_KERNEL_LOG = '/run/egpu-sim/kern.log';

export type SimEvent =
  | { readonly kind: 'udev'; readonly block: UdevBlock; readonly text: string }
  | { readonly kind: 'kernel'; readonly line: string }
  /** A helper write (or recorded command) the kernel consumed, after its effects. */
  | {
      readonly kind: 'applied';
      readonly control: string;
      readonly target: string;
      readonly value: string;
    }
  /** A recorded program (modprobe, systemctl) and what it would have answered. */
  | {
      readonly kind: 'command';
      readonly argv: readonly string[];
      readonly ok: boolean;
      readonly message: string;
    };

export type SimOutputOptions = {
  readonly clock: Clock;
  /** Simulated uptime when the output starts, in seconds (timestamps continue from here). */
  readonly uptimeSec: number;
  readonly firstSeqnum: number;
};

export class SimOutput {
  readonly #emitter = new Emitter<SimEvent>();
  readonly onEvent = this.#emitter.event;
  readonly #udevPath: string;
  readonly #kernelPath: string;
  readonly #clock: Clock;
  readonly #startMono: number;
  readonly #startUsec: number;
  #seqnum: number;
  #lastUsec = 0;
  /** udev blocks written so far: a change in sysfs always comes with at least one. */
  udevBlocks = 0;

  constructor(dir: string, options: SimOutputOptions) {
    this.#udevPath = path.join(dir, SIM_UDEV_LOG);
    this.#kernelPath = path.join(dir, SIM_KERNEL_LOG);
    fs.mkdirSync(path.dirname(this.#udevPath), { recursive: true });
    for (const p of [this.#udevPath, this.#kernelPath]) fs.appendFileSync(p, '');
    this.#clock = options.clock;
    this.#startMono = options.clock.monotonic();
    this.#startUsec = Math.round(options.uptimeSec * 1e6);
    this.#seqnum = options.firstSeqnum;
  }

  /** Simulated CLOCK_MONOTONIC in µs; strictly increasing so every record has its own stamp. */
  nowUsec(): number {
    const t = this.#startUsec + Math.round((this.#clock.monotonic() - this.#startMono) * 1000);
    this.#lastUsec = Math.max(t, this.#lastUsec + 7);
    return this.#lastUsec;
  }

  nextSeqnum(): number {
    return this.#seqnum++;
  }

  kernel(text: string): void {
    fs.appendFileSync(this.#kernelPath, formatKernelLine(text, this.nowUsec()));
    this.#emitter.fire({ kind: 'kernel', line: text });
  }

  udev(block: UdevBlock): void {
    const text = formatUdevBlock(block, this.nowUsec());
    fs.appendFileSync(this.#udevPath, text);
    this.udevBlocks++;
    this.#emitter.fire({ kind: 'udev', block, text });
  }

  fire(event: SimEvent): void {
    this.#emitter.fire(event);
  }
}
