// A --root folder that holds no machine (no PCI sysfs) is a wrong argument for every command that
// watches or acts on a machine: one line, exit 2 — not a watch that waits forever on nothing, nor
// "No process holds a GPU" about a machine that is not there.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../test/run-cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('--root without a machine in it', () => {
  it.each([
    ['clients'],
    ['watch', '--no-dbus'],
    ['service', '--no-dbus'],
    ['eject', '0a:00.0', '--dry-run'],
    ['eject', '--dry-run'],
    ['recover', '--dry-run'],
  ])('egpu %s … refuses it (exit 2, one line)', async (...argv) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-empty-root-'));
    dirs.push(dir);
    const r = await runCliInProcess([...argv, '--root', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `egpu ${argv[0]}: --root ${dir}: there is no PCI sysfs at ${dir}/sys/bus/pci; a sysroot holds a machine's sys, dev and run folders\n`,
    );
  });
});
