// A local ESLint rule: who may import whom, as the table in docs/architecture.md says (its
// "Layers" section). VS Code keeps its layers with a checker of this kind (its
// "code-import-patterns" rule); this is the same idea in a few lines: each file belongs to a layer by its folder, each
// relative import is resolved to the layer it lands in, and an import the table does not allow is
// reported with the rule that forbids it. Type-only imports count too: a layer that needs another's
// types depends on it. Tests and test support are free (they wire layers together on purpose),
// but nothing else may import them: they never ship (tsconfig.build.json leaves them out of dist/).

import * as path from 'node:path';

/** Layers by folder, most specific first; the key is what messages name. */
const LAYERS = [
  ['main/common', 'main/common/'],
  ['main/platform', 'main/platform/'],
  ['main/helper', 'main/helper/'],
  ['main/inventory', 'main/inventory/'],
  ['main/sources', 'main/sources/'],
  ['main/diagnose', 'main/diagnose/'],
  ['main/state', 'main/state/'],
  ['main/actions', 'main/actions/'],
  ['main/notify', 'main/notify/'],
  ['main/core', 'main/core/'],
  ['main/sim', 'main/sim/'],
  ['main/service', 'main/service/'],
  ['main/cli', 'main/cli/'],
  ['main/server', 'main/server/'],
  ['electron', 'electron/'],
  ['renderer', 'renderer/'],
];

/** Who may import whom (besides itself). Arrows point down: nothing imports upwards. */
export const ALLOWED = {
  'main/common': [],
  'main/platform': ['main/common'],
  'main/helper': ['main/common'],
  'main/inventory': ['main/platform', 'main/common'],
  'main/sources': ['main/platform', 'main/common'],
  'main/diagnose': ['main/platform', 'main/common'],
  'main/state': ['main/diagnose', 'main/common'],
  'main/actions': ['main/state', 'main/inventory', 'main/diagnose', 'main/platform', 'main/common'],
  'main/notify': ['main/state', 'main/platform', 'main/common'],
  'main/core': [
    'main/actions',
    'main/notify',
    'main/state',
    'main/sources',
    'main/inventory',
    'main/diagnose',
    'main/platform',
    'main/common',
  ],
  'main/sim': [
    'main/core',
    'main/actions',
    'main/notify',
    'main/state',
    'main/sources',
    'main/inventory',
    'main/diagnose',
    'main/platform',
    'main/helper',
    'main/common',
  ],
  // the session's core on the session bus: a transport over the core's router, and the faces'
  // way to attach to the core that runs
  'main/service': ['main/core', 'main/platform', 'main/common'],
  'main/cli': [
    'main/core',
    'main/service',
    // `egpu ui` hosts browser mode: the server is a transport over the core's router
    'main/server',
    'main/actions',
    'main/notify',
    'main/inventory',
    'main/diagnose',
    'main/platform',
    'main/common',
  ],
  'main/server': ['main/core', 'main/service', 'main/notify', 'main/platform', 'main/common'],
  electron: ['main/core', 'main/service', 'main/notify', 'main/platform', 'main/common'],
  renderer: ['main/common'],
};

/** Why a layer may not import another, for the message. */
const WHY = {
  'main/common': 'main/common is shared with the renderer: it imports nothing but itself',
  'main/platform': 'main/platform is the only OS access and depends on nothing but main/common',
  'main/helper':
    'the privileged helper stands alone: only main/common (its verb contract lives there)',
  'main/state': 'the state machine is pure: facts come in, it reads nothing itself',
  'main/actions': 'actions never import the core (the core composes them)',
  'main/notify': 'notification policy depends on state types only, never the core',
  'main/service': 'the bus service is a transport over the core: core API, platform, common',
  'main/server': 'faces reach the core only through its API, factory and router',
  electron: 'faces reach the core only through its API, factory and router',
  renderer: 'the renderer imports main/common only',
};

/**
 * Imports that break the table today, each to be removed by moving code where it belongs (the
 * issue "One router, enforced layers"): listed one by one so that no new crossing can slip in
 * while these are fixed. `from file → to file`, both relative to the repository root.
 */
export const KNOWN_CROSSINGS = new Set([
  // the text-log source strips syslog stamps with diagnose's log-line parser
  'main/sources/text-log-follower.ts → main/diagnose/log-line.js',
]);

const rel = (file, root) => path.relative(root, file).split(path.sep).join('/');
const layerOf = (p) => LAYERS.find(([, prefix]) => p.startsWith(prefix))?.[0] ?? null;
const isTest = (p) => /\.test\.[jt]s$/.test(p) || /(^|\/)test\//.test(p);

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'who may import whom between the layers of main/, electron/ and renderer/',
    },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = rel(context.filename, root);
    const from = layerOf(file);
    if (from === null || isTest(file)) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = rel(path.resolve(path.dirname(context.filename), spec), root);
      if (isTest(target)) {
        // Within a layer too: the scripted FakeCore sits in main/core/test/ so that it never ships.
        context.report({
          node,
          message: `layers: ${file} may not import test code (${target}): tests and test support never ship.`,
        });
        return;
      }
      const to = layerOf(target);
      if (to === null || to === from || ALLOWED[from].includes(to)) return;
      // The simulator is loaded lazily for --demo only: a dynamic import() of main/sim is allowed.
      if (to === 'main/sim' && node.type === 'ImportExpression') return;
      if (KNOWN_CROSSINGS.has(`${file} → ${target}`)) return;
      context.report({
        node,
        message: `layers: ${from} may not import ${to} (${target}): ${WHY[from] ?? `${from} may import only ${ALLOWED[from].join(', ') || 'itself'}`}.`,
      });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

export default { rules: { layers: layersRule } };
