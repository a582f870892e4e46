// `egpu restart-compositor` end to end: sysroot scenarios, a process table in a folder (--proc),
// logind on a private system bus, and the real helper for privileged --run.
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompositorAdvice } from '../../common/actions-model.js';
import { writeFakeProc } from '../../actions/compositor/test/fake-proc.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import { dbusDaemonAvailable, startTestBus, type TestBus } from '../../sources/test/dbus-daemon.js';
import {
  startFakeLogindSessions,
  type FakeLogindSessions,
} from '../../sources/test/fake-logind-sessions.js';
import { runCliInProcess, runCliProcess } from '../test/run-cli.js';

let tb3: SysrootFixture;
let emptyProc: string;
let gnomeProc: string;
let bumblebeeProc: string;
const dirs: string[] = [];

beforeAll(() => {
  tb3 = makeSysroot(scenarioByName('tb3-nvidia')!);
  emptyProc = writeFakeProc([]);
  // gnome-shell (uid 0 = the test runner) drawing on the eGPU's card only: its primary GPU.
  gnomeProc = writeFakeProc([
    { pid: 2100, argv: ['/usr/bin/gnome-shell'], uid: 0, fds: [tb3.host('/dev/dri/card1')] },
  ]);
  bumblebeeProc = writeFakeProc([
    { pid: 800, argv: ['/usr/sbin/bumblebeed', '--use-syslog'], uid: 0 },
  ]);
  dirs.push(emptyProc, gnomeProc, bumblebeeProc);
});
afterAll(() => {
  tb3.cleanup();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const GNOME_ENV = {
  XDG_SESSION_TYPE: 'wayland',
  XDG_CURRENT_DESKTOP: 'GNOME',
  XDG_SESSION_ID: '5',
};
const helperLog = (): string => tb3.host('/run/egpu-guard/helper-commands.log');
const cli = (argv: string[], env: Record<string, string> = {}) =>
  runCliInProcess(['restart-compositor', ...argv], { env });

describe('egpu restart-compositor', () => {
  it('--json: the session from the environment, eGPU notes, mutter rules for this eGPU', async () => {
    const r = await cli(['--json', '--no-dbus', '--root', tb3.dir, '--proc', gnomeProc], GNOME_ENV);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout) as CompositorAdvice;
    expect(a).toMatchObject({ session: 'gnome-wayland', sessionId: '5' });
    expect(a.sessionDetail).toBe(
      'GNOME on Wayland — from XDG_SESSION_TYPE / XDG_CURRENT_DESKTOP; gnome-shell pid 2100',
    );
    expect(a.notes?.[0]).toMatch(
      /^gnome-shell \(pid 2100\) has the eGPU 0000:0a:00\.0 \(NVIDIA GeForce RTX 3070\) open as its primary GPU/,
    );
    expect(a.actions.map((x) => x.id)).toEqual([
      'logout',
      'terminate-session',
      'restart-display-manager',
    ]);
    expect(a.config[0]?.text).toContain(
      'ENV{ID_PATH}=="pci-0000:0a:00.0", TAG+="mutter-device-ignore"',
    );
  });

  it('a compositor the name scan does not know is found through the GPU it holds', async () => {
    const weston = writeFakeProc([
      {
        pid: 2300,
        argv: ['/usr/bin/weston', '--backend=drm'],
        uid: 0,
        fds: [tb3.host('/dev/dri/card0')],
      },
    ]);
    dirs.push(weston);
    const r = await cli(['--json', '--no-dbus', '--root', tb3.dir, '--proc', weston], {
      XDG_SESSION_TYPE: 'wayland',
    });
    const a = JSON.parse(r.stdout) as CompositorAdvice;
    expect(a.session).toBe('unknown');
    expect(a.sessionDetail).toBe(
      'A session on Wayland — from XDG_SESSION_TYPE / XDG_CURRENT_DESKTOP; weston pid 2300',
    );
  });

  it('logind on the system bus decides the session (real bin/egpu.js process)', async () => {
    if (!dbusDaemonAvailable()) return;
    const bus: TestBus = await startTestBus('system');
    let logind: FakeLogindSessions | null = null;
    try {
      logind = await startFakeLogindSessions(bus.address, [
        { id: '3', uid: 0, type: 'wayland', desktop: 'KDE' },
      ]);
      const r = await runCliProcess(
        ['restart-compositor', '--root', tb3.dir, '--proc', emptyProc],
        // The environment says GNOME: logind wins.
        {
          env: {
            DBUS_SYSTEM_BUS_ADDRESS: bus.address,
            XDG_SESSION_ID: '3',
            ...{ XDG_CURRENT_DESKTOP: 'GNOME' },
          },
        },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        'Session: KDE Plasma on Wayland — logind session 3 (seat0, active)',
      );
      expect(r.stdout).toContain('export KWIN_DRM_DEVICES=/dev/dri/egpu-guard-internal0');
      expect(r.stdout).toContain('$ loginctl terminate-session 3');
      expect(logind.calls).toEqual(['GetSession 3']);
    } finally {
      await logind?.stop();
      await bus.stop();
    }
  });

  it('--run of a privileged action without --yes is refused: exit 2, nothing runs', async () => {
    fs.rmSync(helperLog(), { force: true });
    const r = await cli(
      ['--run', 'restart-display-manager', '--no-dbus', '--root', tb3.dir, '--proc', emptyProc],
      GNOME_ENV,
    );
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(
      /^egpu restart-compositor: 'restart-display-manager' needs --yes to run: Every app in this session closes/,
    );
    expect(fs.existsSync(helperLog())).toBe(false);
  });

  it('--run restart-display-manager --yes runs the helper on the sysroot', async () => {
    fs.rmSync(helperLog(), { force: true });
    const r = await cli(
      [
        '--run',
        'restart-display-manager',
        '--yes',
        '--no-dbus',
        '--root',
        tb3.dir,
        '--proc',
        emptyProc,
      ],
      GNOME_ENV,
    );
    expect(r.stderr).toContain(
      "running 'restart-display-manager': /usr/bin/systemctl restart display-manager.service",
    );
    expect(r).toMatchObject({ code: 0, stdout: 'restart-unit display-manager.service: done\n' });
    expect(fs.readFileSync(helperLog(), 'utf8')).toBe(
      '["/usr/bin/systemctl","restart","display-manager.service"]\n',
    );
  });

  it('bumblebeed in the process table adds its restart, through the helper', async () => {
    fs.rmSync(helperLog(), { force: true });
    const base = ['--no-dbus', '--root', tb3.dir, '--proc', bumblebeeProc];
    const shown = await cli(['--json', ...base], { DISPLAY: ':0' });
    expect((JSON.parse(shown.stdout) as CompositorAdvice).session).toBe('xorg-bumblebee');
    const r = await cli(['--run', 'restart-bumblebeed', '--yes', ...base], { DISPLAY: ':0' });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(helperLog(), 'utf8')).toBe(
      '["/usr/bin/systemctl","restart","bumblebeed.service"]\n',
    );
  });

  it('refusals: unknown id, done by hand, a user action against a sysroot; --dry-run runs nothing', async () => {
    const base = ['--no-dbus', '--root', tb3.dir, '--proc', emptyProc];
    const unknown = await cli(['--run', 'reboot', ...base], GNOME_ENV);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe(
      "egpu restart-compositor: no action 'reboot' for this session (actions here: logout, terminate-session, restart-display-manager)\n",
    );
    const x11 = { ...GNOME_ENV, XDG_SESSION_TYPE: 'x11' };
    const manual = await cli(['--run', 'restart-gnome-shell', ...base], x11);
    expect(manual.code).toBe(2);
    expect(manual.stderr).toMatch(/'restart-gnome-shell' is done by hand: .*Alt\+F2/);
    const live = await cli(['--run', 'logout', '--yes', ...base], GNOME_ENV);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(
      /acts on the live session, not on --root .*gnome-session-quit --logout/,
    );
    const dry = await cli(['--run', 'terminate-session', '--yes', '--dry-run', ...base], GNOME_ENV);
    expect(dry).toMatchObject({ code: 0, stdout: 'would run: loginctl terminate-session 5\n' });
  });

  it('--run ACTION --dry-run previews an action that closes apps without --yes', async () => {
    const base = ['--no-dbus', '--root', tb3.dir, '--proc', emptyProc];
    const dry = await cli(['--run', 'logout', '--dry-run', ...base], GNOME_ENV);
    expect(dry).toEqual({
      code: 0,
      stdout: 'would run: gnome-session-quit --logout\n',
      stderr: '',
    });
    const root = await cli(['--run', 'restart-display-manager', '--dry-run', ...base], GNOME_ENV);
    expect(root).toEqual({
      code: 0,
      stdout:
        'would run as root: egpu-guard-helper restart-unit display-manager (/usr/bin/systemctl restart display-manager.service)\n',
      stderr: '',
    });
    // Running it still needs --yes.
    const run = await cli(['--run', 'logout', ...base], GNOME_ENV);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^egpu restart-compositor: 'logout' needs --yes to run: /);
  });

  it('an unknown session with nothing on the eGPU: a few lines, and --all for everything', async () => {
    const base = ['--no-dbus', '--root', tb3.dir, '--proc', emptyProc];
    const r = await cli(base);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'Session: An unknown session',
        'No compositor or X server holds the eGPU now: nothing needs restarting before you eject it.',
        'eGPU Guard could not tell which desktop this is.',
        `For the generic actions and every compositor's configuration: egpu restart-compositor --all --root ${tb3.dir} --proc ${emptyProc} --no-dbus`,
        '',
      ].join('\n'),
    });
    const all = await cli([...base, '--all']);
    expect(all.stdout).toContain('Keep the compositor off the eGPU next time:');
    expect(all.stdout.split('\n').length).toBeGreaterThan(50);
    // A session it knows keeps its full answer (its own configuration only).
    const gnome = await cli(base, GNOME_ENV);
    expect(gnome.stdout).toContain('Actions (run one with: egpu restart-compositor --run ID):');
    const yesAlone = await cli([...base, '--yes']);
    expect(yesAlone).toEqual({
      code: 2,
      stdout: '',
      stderr: 'egpu restart-compositor: --yes and --dry-run go with --run ACTION_ID\n',
    });
  });

  it('usage errors exit 2 with one line', async () => {
    const r = await cli(['--run']);
    expect(r).toMatchObject({
      code: 2,
      stderr: "egpu restart-compositor: option '--run' needs a value (ACTION_ID)\n",
    });
    const help = await runCliInProcess(['restart-compositor', '--help']);
    expect(help.stdout).toContain(
      'Usage: egpu restart-compositor [--json] [--run ACTION_ID [--yes]',
    );
  });
});
