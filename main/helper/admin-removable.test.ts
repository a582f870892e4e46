// The administrator's removable list as the helper sees it: an OCuLink eGPU the firmware does not
// mark removable can be detached once root lists it in /etc/egpu-guard/removable.conf — and only
// when root owns that file and its folder, nobody else can write them, it is no symlink, and the
// boot display is not involved. Every refusal is exit 2 with the test root unchanged.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { oculinkUnmarked } from '../sim/scenarios/variants.js';
import { pciDevicePath } from '../sim/sysroot-writer.js';
import { changedEntries, makeRoot, runInProcess, snapshot } from './test/helper-fixture.js';

const DOCK_PORT = '0000:01:00.0'; // the dock's upstream switch port, first device behind OCuLink
const EGPU = '0000:03:00.0';
const IGPU = '0000:c5:00.0'; // the APU's boot display

let root: ReturnType<typeof makeRoot>;
let etc: string;
let conf: string;
beforeEach(() => {
  root = makeRoot(oculinkUnmarked);
  etc = path.join(root.dir, 'etc/egpu-guard');
  conf = path.join(etc, 'removable.conf');
  fs.mkdirSync(etc, { recursive: true, mode: 0o755 });
});
afterEach(() => root.cleanup());

const helper = (...args: string[]) => runInProcess(['--test-root', root.dir, ...args]);
const removeAttr = (bdf: string) =>
  path.join(root.dir, pciDevicePath(oculinkUnmarked, bdf), 'remove');

function expectRefusedUnchanged(args: string[], message: RegExp): void {
  const before = snapshot(root.dir);
  const r = helper(...args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(changedEntries(before, snapshot(root.dir))).toEqual([]);
}

// The list is trusted only when root owns it: the files a test writes belong to root only when
// the tests run as root (as CI does).
const AS_ROOT = process.getuid?.() === 0;

describe.skipIf(!AS_ROOT)('helper: /etc/egpu-guard/removable.conf', () => {
  it('without a list, the unmarked OCuLink eGPU is refused, and the refusal names the file', () => {
    expectRefusedUnchanged(
      ['remove', DOCK_PORT],
      /not removable.*\/etc\/egpu-guard\/removable\.conf/,
    );
    expectRefusedUnchanged(['unbind', EGPU], /not removable/);
  });

  it('a root-owned list makes the listed dock and everything below it removable', () => {
    fs.writeFileSync(conf, `# OCuLink dock\n${DOCK_PORT.toUpperCase()}\n`, { mode: 0o644 });
    const unbind = helper('unbind', EGPU);
    expect(unbind.code, unbind.stderr).toBe(0);
    const remove = helper('remove', DOCK_PORT);
    expect(remove.code, remove.stderr).toBe(0);
    expect(fs.readFileSync(removeAttr(DOCK_PORT), 'utf8')).toBe('1\n');
    // Still never the boot display, nor what is not below a listed device.
    expectRefusedUnchanged(['remove', IGPU], /not removable/);
  });

  it('a listed boot display stays untouchable', () => {
    fs.writeFileSync(conf, `${IGPU}\n`, { mode: 0o644 });
    expectRefusedUnchanged(['remove', IGPU], /not removable/);
    expectRefusedUnchanged(['unbind', IGPU], /not removable/);
  });

  it('is ignored when others may write it, when it is a symlink, or when its folder is not root-owned', () => {
    fs.writeFileSync(conf, `${DOCK_PORT}\n`, { mode: 0o644 });
    fs.chmodSync(conf, 0o664);
    expectRefusedUnchanged(['remove', DOCK_PORT], /not removable/);
    fs.chmodSync(conf, 0o644);
    fs.chmodSync(etc, 0o777);
    expectRefusedUnchanged(['remove', DOCK_PORT], /not removable/);
    fs.chmodSync(etc, 0o755);
    fs.chownSync(etc, 65534, 65534);
    expectRefusedUnchanged(['remove', DOCK_PORT], /not removable/);
    fs.chownSync(etc, 0, 0);
    fs.chownSync(conf, 65534, 65534);
    expectRefusedUnchanged(['remove', DOCK_PORT], /not removable/);
    fs.chownSync(conf, 0, 0);
    const elsewhere = path.join(root.dir, 'tmp-list');
    fs.renameSync(conf, elsewhere);
    fs.symlinkSync(elsewhere, conf);
    expectRefusedUnchanged(['remove', DOCK_PORT], /not removable/);
    // The same list, as a plain root-owned file, works: the refusals above were the rules.
    fs.unlinkSync(conf);
    fs.renameSync(elsewhere, conf);
    expect(helper('remove', DOCK_PORT).code).toBe(0);
  });
});
