// Human output of `egpu restart-compositor`: the session, what to know, the actions with their
// exact commands and warnings, and the configuration snippets printed raw between marker lines
// so a copy is byte-exact. Pure.

import type { CompositorAction, CompositorAdvice } from '../../common/actions-model.js';
import { wrapText } from '../../common/text-wrap.js';

const WIDTH = 96;

/** argv as text a POSIX shell reads back to the same words. */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

function actionBlock(a: CompositorAction): string[] {
  const out = [`  ${a.id}${a.warning ? '  (needs --yes)' : ''}`, `      ${a.title}`];
  out.push(...wrapText(a.detail, WIDTH, '      '));
  if (a.command === undefined) out.push('      (done by hand; --run cannot do it)');
  else if (a.privileged && a.helper !== undefined) {
    out.push(
      `      Runs as root through polkit: egpu-guard-helper ${a.helper.join(' ')}`,
      `      which runs: ${shellQuote(a.command)}`,
    );
  } else out.push(`      $ ${shellQuote(a.command)}`);
  if (a.warning) out.push(...wrapText(`WARNING: ${a.warning}`, WIDTH, '      '));
  return out;
}

export function formatCompositorAdvice(advice: CompositorAdvice): string {
  const out: string[] = [`Session: ${advice.sessionDetail}`, `Kind:    ${advice.session}`];
  if ((advice.notes ?? []).length > 0) {
    out.push('', 'What to know:');
    for (const n of advice.notes ?? []) {
      const [firstLine, ...rest] = wrapText(n, WIDTH, '    ');
      out.push(`  - ${(firstLine ?? '').trimStart()}`, ...rest);
    }
  }
  out.push('', 'Actions (run one with: egpu restart-compositor --run ID):');
  for (const a of advice.actions) out.push(...actionBlock(a));
  if (advice.config.length > 0) {
    out.push('', 'Keep the compositor off the eGPU next time:');
    advice.config.forEach((c, i) => {
      out.push(
        '',
        `  ${i + 1}. ${c.title}`,
        `     File: ${c.path}`,
        '-----8<-----',
        c.text.replace(/\n$/, ''),
        '-----8<-----',
        ...wrapText(`Apply: ${c.apply}`, WIDTH, '     '),
      );
    });
  }
  return out.join('\n') + '\n';
}

/**
 * An unknown desktop, and no compositor or X server holds an eGPU: nothing needs to let go, so
 * a few lines instead of every compositor's configuration (`--all` prints it).
 */
export function formatIdleUnknown(
  advice: CompositorAdvice,
  egpuAttached: boolean,
  carry: readonly string[],
): string {
  return (
    [
      `Session: ${advice.sessionDetail}`,
      egpuAttached
        ? 'No compositor or X server holds the eGPU now: nothing needs restarting before you eject it.'
        : 'No external GPU is attached now: nothing needs restarting.',
      'eGPU Guard could not tell which desktop this is.',
      `For the generic actions and every compositor's configuration: ${shellQuote(['egpu', 'restart-compositor', '--all', ...carry])}`,
    ].join('\n') + '\n'
  );
}
