// `npm start` builds only what changed: the staleness rules of scripts/build-stamp.mjs on a
// folder of sources, and `npm start` / `npm run demo` wired to them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprint, readStamp, sources, staleness, type BuildPart } from './build-stamp.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function project(): { dir: string; part: BuildPart; touch: (file: string, ageS?: number) => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'egpu-build-stamp-'));
  dirs.push(dir);
  const touch = (file: string, ageS = 0): void => {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (!fs.existsSync(full)) fs.writeFileSync(full, 'x');
    const t = new Date(Date.now() - ageS * 1000);
    fs.utimesSync(full, t, t);
  };
  touch('src/a.ts', 60);
  touch('src/test/fake.ts', 60);
  touch('out/main.js', 30);
  const part: BuildPart = {
    inputs: [path.join(dir, 'src')],
    filter: (f) => !f.split(path.sep).includes('test'),
    output: path.join(dir, 'out/main.js'),
    toolchain: [path.join(dir, 'package-lock.json')],
  };
  return { dir, part, touch };
}

describe('build stamps: what `npm start` rebuilds', () => {
  it('nothing when no source changed; says why when one did, was added or removed', () => {
    const { dir, part, touch } = project();
    const built = fingerprint(sources(part));
    expect(built.count).toBe(1); // src/test/* is not a source of the part
    expect(staleness(part, built, undefined)).toBe('no record of the last build');
    expect(staleness(part, fingerprint(sources(part)), built)).toBeNull();
    touch('src/test/fake.ts'); // a test changed: dist/ does not care
    expect(staleness(part, fingerprint(sources(part)), built)).toBeNull();
    touch('src/a.ts');
    expect(staleness(part, fingerprint(sources(part)), built)).toBe('sources changed');
    const edited = fingerprint(sources(part));
    touch('src/b.ts', 3600); // an old file copied in is new all the same
    expect(staleness(part, fingerprint(sources(part)), edited)).toBe('1 new file');
    fs.rmSync(path.join(dir, 'src/b.ts'));
    fs.rmSync(path.join(dir, 'src/a.ts'));
    expect(staleness(part, fingerprint(sources(part)), edited)).toBe('files removed');
    fs.rmSync(path.join(dir, 'out/main.js'));
    expect(staleness(part, fingerprint(sources(part)), edited)).toBe(`${part.output} is missing`);
    touch('package-lock.json');
    expect(fingerprint(sources(part)).count).toBe(1);
  });

  it('an unreadable or missing stamp means: build everything', () => {
    const { dir } = project();
    expect(readStamp(path.join(dir, 'none.json'))).toEqual({});
    fs.writeFileSync(path.join(dir, 'bad.json'), '{');
    expect(readStamp(path.join(dir, 'bad.json'))).toEqual({});
  });

  it('`npm start` and `npm run demo` build only what is stale, then start the same way', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['start']).toBe('node scripts/start.mjs');
    expect(pkg.scripts['demo']).toBe('node scripts/start.mjs --demo');
    expect(fs.readFileSync('scripts/start.mjs', 'utf8')).toContain(
      "['scripts/build.mjs', '--if-stale']",
    );
  });
});
