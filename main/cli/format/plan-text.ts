// Human output of action plans and their progress (`egpu eject`, `egpu recover`). Pure.

import type { ActionFinal, ActionPlan, StepProgress } from '../../common/actions-model.js';

const HELPER = 'egpu-guard-helper';

export function formatPlan(plan: ActionPlan): string {
  const verb = plan.action === 'eject' ? 'Eject' : 'Recover';
  const target = plan.name ? `${plan.name} (${plan.gpu ?? '?'})` : (plan.gpu ?? 'the eGPU');
  const out = [`${verb} ${target}: ${plan.result === 'ready' ? 'ready' : 'BLOCKED'}`];
  if (plan.blockers.length > 0) {
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
  // What makes the unplug itself unsafe (a drive on the same tunnel) is said louder than a note.
  const unplug = new Set(plan.unplugWarnings ?? []);
  for (const w of plan.warnings)
    out.push('', `${unplug.has(w) ? 'BEFORE YOU UNPLUG' : 'Note'}: ${w}`);
  return out.join('\n') + '\n';
}

const MARK: Readonly<Record<StepProgress['status'], string>> = {
  running: '…',
  done: '✓',
  failed: '✗',
  skipped: '-',
};

export const formatProgress = (p: StepProgress): string =>
  `  ${MARK[p.status]} ${p.step}: ${p.detail}`;

export function formatFinal(f: ActionFinal): string {
  const head =
    f.result === 'safe-to-unplug' && (f.unplugWarnings ?? []).length > 0
      ? 'GPU REMOVED, DRIVE STILL CONNECTED'
      : f.result === 'safe-to-unplug'
        ? 'SAFE TO UNPLUG'
        : f.result === 'recovered'
          ? 'RECOVERED'
          : f.result.toUpperCase();
  return `\n${head}: ${f.detail}\n`;
}
