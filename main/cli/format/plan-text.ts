// Human output of action plans and their progress (`egpu eject`, `egpu recover`). Pure.
//
// --dry-run prints the plan (with the helper commands root will run) and ends with the command
// to run next. --yes prints the plan's warnings, then each step once as it runs
// ("  2. Remove … … done"), then the result; a blocked answer ends with the command that gets
// past it (`--close-apps`, `--force`, `egpu restart-compositor` …).

import {
  FORCE_QUIT,
  type ActionFinal,
  type ActionPlan,
  type Blocker,
  type StepId,
  type StepProgress,
} from '../../common/actions-model.js';
import { shellQuote } from './compositor-text.js';

const HELPER = 'egpu-guard-helper';

/** A GPU that exists, for "GPUs here: …" after a missing or internal address. */
export type KnownGpu = { readonly bdf: string; readonly name: string; readonly external: boolean };

/** What the next command is built from. */
export type NextContext = {
  /** The address the user gave (recover may have none). */
  readonly bdf: string | null;
  /** Flags the next command carries over, e.g. ['--root', '/tmp/sim']. */
  readonly carry: readonly string[];
  /** --yes ran with --close-apps (then an app that did not quit needs --force). */
  readonly closeApps?: boolean;
  readonly force?: boolean;
  /** The GPUs on this machine now: named when the address is missing or not ejectable. */
  readonly gpus?: readonly KnownGpu[];
};

/** `egpu eject 0000:0a:00.0 --yes --root /tmp/x`: the command, its flags, then the carried ones. */
export function egpuCommand(
  action: 'eject' | 'recover',
  bdf: string | null,
  flags: readonly string[],
  carry: readonly string[],
): string {
  return shellQuote(['egpu', action, ...(bdf === null ? [] : [bdf]), ...flags, ...carry]);
}

/** "GPUs here: 0000:0a:00.0 NVIDIA GeForce RTX 3070 (external), 0000:00:02.0 … (internal)". */
export function gpuList(gpus: readonly KnownGpu[]): string {
  if (gpus.length === 0) return 'no GPU is present here';
  const sorted = [...gpus].sort((a, b) => Number(b.external) - Number(a.external));
  return `GPUs here: ${sorted.map((g) => `${g.bdf} ${g.name} (${g.external ? 'external' : 'internal'})`).join(', ')}`;
}

/** Of the carried flags, those every command takes: --root DIR, --proc DIR. */
function where(carry: readonly string[]): string[] {
  const out: string[] = [];
  carry.forEach((a, i) => {
    if ((a === '--root' || a === '--proc') && carry[i + 1] !== undefined)
      out.push(a, carry[i + 1]!);
  });
  return out;
}

/** For a GPU that is not there or not external: the GPUs that are, and the eject of one of them. */
function elsewhere(action: 'eject' | 'recover', ctx: NextContext): string {
  const gpus = ctx.gpus ?? [];
  const external = gpus.find((g) => g.external);
  const list = gpuList(gpus);
  if (action === 'recover') {
    // Without the address: a mistyped one would only be refused again, and a recovery without
    // one finds the GPU wherever it comes up.
    return `${list}.\nPlug the enclosure in (and power it), then: ${egpuCommand('recover', null, ['--dry-run'], ctx.carry)}`;
  }
  return external === undefined
    ? `${list}; none is external.\nTo see them: ${shellQuote(['egpu', 'status', ...where(ctx.carry)])}`
    : `${list}.\nTo eject the external one: ${egpuCommand('eject', external.bdf, ['--dry-run'], ctx.carry)}`;
}

/** `--gpu BDF` for `egpu clients`; nothing when no address was given (a plain `egpu recover`). */
const gpuFlag = (bdf: string | null): string[] => (bdf === null ? [] : ['--gpu', bdf]);

/** A recovery of a GPU that is working: its plan is only the final check. */
const checkOnly = (plan: ActionPlan): boolean =>
  plan.action === 'recover' &&
  plan.result === 'ready' &&
  plan.steps.every((s) => s.step === 'verify');

