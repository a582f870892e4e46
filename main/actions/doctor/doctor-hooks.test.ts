// The doctor's findings about the user's hooks (docs/hooks.md): how many run, and every file of
// hooks.d that does not, with why — gathered from a real folder, then as a table of listings.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HOOK_UID, makeHookFolder, type HookFolder } from '../hooks/test/hook-folder.js';
import type { HookListing } from '../hooks/hook-rules.js';
import { hookChecks } from './checks-hooks.js';
import type { DoctorFacts } from './doctor-model.js';
import { runDoctorChecks } from './doctor.js';
import { gather, sysrootPool } from './test/doctor-fixture.js';

const pool = sysrootPool();
const folders: HookFolder[] = [];
afterEach(() => {
  pool.cleanup();
  for (const f of folders.splice(0)) f.cleanup();
});

describe('doctor: user hooks on a real folder', () => {
  it('counts the active hooks and lists the ignored files with why and how to fix them', async () => {
    const h = makeHookFolder();
    folders.push(h);
    h.put('10-restart-ollama', '#!/bin/sh\n');
    h.put('20-stop-render', '#!/bin/sh\n');
    h.put('30-off', '#!/bin/sh\n', 0o644);
    h.put('40-shared', '#!/bin/sh\n', 0o775);
    h.put('50-old.dpkg-old', '#!/bin/sh\n');
    const facts = await gather(pool.root('tb3-nvidia'), { hooksDir: h.dir, uid: HOOK_UID });
    const r = runDoctorChecks(facts);
    const mine = r.findings.filter((x) => x.area === 'hooks');
    expect(mine.map((x) => [x.id, x.severity])).toEqual([
      ['hooks', 'info'],
      ['hooks-ignored', 'warning'],
    ]);
    expect(mine[0]).toMatchObject({
      title: '2 user hooks active',
      detail: `In ${h.dir}, run in this order: 10-restart-ollama, 20-stop-render.`,
    });
    expect(mine[1]!.title).toBe('3 files in hooks.d are ignored');
    expect(mine[1]!.detail).toBe(
      '30-off: not executable (`chmod u+x` turns it on); ' +
        '40-shared: writable by group or others (`chmod go-w` fixes it); ' +
        '50-old.dpkg-old: a package manager’s leftover; such names are skipped',
    );
    expect(mine[1]!.fix).toBe(`chmod go-w '${h.dir}/40-shared'`);
    // The hooks area comes last, after power.
    expect(r.findings.at(-1)?.id).toBe('hooks-ignored');
  });

  it('a hooks folder others may write to: nothing runs, and the fix is for the folder', async () => {
    const h = makeHookFolder();
    folders.push(h);
    h.put('10-a', '#!/bin/sh\n');
    fs.chmodSync(h.dir, 0o777);
    const mine = runDoctorChecks(
      await gather(pool.root('tb3-nvidia'), { hooksDir: h.dir, uid: HOOK_UID }),
    ).findings.filter((x) => x.area === 'hooks');
    expect(mine.map((x) => [x.id, x.severity, x.title])).toEqual([
      ['hooks', 'info', '0 user hooks active'],
      ['hooks-ignored', 'warning', '1 file in hooks.d is ignored'],
    ]);
    expect(mine[1]!.fix).toBe(`chmod go-w '${h.dir}'`);
  });

  it('says nothing about hooks when not asked to look (a report of a sysroot)', async () => {
    const r = runDoctorChecks(await gather(pool.root('tb3-nvidia')));
    expect(r.findings.filter((x) => x.area === 'hooks')).toEqual([]);
  });
});

describe('doctor: user hooks as a table', () => {
  const listing = (over: Partial<HookListing>): HookListing => ({
    dir: '/home/alice/.config/egpu-guard/hooks.d',
    folder: 'present',
    hooks: [],
    ignored: [],
    notRun: null,
    ...over,
  });
  const checks = (hooks: HookListing) => hookChecks({ hooks } as unknown as DoctorFacts);

  it.each<[string, HookListing, [string, string, string][]]>([
    ['no folder', listing({ folder: 'absent' }), [['hooks', 'info', 'No user hooks']]],
    ['one hook', listing({ hooks: ['10-a'] }), [['hooks', 'info', '1 user hook active']]],
    [
      'as root',
      listing({ notRun: 'eGPU Guard runs as root, and hooks never run as root' }),
      [['hooks', 'info', 'User hooks are not run']],
    ],
    [
      'only files switched off or left by a package manager: nothing to fix',
      listing({
        hooks: ['10-a'],
        ignored: [
          { name: '20-b', code: 'not-executable', reason: 'not executable' },
          { name: '30-c~', code: 'name', reason: 'an editor backup' },
        ],
      }),
      [
        ['hooks', 'info', '1 user hook active'],
        ['hooks-ignored', 'info', '2 files in hooks.d are ignored'],
      ],
    ],
    [
      'someone else’s file',
      listing({ ignored: [{ name: '10-x', code: 'not-owner', reason: 'owned by uid 0' }] }),
      [
        ['hooks', 'info', '0 user hooks active'],
        ['hooks-ignored', 'warning', '1 file in hooks.d is ignored'],
      ],
    ],
  ])('%s', (_what, l, expected) => {
    expect(checks(l).map((x) => [x.id, x.severity, x.title])).toEqual(expected);
  });

  it('the fix quotes the path as a shell would need it', () => {
    const [, ignored] = checks(
      listing({
        dir: "/home/o'brien/.config/egpu-guard/hooks.d",
        ignored: [{ name: '10-x', code: 'writable', reason: 'writable' }],
      }),
    );
    expect(ignored?.fix).toBe(`chmod go-w '/home/o'\\''brien/.config/egpu-guard/hooks.d/10-x'`);
  });
});
