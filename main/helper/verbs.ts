// What each verb does once its words are valid: re-check the target in sysfs (eligibility.ts),
// then one fixed write or one fixed program. Outcomes are an exit code and one line of English:
// 0 done (or already done: remove/unbind/deauthorize of something gone is success), 1 the kernel
// or the program said no (errno in the message), 2 refused, nothing written.

import { HELPER_EXIT, MODPROBE_PATH, SYSTEMCTL_PATH } from '../common/helper-contract.js';
import {
  PCI_CLASS_AUDIO_DEVICE,
  PCI_CLASS_DISPLAY,
  boundDriver,
  detachRefusal,
  lookupDrmCard,
  lookupPciDevice,
  lookupRouter,
  moduleUnloadRefusal,
  readClass,
  type Sysfs,
} from './eligibility.js';
import type { HelperRequest } from './request.js';
import { authorizeRefusal, deauthorizeRefusal } from './tunnel.js';

export type VerbOutcome = { readonly exit: number; readonly message: string };

export type HelperContext = {
  readonly sysfs: Sysfs;
  /** In a test root attributes are regular files: writes append a line for the simulated kernel. */
  readonly testRoot: boolean;
  /** Runs a program (or, in a test root, records its argv); a failure carries its message. */
  runCommand(argv: readonly string[]): { ok: true } | { ok: false; message: string };
};

const done = (message: string): VerbOutcome => ({ exit: HELPER_EXIT.ok, message });
const failed = (message: string): VerbOutcome => ({ exit: HELPER_EXIT.failed, message });
const refused = (message: string): VerbOutcome => ({ exit: HELPER_EXIT.invalid, message });

/** The path as it is on the target machine, for messages. */
const shown = (ctx: HelperContext, hostPath: string): string =>
  hostPath.slice(ctx.sysfs.root.length) || '/';

/**
 * One attribute write. `gone` is the message when the attribute vanished before we could open it
 * (ENOENT): the device left in the meantime, which for detaching verbs is the goal anyway.
 */
function writeAttr(
  ctx: HelperContext,
  hostPath: string,
  value: string,
  ok: string,
  gone?: string,
): VerbOutcome {
  const r = ctx.sysfs.fs.writeAttribute(hostPath, value, ctx.testRoot);
  if (r.ok) return done(ok);
  if (r.errno === 'ENOENT' && gone !== undefined) return done(gone);
  return failed(`writing '${value}' to ${shown(ctx, hostPath)} failed: ${r.errno}`);
}

function detach(ctx: HelperContext, verb: 'unbind' | 'remove', bdf: string): VerbOutcome {
  const s = ctx.sysfs;
  const dev = lookupPciDevice(s, bdf);
  if (dev.kind === 'absent') return done(`${verb} ${bdf}: already gone`);
  if (dev.kind === 'refused') return refused(`${verb}: ${dev.reason}`);
  const refusal = detachRefusal(s, dev.dir, bdf, verb);
  if (refusal !== null) return refused(`${verb}: ${refusal}`);
  if (verb === 'remove') {
    return writeAttr(
      ctx,
      `${dev.dir}/remove`,
      '1',
      `remove ${bdf}: removed`,
      `remove ${bdf}: already gone`,
    );
  }
  const drv = boundDriver(s, dev.dir);
  if (drv.kind === 'none') return done(`unbind ${bdf}: no driver bound, nothing to do`);
  if (drv.kind === 'refused') return refused(`unbind ${bdf}: ${drv.reason}`);
  return writeAttr(
    ctx,
    `${drv.dir}/unbind`,
    bdf,
    `unbind ${bdf}: unbound from ${drv.name}`,
    `unbind ${bdf}: already unbound`,
  );
}

function bind(ctx: HelperContext, bdf: string, driver: string): VerbOutcome {
  const s = ctx.sysfs;
  const dev = lookupPciDevice(s, bdf);
  if (dev.kind === 'absent') return failed(`bind ${bdf}: no such device (ENODEV)`);
  if (dev.kind === 'refused') return refused(`bind: ${dev.reason}`);
  const refusal = detachRefusal(s, dev.dir, bdf, 'bind');
  if (refusal !== null) return refused(`bind: ${refusal}`);
  const cls = readClass(s, dev.dir);
  const audio = driver === 'snd_hda_intel';
  const fits = audio
    ? cls !== null && cls >> 8 === PCI_CLASS_AUDIO_DEVICE
    : cls !== null && cls >> 16 === PCI_CLASS_DISPLAY;
  if (!fits)
    return refused(
      `bind: ${driver} does not drive ${bdf} (class 0x${cls?.toString(16).padStart(6, '0') ?? 'unknown'})`,
    );
  const bound = boundDriver(s, dev.dir);
  if (bound.kind === 'refused') return refused(`bind ${bdf}: ${bound.reason}`);
  if (bound.kind === 'bound') {
    if (bound.name === driver) return done(`bind ${bdf}: already bound to ${driver}`);
    return failed(`bind ${bdf}: already bound to ${bound.name} (EBUSY)`);
  }
  const drvDir = `${s.root}/sys/bus/pci/drivers/${driver}`;
  if (!s.fs.isDir(drvDir)) return failed(`bind ${bdf}: driver ${driver} is not loaded (ENOENT)`);
  return writeAttr(ctx, `${drvDir}/bind`, bdf, `bind ${bdf}: bound to ${driver}`);
}

