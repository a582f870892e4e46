// Test support: a copy of the built app that an unprivileged user can run, whatever the checkout's
// modes. Tests that run the CLI or the helper as nobody (runuser/setpriv) need it: a clone made in
// a 0700 folder (`mktemp -d`, a private home) is unreachable for nobody, and the tests must not
// widen the modes of folders they do not own. The copy holds what a package install holds — the
// launchers in bin/, dist/, package.json and the production dependency closure — with 0755
// folders and world-readable files.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type WorldReadableBuild = {
  /** The copy's root: `${root}/bin/egpu.js`, `${root}/dist/main/…`. */
  root: string;
  /** The same path inside the copy for a path inside the checkout (extra files included). */
  pathOf(repoPath: string): string;
  cleanup(): void;
};

/** Production dependencies and theirs, as package folders relative to the repository root. */
function dependencyClosure(): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const dir = path.join('node_modules', name);
    if (seen.has(dir) || !fs.existsSync(path.join(REPO_ROOT, dir, 'package.json'))) return;
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(root.dependencies ?? {})) visit(dep);
  return [...seen];
}

function copyReadable(from: string, to: string): void {
  const st = fs.lstatSync(from);
  if (st.isDirectory()) {
    fs.mkdirSync(to, { recursive: true, mode: 0o755 });
    fs.chmodSync(to, 0o755);
    for (const e of fs.readdirSync(from)) copyReadable(path.join(from, e), path.join(to, e));
  } else if (st.isFile()) {
    fs.copyFileSync(from, to);
    fs.chmodSync(to, st.mode & 0o111 ? 0o755 : 0o644);
  }
  // Symlinks (node_modules/.bin) are not needed to run the app.
}

/**
 * Copies the built app (the vitest global setup builds dist/) plus `extra` paths inside the
 * repository, absolute or relative to its root (e.g. a probe script that imports dist/ relative to
 * itself), into a fresh 0755 folder under the temp directory.
 */
export function worldReadableBuild(extra: readonly string[] = []): WorldReadableBuild {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-readable-build-')));
  fs.chmodSync(root, 0o755);
  const parts = [
    'bin',
    'dist/main',
    'dist/helper',
    'package.json',
    ...dependencyClosure(),
    ...extra,
  ];
  for (const part of parts) {
    const from = path.resolve(REPO_ROOT, part);
    const rel = path.relative(REPO_ROOT, from);
    if (rel.startsWith('..') || !fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true, mode: 0o755 });
    copyReadable(from, path.join(root, rel));
  }
  // mkdirSync's mode is filtered by the umask: open every intermediate folder explicitly.
  const openDirs = (dir: string): void => {
    fs.chmodSync(dir, 0o755);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) openDirs(path.join(dir, e.name));
    }
  };
  openDirs(root);
  return {
    root,
    pathOf: (repoPath) =>
      path.join(root, path.relative(REPO_ROOT, path.resolve(REPO_ROOT, repoPath))),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
