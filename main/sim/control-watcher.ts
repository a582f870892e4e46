// Notices the helper's writes in a test root. There, attributes are regular files and the helper
// appends one line per write (O_APPEND), so each control file is consumed like a log: from the
// offset already read to the last complete line. Two writes in a row, even before the sim woke
// up, are two lines and both get applied; an inotify event (fs.watch) only says "look again".
//
// Readable attributes the helper also writes (`authorized`, a DRM card's `uevent`) keep their
// read value as `state`: after the appended lines are applied the file is set back to the state
// (which the kernel may have changed meanwhile through setState).

import * as fs from 'node:fs';

export type ControlKind =
  | 'pci-remove'
  | 'pci-rescan'
  | 'driver-bind'
  | 'driver-unbind'
  | 'tb-authorized'
  | 'drm-uevent'
  | 'commands';

export type ControlFile = {
  readonly host: string;
  readonly kind: ControlKind;
  /** What the file belongs to: a BDF, a driver, a router, a card; '' for global files. */
  readonly target: string;
  /** A readable attribute with a value of its own (restored after each write). */
  readonly readable: boolean;
};

type Watched = {
  readonly file: ControlFile;
  readonly ino: number;
  offset: number;
  state: string;
  readonly watcher: fs.FSWatcher;
};

const statOf = (p: string): fs.Stats | null => {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
};

function readFrom(p: string, offset: number): Buffer {
  // Only regular files are control files: a FIFO planted by a test plays a driver that never
  // answers, and opening it here would either block or break the writer's pipe.
  if (statOf(p)?.isFile() !== true) return Buffer.alloc(0);
  let fd: number | undefined;
  try {
    fd = fs.openSync(p, 'r');
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export class ControlWatcher {
  readonly #watched = new Map<string, Watched>();
  readonly #pending = new Set<string>();
  #draining = false;
  #disposed = false;

  constructor(private readonly onLine: (file: ControlFile, line: string) => void) {}

  /**
   * Watches exactly `files`. A file that vanished or was re-created (a new inode: the device went
   * and came back) gets a fresh watch. `initial`: what the files hold already is history;
   * otherwise new files are read from the start, in case a write beat the watch.
   */
  sync(files: readonly ControlFile[], initial = false): void {
    if (this.#disposed) return;
    const wanted = new Map(files.map((f) => [f.host, f]));
    for (const [p, w] of this.#watched) {
      if (!wanted.has(p) || statOf(p)?.ino !== w.ino) {
        w.watcher.close();
        this.#watched.delete(p);
      }
    }
    for (const f of files) {
      if (this.#watched.has(f.host)) continue;
      const st = statOf(f.host);
      if (st === null) continue;
      const state = f.readable ? readFrom(f.host, 0).toString('utf8') : '';
      let watcher: fs.FSWatcher;
      try {
        watcher = fs.watch(f.host, { persistent: false }, () => this.#kick(f.host));
      } catch {
        continue;
      }
      watcher.on('error', () => undefined);
      const offset = f.readable ? Buffer.byteLength(state) : initial ? st.size : 0;
      this.#watched.set(f.host, { file: f, ino: st.ino, offset, state, watcher });
      if (!initial && !f.readable) this.#pending.add(f.host);
    }
    this.#drain();
  }

  /** Sets a readable attribute's value (the file and its remembered state). */
  setState(host: string, text: string): void {
    fs.writeFileSync(host, text);
    const w = this.#watched.get(host);
    if (w === undefined) return;
    w.state = text;
    w.offset = Buffer.byteLength(text);
  }

  /** Applies whatever is unread in every watched file now. */
  flush(): void {
    for (const p of this.#watched.keys()) this.#pending.add(p);
    this.#drain();
  }

  get size(): number {
    return this.#watched.size;
  }

  dispose(): void {
    this.#disposed = true;
    for (const w of this.#watched.values()) w.watcher.close();
    this.#watched.clear();
    this.#pending.clear();
  }

  #kick(p: string): void {
    if (this.#disposed) return;
    this.#pending.add(p);
    this.#drain();
  }

  #drain(): void {
    // onLine may sync() or setState(); anything it queues is picked up by this same loop.
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#first(); next !== undefined; next = this.#first()) {
        this.#pending.delete(next);
        this.#consume(next);
      }
    } finally {
      this.#draining = false;
    }
  }

  #first(): string | undefined {
    return this.#pending.values().next().value;
  }

  #consume(p: string): void {
    const w = this.#watched.get(p);
    if (w === undefined || this.#disposed) return;
    const fresh = readFrom(p, w.offset);
    const end = fresh.lastIndexOf(0x0a);
    if (end < 0) return;
    w.offset += end + 1;
    const lines = fresh.subarray(0, end).toString('utf8').split('\n');
    for (const line of lines) {
      if (line.trim() !== '') this.onLine(w.file, line.trim());
    }
    if (w.file.readable && this.#watched.get(p) === w) this.setState(p, w.state);
  }
}
