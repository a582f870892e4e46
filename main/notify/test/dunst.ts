// Test support: a real notification server — dunst (Debian `dunst`) on its own Xvfb display and a
// private session bus — so notification tests read what a desktop would show, through dunstctl.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestBus, type TestBus } from '../../sources/test/dbus-daemon.js';

export const dunstAvailable = (): boolean =>
  ['/usr/bin/dunst', '/usr/bin/dunstctl', '/usr/bin/Xvfb'].every((p) => fs.existsSync(p));

/** One notification as dunstctl history reports it. */
export type ShownNotification = {
  readonly id: number;
  readonly summary: string;
  readonly body: string;
  readonly urgency: string;
  readonly appname: string;
};

export type Dunst = {
  readonly bus: TestBus;
  /** How many notifications are on screen now. */
  displayed(): Promise<number>;
  /** What a click on the newest notification does: its default action (dunstctl action 0). */
  click(): Promise<void>;
  /**
   * Picks an action by its label from the notification's context menu (dunstctl context), as a
   * person does in dunst's menu: the menu program (dunst(5): dmenu) is a script that answers with
   * the line naming `label`.
   */
  choose(label: string): Promise<void>;
  /** Closes everything on screen, then returns every notification shown so far (newest first). */
  everything(): Promise<ShownNotification[]>;
  stop(): Promise<void>;
};

type HistoryJson = {
  data: Record<string, { data: string | number }>[][];
};

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { env, timeout: 5000 }, (e, stdout) =>
      e ? reject(new Error(e.message)) : resolve(stdout),
    ),
  );
}

async function until(cond: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what} did not start in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stopChild = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      });

export async function startDunst(): Promise<Dunst> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-dunst-'));
  const bus = await startTestBus('session', path.join(dir, 'bus'));
  // A display number of our own: -displayfd makes Xvfb pick a free one and tell us.
  const xvfb = spawn(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', '1024x768x24', '-nolisten', 'tcp'],
    {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    },
  );
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 10_000);
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => {
      clearTimeout(timer);
      resolve(`:${b.toString().trim()}`);
    });
  });
  const conf = path.join(dir, 'dunstrc');
  // The "menu": prints the offered line that names the label in the file beside it.
  const pick = path.join(dir, 'pick');
  const menu = path.join(dir, 'menu.sh');
  fs.writeFileSync(menu, `#!/bin/sh\ngrep -m1 -F -- "$(cat '${pick}')"\n`, { mode: 0o755 });
  // Nothing times out on its own (timeout 0) and the history keeps everything, so the test sees
  // every notification that reached the screen. dunst's history has no urgency field, so each
  // urgency's format (dunst(5): format, per [urgency_*] section) starts the message with it.
  const urgency = (name: string): string =>
    `[urgency_${name}]\n    timeout = 0\n    format = "${name.toUpperCase()}|%s|%b"\n`;
  fs.writeFileSync(
    conf,
    `[global]\n    history_length = 100\n    sticky_history = yes\n    dmenu = ${menu}\n` +
      ['low', 'normal', 'critical'].map(urgency).join(''),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    DISPLAY: display,
    DBUS_SESSION_BUS_ADDRESS: bus.address,
  };
  const dunst = spawn('dunst', ['-conf', conf], { env, stdio: 'ignore' });
  await until(async () => (await run('dunstctl', ['is-paused'], env)).trim() === 'false', 'dunst');
  return {
    bus,
    displayed: async () => Number((await run('dunstctl', ['count', 'displayed'], env)).trim()),
    click: async () => void (await run('dunstctl', ['action', '0'], env)),
    async choose(label) {
      fs.writeFileSync(pick, label);
      await run('dunstctl', ['context'], env);
    },
    async everything() {
      await run('dunstctl', ['close-all'], env);
      const json = JSON.parse(await run('dunstctl', ['history'], env)) as HistoryJson;
      return (json.data[0] ?? []).map((n) => ({
        id: Number(n['id']?.data),
        summary: String(n['summary']?.data ?? ''),
        body: String(n['body']?.data ?? ''),
        urgency: String(n['message']?.data ?? '').split('|')[0] ?? '',
        appname: String(n['appname']?.data ?? ''),
      }));
    },
    async stop() {
      await stopChild(dunst);
      await stopChild(xvfb);
      await bus.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
