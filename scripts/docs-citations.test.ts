// Comments cite documents a reader of this repository can open: the kernel's Documentation/, a
// man page, a specification, an upstream project's file — or this repository's own docs/. A
// comment that points at a design or research note kept outside the repository, or at a docs/
// page that does not exist, fails here. docs/architecture.md's layer table must also say what
// the lint rule in scripts/eslint/layers.js enforces.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED } from './eslint/layers.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Where comments are looked for. Fixtures, build output and dependencies are not ours to check. */
const SCAN_DIRS = ['main', 'electron', 'renderer', 'scripts', 'assets', 'bin', 'docs'];
const SCAN_FILES = ['eslint.config.js', 'vitest.config.ts', 'electron-builder.yml', 'README.md'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'fixtures', '.bench', 'screenshots']);
const SELF = path
  .relative(ROOT, import.meta.filename)
  .split(path.sep)
  .join('/');

/** Notes that live outside the repository: citing them leaves the reader with nothing to open. */
const OUTSIDE = [
  { re: /linux-interfaces(?:\.md)?/, what: 'the Linux-interfaces research note' },
  { re: /architecture-study/, what: 'the architecture study' },
  { re: /\btoolchain\.md\b/, what: 'the toolchain note' },
  { re: /\bprior-art(?:\.md)?\b/, what: 'the prior-art note' },
  { re: /\bDESIGN(?:\.md)?\b/, what: 'the design note' },
  { re: /\/shared\//, what: 'a path into the shared folder beside the repository' },
  { re: /\breference(?:\/[\w-]+\.md| §)/, what: 'the reference notes' },
];

/**
 * `docs/…` paths that belong to an upstream project, not to this repository: allowed only when
 * the project is named just before the path (e.g. "systemd docs/JOURNAL_EXPORT_FORMATS.md").
 */
const UPSTREAM_DOCS: Readonly<Record<string, readonly string[]>> = {
  'docs/JOURNAL_EXPORT_FORMATS.md': ['systemd'],
  'docs/env_vars.md': ['wlroots'],
  'docs/env.md': ['aquamarine'],
};

const DOCS_PATH = /(?<![\w./-])docs\/[\w./-]*[\w-]/g;

type Problem = { file: string; line: number; text: string; why: string };

const COMMENT_SYNTAX = {
  // A line that opens or continues a block comment, or `//` at the start or after a space (never
  // the one in a URL).
  code: /^\s*(?:\/\*+|\*(?!\/))(.*)$|(?:^|\s)\/\/+(.*)$/,
  hash: /(?:^|\s)#(.*)$/,
  svelte: /^\s*(?:\/\*+|\*(?!\/)|<!--)(.*)$|(?:^|\s)(?:\/\/+|<!--)(.*)$/,
} as const;

function syntaxOf(file: string): RegExp | 'all' | null {
  if (/\.md$/.test(file)) return 'all';
  if (/\.(?:ts|js|mjs|cjs)$/.test(file)) return COMMENT_SYNTAX.code;
  if (/\.svelte$/.test(file)) return COMMENT_SYNTAX.svelte;
  if (/\.(?:sh|ya?ml)$/.test(file)) return COMMENT_SYNTAX.hash;
  return null;
}

/**
 * Comment text of a file as blocks of consecutive comment lines joined by spaces, so a citation
 * broken over two lines is still read whole; each block remembers the line it starts on.
 */
export function commentBlocks(file: string, text: string): { line: number; text: string }[] {
  const syntax = syntaxOf(file);
  if (syntax === null) return [];
  const lines = text.split('\n');
  if (syntax === 'all') return lines.map((l, i) => ({ line: i + 1, text: l }));
  const blocks: { line: number; text: string }[] = [];
  let open: { line: number; parts: string[] } | null = null;
  lines.forEach((l, i) => {
    const m = syntax.exec(l);
    if (m) {
      open ??= { line: i + 1, parts: [] };
      open.parts.push((m[1] ?? m[2] ?? '').trim());
    } else if (open) {
      blocks.push({ line: open.line, text: open.parts.join(' ') });
      open = null;
    }
  });
  if (open !== null) {
    const last: { line: number; parts: string[] } = open;
    blocks.push({ line: last.line, text: last.parts.join(' ') });
  }
  return blocks;
}

/** What is wrong with the citations in one file's comments. */
export function citationProblems(
  file: string,
  text: string,
  exists: (repoPath: string) => boolean,
): Problem[] {
  const problems: Problem[] = [];
  for (const block of commentBlocks(file, text)) {
    const report = (why: string) =>
      problems.push({ file, line: block.line, text: block.text.slice(0, 160), why });
    for (const { re, what } of OUTSIDE) {
      if (re.test(block.text)) report(`cites ${what}, which is not in this repository`);
    }
    for (const m of block.text.matchAll(DOCS_PATH)) {
      const cited = m[0].replace(/\.$/, '');
      const owners = UPSTREAM_DOCS[cited];
      if (owners) {
        const before = block.text.slice(Math.max(0, m.index - 40), m.index);
        if (!owners.some((o) => before.includes(o))) {
          report(`${cited} is ${owners.join('/')}'s file: name the project before it`);
        }
      } else if (!exists(cited)) {
        report(`cites ${cited}, which does not exist`);
      }
    }
  }
  return problems;
}

function filesToScan(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(ROOT, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) {
      for (const e of fs.readdirSync(abs)) if (!SKIP_DIRS.has(e)) walk(`${rel}/${e}`);
    } else if (syntaxOf(rel) !== null && rel !== SELF) {
      out.push(rel);
    }
  };
  for (const d of SCAN_DIRS) walk(d);
  for (const f of SCAN_FILES) walk(f);
  return out;
}

