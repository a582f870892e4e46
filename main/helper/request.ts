// Parses the helper's argv into one typed request. Pure and strict: a fixed verb, the exact number
// of arguments, each argument matched against an anchored pattern or an allow-list. Everything
// about the target itself (is it removable? a display controller?) is re-derived from sysfs later
// (eligibility.ts); nothing here trusts the caller beyond the shape of the words.

import { BDF_PATTERN } from '../common/pci.js';
import { err, ok, type Result } from '../common/result.js';
import {
  BIND_DRIVER_ALLOW_LIST,
  MODULE_ALLOW_LIST,
  UNIT_ALLOW_LIST,
  isHelperVerb,
  type HelperVerb,
} from '../common/helper-contract.js';

export type HelperRequest =
  | { readonly verb: 'unbind' | 'remove'; readonly bdf: string }
  | { readonly verb: 'rescan' }
  | { readonly verb: 'bind'; readonly bdf: string; readonly driver: string }
  | { readonly verb: 'tb-authorize' | 'tb-deauthorize'; readonly router: string }
  | { readonly verb: 'module-unload'; readonly modules: readonly string[] }
  | { readonly verb: 'module-load'; readonly module: string }
  | { readonly verb: 'drm-release'; readonly card: string }
  | { readonly verb: 'restart-unit'; readonly unit: string };

export type ParsedInvocation = {
  /** Host folder standing for '/', from `--test-root`; null on a real machine. */
  readonly testRoot: string | null;
  readonly request: HelperRequest;
};

/** A refusal is one line of English; the helper prints it and exits 2. */
export type ParseOutcome = Result<ParsedInvocation, string>;

/**
 * The only accepted PCI address form: lowercase, with function, as sysfs names devices
 * (Documentation/ABI/testing/sysfs-bus-pci) — the same pattern as main/common/pci.ts, so a device
 * behind Intel VMD (domain 10000 and up, five hex digits) is one the helper can act on too.
 */
export const BDF_RE = BDF_PATTERN;
/** Thunderbolt router names are `<domain>-<route in hex>` ('0-1', '1-301'); see thunderbolt.rst. */
export const ROUTER_RE = /^[0-9]{1,3}-[0-9a-f]{1,16}$/;
export const CARD_RE = /^card[0-9]{1,4}$/;

/** Quotes an argument for a one-line message: control characters and length stay harmless. */
export const quoteArg = (arg: string): string =>
  JSON.stringify(arg.length > 80 ? `${arg.slice(0, 80)}…` : arg);

const ARITY: Readonly<Record<HelperVerb, readonly [number, number]>> = {
  unbind: [1, 1],
  remove: [1, 1],
  rescan: [0, 0],
  bind: [2, 2],
  'tb-authorize': [1, 1],
  'tb-deauthorize': [1, 1],
  'module-unload': [1, MODULE_ALLOW_LIST.length],
  'module-load': [1, 1],
  'drm-release': [1, 1],
  'restart-unit': [1, 1],
};

const fail = (message: string): ParseOutcome => err(message);

function parseBdf(arg: string): string | null {
  return BDF_RE.test(arg) ? arg : null;
}

function parseRouter(arg: string): string | null {
  // Route 0 is the host router itself: there is nothing to (de)authorize there.
  if (!ROUTER_RE.test(arg) || /^[0-9]+-0+$/.test(arg)) return null;
  return arg;
}

function parseUnit(arg: string): string | null {
  const base = arg.endsWith('.service') ? arg.slice(0, -'.service'.length) : arg;
  return (UNIT_ALLOW_LIST as readonly string[]).includes(base) ? `${base}.service` : null;
}

const isModule = (arg: string): boolean => (MODULE_ALLOW_LIST as readonly string[]).includes(arg);

function parseRequest(verb: HelperVerb, args: readonly string[]): HelperRequest | string {
  const [a = '', b = ''] = args;
  switch (verb) {
    case 'unbind':
    case 'remove': {
      const bdf = parseBdf(a);
      return bdf === null ? `not a PCI address: ${quoteArg(a)}` : { verb, bdf };
    }
    case 'rescan':
      return { verb };
    case 'bind': {
      const bdf = parseBdf(a);
      if (bdf === null) return `not a PCI address: ${quoteArg(a)}`;
      if (!BIND_DRIVER_ALLOW_LIST.includes(b)) return `driver not allowed: ${quoteArg(b)}`;
      return { verb, bdf, driver: b };
    }
    case 'tb-authorize':
    case 'tb-deauthorize': {
      const router = parseRouter(a);
      return router === null ? `not a Thunderbolt device router: ${quoteArg(a)}` : { verb, router };
    }
    case 'module-unload': {
      const bad = args.find((m) => !isModule(m));
      if (bad !== undefined) return `module not allowed: ${quoteArg(bad)}`;
      if (new Set(args).size !== args.length) return 'a module is named twice';
      return { verb, modules: [...args] };
    }
    case 'module-load':
      return isModule(a) ? { verb, module: a } : `module not allowed: ${quoteArg(a)}`;
    case 'drm-release':
      return CARD_RE.test(a) ? { verb, card: a } : `not a DRM card name: ${quoteArg(a)}`;
    case 'restart-unit': {
      const unit = parseUnit(a);
      return unit === null ? `unit not allowed: ${quoteArg(a)}` : { verb, unit };
    }
  }
}

/**
 * argv as the helper received it (without node and the script). `--test-root DIR` is accepted
 * only as the very first two words and never when pkexec ran us (PKEXEC_UID is set): a caller
 * must not be able to point a root process at a folder of its choosing.
 */
export function parseHelperArgv(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseOutcome {
  let rest = argv;
  let testRoot: string | null = null;
  if (rest[0] === '--test-root') {
    if (env['PKEXEC_UID'] !== undefined) return fail('--test-root is refused under pkexec');
    const dir = rest[1];
    if (dir === undefined || dir === '' || dir.includes('\0') || dir.includes('\n')) {
      return fail('--test-root needs a folder');
    }
    testRoot = dir;
    rest = rest.slice(2);
  }
  const [verb, ...args] = rest;
  if (verb === undefined) return fail('no verb given');
  if (!isHelperVerb(verb)) return fail(`unknown verb ${quoteArg(verb)}`);
  const [min, max] = ARITY[verb];
  if (args.length < min) return fail(`${verb}: missing argument`);
  if (args.length > max) return fail(`${verb}: unexpected argument ${quoteArg(args[max] ?? '')}`);
  const request = parseRequest(verb, args);
  if (typeof request === 'string') return fail(`${verb}: ${request}`);
  return ok({ testRoot, request });
}
