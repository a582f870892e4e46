// Test support: real child processes that hold device nodes of a sysroot, under a chosen name.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Holder = { readonly pid: number; readonly child: ChildProcess };

export class ProcessPool {
  readonly #children: ChildProcess[] = [];
  readonly #binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-bin-'));

  /** A copy of /bin/sleep named `name`, so the process's comm is `name`. */
  program(name: string): string {
    const p = path.join(this.#binDir, name);
    if (!fs.existsSync(p)) fs.copyFileSync('/bin/sleep', p);
    fs.chmodSync(p, 0o755);
    return p;
  }

  /** Starts `name` holding each host path open as fds 3, 4, … */
  hold(name: string, hostPaths: readonly string[]): Holder {
    const fds = hostPaths.map((p) => fs.openSync(p, 'r'));
    const child = spawn(this.program(name), ['600'], {
      stdio: ['ignore', 'ignore', 'ignore', ...fds],
    });
    for (const fd of fds) fs.closeSync(fd);
    this.#children.push(child);
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    return { pid: child.pid, child };
  }

  /**
   * A process that maps the file and closes its fd, so it holds the node only through
   * /proc/<pid>/maps. (Python's mmap module dups the fd; libc mmap through ctypes does not.)
   */
  async mapOnly(hostPath: string, options: { wrap?: readonly string[] } = {}): Promise<Holder> {
    if (fs.statSync(hostPath).size < 4096) fs.writeFileSync(hostPath, Buffer.alloc(4096));
    const script = [
      'import ctypes, os, sys, time',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'libc.mmap.restype = ctypes.c_void_p',
      'libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]',
      'fd = os.open(sys.argv[1], os.O_RDWR)',
      'addr = libc.mmap(None, 4096, 3, 1, fd, 0)',
      'os.close(fd)',
      'print("ready" if addr not in (None, ctypes.c_void_p(-1).value) else "failed", flush=True)',
      'time.sleep(600)',
    ].join('\n');
    // `wrap`: a command the mapper runs under (its arguments follow), such as `unshare -m …`.
    const [file, ...args] = [...(options.wrap ?? []), 'python3', '-c', script, hostPath];
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', (b: Buffer) =>
        b.toString().startsWith('ready') ? resolve() : reject(new Error('mmap failed')),
      );
      child.once('exit', (code) => reject(new Error(`mapper exited ${String(code)}`)));
    });
    return { pid: child.pid!, child };
  }

  dispose(): void {
    for (const c of this.#children.splice(0)) c.kill('SIGKILL');
    fs.rmSync(this.#binDir, { recursive: true, force: true });
  }
}