/** The line that ends a plan: what to run now that it is ready, or what gets past its blockers. */
export function nextLine(plan: ActionPlan, ctx: NextContext): string {
  const action = plan.action;
  const bdf = ctx.bdf;
  const yes = (extra: readonly string[] = []): string =>
    egpuCommand(action, bdf, ['--yes', ...extra], ctx.carry);
  if (checkOnly(plan)) return `Nothing to recover (${yes()} would only check it).`;
  if (plan.result === 'ready') return `To ${action} it: ${yes()}`;
  if (readyClosingApps(plan, ctx))
    return `To close ${plan.blockers.length === 1 ? 'it' : 'them'} and eject: ${yes(['--close-apps', ...(ctx.force === true ? ['--force'] : [])])}`;
  const fixed = plan.blockers.filter((b) => !b.closable);
  const first: Blocker | undefined = fixed[0];
  if (first === undefined) {
    const n = plan.blockers.length;
    return `To close ${n === 1 ? 'it' : 'them'} and eject: ${yes(['--close-apps'])}`;
  }
  switch (first.kind) {
    case 'primary-gpu':
      return `Log out first (${shellQuote(['egpu', 'restart-compositor'])} shows how), then: ${yes()}`;
    case 'client':
      return `Close ${fixed.length === 1 ? 'it' : 'them'} (${shellQuote(['egpu', 'clients', ...gpuFlag(bdf), ...where(ctx.carry)])} lists them), then: ${yes(plan.blockers.some((b) => b.closable) ? ['--close-apps'] : [])}`;
    case 'internal':
    case 'not-present':
      return elsewhere(action, ctx);
    case 'stuck':
      return `See what holds it: ${shellQuote(['egpu', 'clients', ...gpuFlag(bdf), ...where(ctx.carry)])}`;
    case 'new-device':
      return `Approve it in the eGPU Guard window: ${shellQuote(['egpu', 'ui', '--open'])}`;
    case 'unsupported':
      return `Once that is fixed, check again: ${egpuCommand(action, bdf, ['--dry-run'], ctx.carry)}`;
  }
}

/**
 * The line after a --yes that ended BLOCKED: an app that did not quit needs --force; one that
 * started using the GPU after the plan needs --close-apps; otherwise what the plan's blockers need.
 */
export function nextAfterRun(
  plan: ActionPlan,
  ctx: NextContext,
  failedSteps: readonly StepId[],
): string {
  const yes = (extra: readonly string[]): string =>
    egpuCommand(plan.action, ctx.bdf, ['--yes', ...extra], ctx.carry);
  if (plan.action === 'eject' && failedSteps.includes('close-app') && ctx.force !== true)
    return `To kill what did not quit (SIGKILL, unsaved work is lost): ${yes(['--force'])}`;
  const fixed = plan.blockers.some((b) => !b.closable);
  if (plan.action === 'eject' && !fixed && (plan.result === 'ready' || ctx.closeApps === true))
    return `To close what holds it and eject: ${yes(['--close-apps'])}`;
  return nextLine(plan, ctx);
}

/**
 * An eject blocked only by apps the user agreed to close (--close-apps): the run closes them
 * and goes on, so the plan is ready — and a dry run says so, exit 0 (eject.ts).
 */
export const readyClosingApps = (plan: ActionPlan, ctx?: NextContext): boolean =>
  plan.action === 'eject' &&
  plan.result === 'blocked' &&
  ctx?.closeApps === true &&
  plan.blockers.every((b) => b.closable);

export function formatPlan(plan: ActionPlan, ctx?: NextContext): string {
  const verb = plan.action === 'eject' ? 'Eject' : 'Recover';
  const target = plan.name ? `${plan.name} (${plan.gpu ?? '?'})` : (plan.gpu ?? 'the eGPU');
  const closing = readyClosingApps(plan, ctx);
  const n = plan.blockers.length;
  const state = closing
    ? `ready, closing ${n === 1 ? 'the app' : `${n} apps`} that ${n === 1 ? 'holds' : 'hold'} it first`
    : checkOnly(plan)
      ? 'nothing to do, it is working'
      : plan.result === 'ready'
        ? 'ready'
        : 'BLOCKED';
  const out = [`${verb} ${target}: ${state}`];
  if (closing) {
    out.push(
      '',
      ctx?.force === true ? 'Closes (SIGTERM; SIGKILL if it does not quit):' : 'Closes (SIGTERM):',
    );
    for (const b of plan.blockers) out.push(`  • ${b.reason}`);
  } else if (plan.blockers.length > 0) {
    out.push('', 'Blockers:');
    for (const b of plan.blockers) {
      out.push(`  ✗ ${b.reason}${b.closable ? '  [can be closed: --close-apps]' : ''}`);
    }
  }
  if (plan.steps.length > 0) {
    out.push('', 'Plan:');
    plan.steps.forEach((s, i) => {
      const cmd = s.helper ? `   $ ${HELPER} ${s.helper.join(' ')}` : '';
      out.push(`  ${String(i + 1).padStart(2)}. ${s.privileged ? '[root] ' : ''}${s.detail}${cmd}`);
    });
  }
  out.push(...formatWarnings(plan));
  if (ctx !== undefined) out.push('', nextLine(plan, ctx));
  return out.join('\n') + '\n';
}