function authorize(ctx: HelperContext, router: string, to: 0 | 1): VerbOutcome {
  const s = ctx.sysfs;
  const verb = to === 1 ? 'tb-authorize' : 'tb-deauthorize';
  const r = lookupRouter(s, router);
  if (r.kind === 'absent') {
    return to === 1
      ? failed(`${verb} ${router}: no such Thunderbolt device (ENOENT)`)
      : done(`${verb} ${router}: already gone`);
  }
  if (r.kind === 'refused') return refused(`${verb}: ${r.reason}`);
  if (to === 1) {
    const why = authorizeRefusal(s, router, r.dir, r.domainDir);
    if (why !== null) return refused(`${verb} ${router}: ${why}`);
  } else {
    if (s.fs.readText(`${r.domainDir}/deauthorization`)?.trim() !== '1') {
      const domain = r.domainDir.split('/').pop() ?? 'its domain';
      return refused(`${verb} ${router}: ${domain} does not support de-authorization`);
    }
    // Writing the value the router already has fails with EINVAL in tb_switch_set_authorized().
    const current = parseInt(s.fs.readText(`${r.dir}/authorized`) ?? '', 10);
    if (current === 0) return done(`${verb} ${router}: already de-authorized`);
    const why = deauthorizeRefusal(s, router, r.dir, r.domainDir);
    if (why !== null) return refused(`${verb} ${router}: ${why}`);
  }
  const what = to === 1 ? 'authorized' : 'de-authorized';
  return writeAttr(ctx, `${r.dir}/authorized`, String(to), `${verb} ${router}: ${what}`);
}

function drmRelease(ctx: HelperContext, card: string): VerbOutcome {
  const c = lookupDrmCard(ctx.sysfs, card);
  if (c.kind === 'absent') return done(`drm-release ${card}: already gone`);
  if (c.kind === 'refused') return refused(`drm-release: ${c.reason}`);
  // A synthetic uevent (Documentation/ABI/testing/sysfs-uevent): the card stays, the compositor
  // sees ACTION=remove and lets go of it.
  return writeAttr(ctx, `${c.dir}/uevent`, 'remove', `drm-release ${card}: remove event sent`);
}

function command(ctx: HelperContext, argv: readonly string[], what: string): VerbOutcome {
  const r = ctx.runCommand(argv);
  return r.ok ? done(`${what}: done`) : failed(`${what}: ${r.message}`);
}

export function executeRequest(ctx: HelperContext, req: HelperRequest): VerbOutcome {
  switch (req.verb) {
    case 'unbind':
    case 'remove':
      return detach(ctx, req.verb, req.bdf);
    case 'rescan':
      return writeAttr(
        ctx,
        `${ctx.sysfs.root}/sys/bus/pci/rescan`,
        '1',
        'rescan: PCI buses rescanned',
      );
    case 'bind':
      return bind(ctx, req.bdf, req.driver);
    case 'tb-authorize':
      return authorize(ctx, req.router, 1);
    case 'tb-deauthorize':
      return authorize(ctx, req.router, 0);
    case 'module-unload': {
      const why = moduleUnloadRefusal(ctx.sysfs, req.modules);
      if (why !== null) return refused(`module-unload: ${why}`);
      return command(
        ctx,
        [MODPROBE_PATH, '-r', ...req.modules],
        `module-unload ${req.modules.join(' ')}`,
      );
    }
    case 'module-load':
      return command(ctx, [MODPROBE_PATH, req.module], `module-load ${req.module}`);
    case 'drm-release':
      return drmRelease(ctx, req.card);
    case 'restart-unit':
      return command(ctx, [SYSTEMCTL_PATH, 'restart', req.unit], `restart-unit ${req.unit}`);
  }
}
