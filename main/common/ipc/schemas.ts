// zod schemas for every invoke channel's input. Every handler (Electron and browser mode) parses
// its input with these before anything else; outputs are typed by contract.ts.

import { z } from 'zod';
import { appError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import { INVOKE_CHANNELS, type InvokeChannel } from './channels.js';
import type { InputOf } from './contract.js';

const bdf = z
  .string()
  .regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, 'a PCI address dddd:bb:dd.f');
const pid = z
  .number()
  .int()
  .positive()
  .max(2 ** 22);
const runId = z.string().regex(/^[a-z0-9-]{1,64}$/);
/** A Thunderbolt router's unique_id (a UUID; bolt's Uid): the new device the user approved. */
const approve = z
  .string()
  .regex(/^[0-9A-Za-z-]{1,64}$/, 'a Thunderbolt unique_id')
  .nullable()
  .optional();
const empty = z.undefined().or(z.null()).or(z.object({}).strict());

export const DEMO_ACTIONS = [
  'plug',
  'unplug',
  'start-app',
  'stop-app',
  'fall-off-bus',
  'reset',
] as const;

export const INPUT_SCHEMAS = {
  [INVOKE_CHANNELS.getSnapshot]: empty,
  [INVOKE_CHANNELS.refreshClients]: empty,
  [INVOKE_CHANNELS.planEject]: z.object({ bdf }).strict(),
  [INVOKE_CHANNELS.runEject]: z
    .object({ bdf, closePids: z.array(pid).max(4096), force: z.boolean() })
    .strict(),
  [INVOKE_CHANNELS.planRecover]: z.object({ bdf: bdf.nullable(), approve }).strict(),
  [INVOKE_CHANNELS.runRecover]: z.object({ bdf: bdf.nullable(), approve }).strict(),
  [INVOKE_CHANNELS.cancelAction]: z.object({ runId }).strict(),
  [INVOKE_CHANNELS.closeClient]: z.object({ pid, force: z.boolean() }).strict(),
  [INVOKE_CHANNELS.compositorAdvice]: empty,
  // An action the advice offered, by id; `confirmed`: the user ticked its warning (it closes apps).
  [INVOKE_CHANNELS.runCompositorAction]: z
    .object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'an action id'), confirmed: z.boolean() })
    .strict(),
  [INVOKE_CHANNELS.appInfo]: empty,
  [INVOKE_CHANNELS.demoAct]: z.object({ action: z.enum(DEMO_ACTIONS) }).strict(),
} as const;

/** zod's issues in one short line, for the person reading the error. */
function describeIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** One channel's input, parsed — or invalid-input naming the channel and what is wrong. */
export function parseInput<C extends InvokeChannel>(
  channel: C,
  raw: unknown,
  /** What the message calls the input's owner (a D-Bus method's name); default the channel. */
  label: string = channel,
): Result<InputOf<C>> {
  const parsed = INPUT_SCHEMAS[channel].safeParse(raw);
  return parsed.success
    ? ok(parsed.data as InputOf<C>)
    : err(appError('invalid-input', `${label}: ${describeIssues(parsed.error.issues)}`));
}
