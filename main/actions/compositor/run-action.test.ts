// Running compositor actions with real parts: programs through the real CommandRunner, the
// privileged restart through the real helper (bin/egpu-guard-helper.js --test-root on a sysroot).
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompositorAction, CompositorAdvice } from '../../common/actions-model.js';
import { createNodeCommandRunner } from '../../platform/command-runner.js';
import { createPrivilegedRunner } from '../../platform/privileged.js';
import { scenarioByName } from '../../sim/scenarios/index.js';
import { makeSysroot, type SysrootFixture } from '../../sim/sysroot-fixture.js';
import {
  restartBumblebeedAction,
  restartDisplayManagerAction,
  restartGnomeShellAction,
} from './advice-actions.js';
import { pickAction, runCompositorAction, sessionEnv, type ActionPorts } from './run-action.js';

let sys: SysrootFixture;
let ports: ActionPorts;
beforeAll(() => {
  sys = makeSysroot(scenarioByName('tb3-nvidia')!);
  const runner = createNodeCommandRunner();
  ports = {
    runner,
    privileged: createPrivilegedRunner({ runner, testRoot: sys.dir, stepTimeoutMs: 30_000 }),
    env: { DISPLAY: ':1', WAYLAND_DISPLAY: 'wayland-0', SECRET_TOKEN: 'x', XDG_SESSION_ID: '' },
  };
});
afterAll(() => sys.cleanup());

const program = (id: string, command: string[], warning?: string): CompositorAction => ({
  id,
  title: id,
  detail: '',
  privileged: false,
  command,
  ...(warning === undefined ? {} : { warning }),
});

const advice: CompositorAdvice = {
  session: 'gnome-x11',
  sessionDetail: '',
  actions: [
    restartGnomeShellAction(),
    program('quiet', ['/bin/true']),
    program('warned', ['/bin/true'], 'closes things'),
    restartDisplayManagerAction(),
  ],
  config: [],
};

describe('pickAction', () => {
  it('refuses unknown ids, manual actions and unconfirmed warnings', () => {
    expect(pickAction(advice, 'nope', true)).toEqual({
      refusal: {
        reason: 'unknown-action',
        message:
          "no action 'nope' for this session (actions here: restart-gnome-shell, quiet, warned, restart-display-manager)",
      },
    });
    expect(pickAction(advice, 'restart-gnome-shell', true)).toMatchObject({
      refusal: { reason: 'manual' },
    });
    expect(pickAction(advice, 'warned', false)).toEqual({
      refusal: {
        reason: 'needs-confirmation',
        message: "'warned' needs --yes to run: closes things",
      },
    });
    expect(pickAction(advice, 'warned', true)).toHaveProperty('action.id', 'warned');
    expect(pickAction(advice, 'quiet', false)).toHaveProperty('action.id', 'quiet');
  });
});

describe('runCompositorAction', () => {
  it('runs a program with the session environment only', async () => {
    const r = await runCompositorAction(
      program('env', [
        '/bin/sh',
        '-c',
        'echo "$DISPLAY|$WAYLAND_DISPLAY|${SECRET_TOKEN:-none}"; exit 3',
      ]),
      ports,
    );
    expect(r).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'command-failed',
        message: expect.stringMatching(/exited with 3: :1\|wayland-0\|none$/),
      }),
    });
    expect(sessionEnv(ports.env)).toEqual({ DISPLAY: ':1', WAYLAND_DISPLAY: 'wayland-0' });
    expect(await runCompositorAction(program('ok', ['/bin/true']), ports)).toEqual({
      ok: true,
      value: '/bin/true: done',
    });
  });

  it('a program that is not installed is one clear sentence', async () => {
    const r = await runCompositorAction(program('x', ['egpu-no-such-program-4711']), ports);
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'not-found',
        message: 'egpu-no-such-program-4711 is not installed (or not on PATH)',
      },
    });
  });

  it('privileged actions go through the helper’s restart-unit, which records the command', async () => {
    const log = sys.host('/run/egpu-guard/helper-commands.log');
    fs.rmSync(log, { force: true });
    const dm = await runCompositorAction(restartDisplayManagerAction(), ports);
    expect(dm).toEqual({ ok: true, value: 'restart-unit display-manager.service: done' });
    const bb = await runCompositorAction(restartBumblebeedAction(), ports);
    expect(bb.ok).toBe(true);
    expect(
      fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      ['/usr/bin/systemctl', 'restart', 'display-manager.service'],
      ['/usr/bin/systemctl', 'restart', 'bumblebeed.service'],
    ]);
  });

  it('a privileged action that is not restart-unit is never run', async () => {
    const bad: CompositorAction = {
      ...restartDisplayManagerAction(),
      helper: ['remove', '0000:0a:00.0'],
    };
    const r = await runCompositorAction(bad, ports);
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});