const existsInRepo = (p: string): boolean => fs.existsSync(path.join(ROOT, p));

describe('citations in comments', () => {
  it('catch notes kept outside the repository and docs/ pages that do not exist', () => {
    const bad = citationProblems(
      'main/x.ts',
      [
        '// Facts (linux-interfaces.md §4.1): one line per property.',
        'const a = 1; // the layer rules (DESIGN.md §2)',
        '/**',
        ' * See docs/no-such-page.md and ../shared/logcorpus/LABELING.md.',
        ' */',
        '// journal export format (docs/JOURNAL_EXPORT_FORMATS.md)',
      ].join('\n'),
      () => false,
    );
    expect(bad.map((p) => p.why)).toEqual([
      'cites the Linux-interfaces research note, which is not in this repository',
      'cites the design note, which is not in this repository',
      'cites a path into the shared folder beside the repository, which is not in this repository',
      'cites docs/no-such-page.md, which does not exist',
      "docs/JOURNAL_EXPORT_FORMATS.md is systemd's file: name the project before it",
    ]);
  });

  it('accept upstream sources, existing docs/ pages, and the same words outside comments', () => {
    const ok = citationProblems(
      'main/x.ts',
      [
        '// Facts (systemd docs/JOURNAL_EXPORT_FORMATS.md, udevadm(8), Documentation/ABI/testing/',
        '// sysfs-bus-pci; wlroots',
        '// docs/env_vars.md). Layers: docs/architecture.md.',
        "const url = 'https://example.org/docs/whatever.md'; // Electron's security checklist",
        "const s = 'linux-interfaces.md';",
      ].join('\n'),
      (p) => p === 'docs/architecture.md',
    );
    expect(ok).toEqual([]);
  });

  it('in this repository point only at documents it holds or upstream sources', () => {
    const files = filesToScan();
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((f) =>
      citationProblems(f, fs.readFileSync(path.join(ROOT, f), 'utf8'), existsInRepo),
    );
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.why} — ${p.text}`)).toEqual([]);
  });
});

describe('docs/architecture.md', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  /** The layer table: first cell → the layers named in the second cell. */
  const table = new Map(
    [...doc.matchAll(/^\| `([\w/]+)` +\| (.*) \|$/gm)].map((m) => [
      m[1] ?? '',
      [...(m[2] ?? '').matchAll(/`([\w/]+)`/g)].map((n) => n[1] ?? ''),
    ]),
  );

  it('has a row for every layer of the lint rule', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('lists exactly the imports the lint rule allows (the core and the simulator in words)', () => {
    for (const [layer, allowed] of Object.entries(ALLOWED)) {
      if (layer === 'main/core' || layer === 'main/sim') continue;
      expect([layer, [...(table.get(layer) ?? [])].sort()]).toEqual([layer, [...allowed].sort()]);
    }
  });

  it('is the table scripts/eslint/layers.js says it follows', () => {
    const header = fs.readFileSync(path.join(ROOT, 'scripts/eslint/layers.js'), 'utf8');
    expect(header.split('\n').slice(0, 3).join(' ')).toContain('docs/architecture.md');
  });
});
