// Test support: a private dbus-daemon per test file (dbus-daemon(1); starts in milliseconds, see
// docs/testing.md).
// 'session' and 'system' differ only in the bus type of the config; both allow everything and
// list no service directories, so nothing on the machine is ever auto-started by activation.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type TestBus = {
  readonly type: 'session' | 'system';
  /** As printed by the daemon ('unix:path=…,guid=…'): pass it to DbusPort.connect. */
  readonly address: string;
  readonly socketPath: string;
  readonly dir: string;
  readonly pid: number;
  /** SIGTERM and wait for exit. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL: the bus vanishes without goodbye. */
  kill(): Promise<void>;
};

export const dbusDaemonAvailable = (): boolean =>
  ['/usr/bin/dbus-daemon', '/bin/dbus-daemon'].some((p) => fs.existsSync(p));

const config = (
  type: 'session' | 'system',
  socketPath: string,
): string => `<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>${type}</type>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
`;

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startTestBus(
  type: 'session' | 'system' = 'session',
  dir?: string,
): Promise<TestBus> {
  const base = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `egpu-dbus-${type}-`));
  fs.mkdirSync(base, { recursive: true });
  const socketPath = path.join(base, `${type}_bus_socket`);
  fs.rmSync(socketPath, { force: true });
  const configPath = path.join(base, `${type}.conf`);
  fs.writeFileSync(configPath, config(type, socketPath));
  const child = spawn(
    'dbus-daemon',
    [`--config-file=${configPath}`, '--nofork', '--nopidfile', '--print-address=1', '--nosyslog'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    let errText = '';
    const timer = setTimeout(
      () => reject(new Error(`dbus-daemon did not start: ${errText}`)),
      5000,
    );
    child.stderr?.on('data', (b: Buffer) => (errText += b.toString()));
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon exited (${code}): ${errText}`));
    });
  });
  const stopWith = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await waitExit(child);
  };
  return {
    type,
    address,
    socketPath,
    dir: base,
    pid: child.pid ?? -1,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
  };
}