/** The plan's warnings: what makes the unplug itself unsafe (a drive on the same tunnel) louder. */
function formatWarnings(plan: ActionPlan): string[] {
  const out: string[] = [];
  const unplug = new Set(plan.unplugWarnings ?? []);
  for (const w of plan.warnings)
    out.push('', `${unplug.has(w) ? 'BEFORE YOU UNPLUG' : 'Note'}: ${w}`);
  return out;
}

/** What --yes prints before its first step: the action, then the plan's warnings. */
export function formatRunHeader(plan: ActionPlan): string {
  const verb = plan.action === 'eject' ? 'Ejecting' : 'Recovering';
  const target = plan.name ? `${plan.name} (${plan.gpu ?? '?'})` : (plan.gpu ?? 'the eGPU');
  const warnings = formatWarnings(plan);
  return [`${verb} ${target}`, ...warnings, ...(warnings.length > 0 ? [''] : [])].join('\n') + '\n';
}

const MARK: Readonly<Record<StepProgress['status'], string>> = {
  running: '…',
  done: '✓',
  failed: '✗',
  skipped: '-',
};

/** One progress event as one JSON-free line (kept for callers that print events one by one). */
export const formatProgress = (p: StepProgress): string => `  ${MARK[p.status]} ${p.detail}`;

/**
 * Prints each step once: its words when it starts ("   2. Remove 0000:08:00.0 … … "), its
 * outcome on the same line when it ends ("done", "FAILED: why"), so a step that hangs shows
 * which one it is. The "safe to unplug" step is the result line itself, so it is not repeated.
 */
export function createStepPrinter(write: (text: string) => void): {
  readonly onProgress: (p: StepProgress) => void;
  /** Ends a step line left open (cancelled or refused mid-step). */
  readonly finish: () => void;
  /** Steps whose outcome was 'failed', in order. */
  readonly failed: () => readonly StepId[];
} {
  const failed: StepId[] = [];
  let open: StepId | null = null;
  // One number per line: an eject closes each app in a step of its own kind ('close-app').
  let lines = 0;
  const numberOf = (): number => ++lines;
  const close = (): void => {
    if (open !== null) write('\n');
    open = null;
  };
  return {
    onProgress(p) {
      if (p.step === 'safe-to-unplug') return;
      if (p.status === 'running') {
        close();
        write(`  ${String(numberOf()).padStart(2)}. ${p.detail} … `);
        open = p.step;
        return;
      }
      if (open !== p.step) {
        close();
        write(`  ${String(numberOf()).padStart(2)}. `);
      }
      open = null;
      if (p.status === 'failed') failed.push(p.step);
      write(
        p.status === 'done'
          ? p.detail.endsWith(FORCE_QUIT)
            ? 'did not quit: force-quit (SIGKILL)\n'
            : 'done\n'
          : p.status === 'failed'
            ? `FAILED: ${p.detail}\n`
            : `skipped (${p.detail})\n`,
      );
    },
    finish: close,
    failed: () => failed,
  };
}

export function formatFinal(f: ActionFinal): string {
  const head =
    f.result === 'safe-to-unplug' && (f.unplugWarnings ?? []).length > 0
      ? 'GPU REMOVED, DRIVE STILL CONNECTED'
      : f.result === 'safe-to-unplug'
        ? 'SAFE TO UNPLUG'
        : f.result === 'recovered'
          ? f.unchanged === true
            ? 'NOTHING TO DO'
            : 'RECOVERED'
          : f.result.toUpperCase();
  return `\n${head}: ${f.detail}\n`;
}
