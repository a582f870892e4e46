// What the programs the helper records in a test root would have done: `modprobe -r A B…` and
// `modprobe X` against /sys/module, `systemctl restart U` (nothing to change in a sysroot).
//
// How a refusal is reported: the helper has already exited 0 when the sim reads its command log
// (it only records argv), so the sim cannot fail the helper. Like modprobe, it stops at the first
// module it cannot remove, leaves that one and the rest loaded, and says so the way modprobe does
// (`modprobe: FATAL: Module nvidia is in use.`) in a `command` event with ok=false, also appended
// to <dir>/run/egpu-sim/commands.log. A caller verifies by re-reading /sys/module, exactly as the
// executor does after the real modprobe.

import { attachDriver, detachDriver } from './kernel-pci.js';
import { exists, isPresent, listDir, readAttr, type SimState } from './kernel-state.js';
import { writeModule } from './sysroot-writer.js';

export const SIM_COMMAND_LOG = '/run/egpu-sim/commands.log';

export type CommandResult = { readonly ok: boolean; readonly message: string };

const refcnt = (s: SimState, mod: string): number =>
  parseInt(readAttr(s, `/sys/module/${mod}/refcnt`) ?? '0', 10) || 0;

function setRefcnt(s: SimState, mod: string, n: number): void {
  if (exists(s, `/sys/module/${mod}/refcnt`)) s.w.write(`/sys/module/${mod}/refcnt`, `${n}\n`);
}

/** Whether the module is a PCI driver some scenario function uses. */
const isPciDriver = (s: SimState, mod: string): boolean =>
  s.scenario.pci.some((p) => p.driver === mod);

function unloadOne(s: SimState, mod: string): CommandResult {
  // kmod's rmmod_do_module(): the messages below are its own.
  if (!exists(s, `/sys/module/${mod}`))
    return { ok: false, message: `modprobe: FATAL: Module ${mod} is not in kernel.` };
  if (!exists(s, `/sys/module/${mod}/refcnt`))
    return { ok: false, message: `modprobe: FATAL: Module ${mod} is builtin.` };
  if (refcnt(s, mod) > 0 || listDir(s, `/sys/module/${mod}/holders`).length > 0) {
    return { ok: false, message: `modprobe: FATAL: Module ${mod} is in use.` };
  }
  // Unloading a PCI driver unbinds every device it drives first.
  for (const bdf of listDir(s, `/sys/bus/pci/drivers/${mod}`).filter((n) =>
    /^[0-9a-f]{4}:/.test(n),
  )) {
    detachDriver(s, bdf);
  }
  s.w.remove(`/sys/bus/pci/drivers/${mod}`);
  s.w.remove(`/sys/module/${mod}`);
  // The modules it used lose a holder and a reference.
  for (const other of listDir(s, '/sys/module')) {
    if (exists(s, `/sys/module/${other}/holders/${mod}`)) {
      s.w.remove(`/sys/module/${other}/holders/${mod}`);
      setRefcnt(s, other, Math.max(0, refcnt(s, other) - 1));
    }
  }
  return { ok: true, message: '' };
}

function loadOne(s: SimState, mod: string, seen = new Set<string>()): CommandResult {
  if (exists(s, `/sys/module/${mod}`)) return { ok: true, message: '' };
  const spec = s.scenario.modules.find((m) => m.name === mod);
  const release = s.scenario.kernelRelease ?? '6.12.0-egpu-sim';
  if (spec === undefined || seen.has(mod)) {
    return {
      ok: false,
      message: `modprobe: FATAL: Module ${mod} not found in directory /lib/modules/${release}`,
    };
  }
  seen.add(mod);
  // Dependencies first: a module is a holder of every module it depends on.
  const deps = s.scenario.modules.filter((m) => m.holders?.includes(mod));
  for (const dep of deps) {
    const r = loadOne(s, dep.name, seen);
    if (!r.ok) return r;
  }
  writeModule(s.w, { name: mod, refcnt: 0, holders: [] });
  for (const dep of deps) {
    s.w.link(`/sys/module/${dep.name}/holders/${mod}`, `/sys/module/${mod}`);
    setRefcnt(s, dep.name, refcnt(s, dep.name) + 1);
  }
  if (isPciDriver(s, mod)) {
    s.w.mkdir(`/sys/bus/pci/drivers/${mod}`);
    for (const f of ['bind', 'unbind']) s.w.write(`/sys/bus/pci/drivers/${mod}/${f}`, '');
    // The driver probes every present device it matches.
    for (const p of s.scenario.pci.filter((x) => x.driver === mod && isPresent(s, x.bdf))) {
      attachDriver(s, p.bdf, mod);
    }
  }
  return { ok: true, message: '' };
}

/**
 * udev's kmod builtin for a device that appeared: loads its driver module (and what that needs),
 * which binds every device it matches, as `modprobe MODULE` would. A module the scenario does not
 * ship stays unloaded, the device unbound.
 */
export function autoloadModule(s: SimState, mod: string): void {
  loadOne(s, mod);
}

/** Applies one recorded argv; unknown programs are reported, never guessed at. */
export function runRecordedCommand(s: SimState, argv: readonly string[]): CommandResult {
  const [program = '', ...args] = argv;
  if (program.endsWith('/modprobe')) {
    if (args[0] === '-r') {
      for (const mod of args.slice(1)) {
        const r = unloadOne(s, mod);
        if (!r.ok) return r;
      }
      return { ok: true, message: `unloaded ${args.slice(1).join(' ')}` };
    }
    const mod = args[0] ?? '';
    const r = loadOne(s, mod);
    return r.ok ? { ok: true, message: `loaded ${mod}` } : r;
  }
  if (program.endsWith('/systemctl')) return { ok: true, message: `${args.join(' ')}: done` };
  return { ok: false, message: `unknown program ${program}` };
}
