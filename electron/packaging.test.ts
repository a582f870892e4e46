// Packaging, as far as this machine can go without the Electron binary and without fpm:
// `npm run package:dir` with a stub Electron, then the asar and resources checked by
// scripts/check-package.mjs; the helper bundle run on its own; the deb/rpm scripts rendered the
// way electron-builder renders them and run against a temporary root.
import asar from '@electron/asar';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELPER_INSTALL_PATH } from '../main/common/helper-contract.js';
import { makeRoot } from '../main/helper/test/helper-fixture.js';
import { tb3Nvidia } from '../main/sim/scenarios/tb3-nvidia.js';
import { checkPackage } from '../scripts/check-package.mjs';

const BUILDER = 'node_modules/electron-builder/cli.js';
const UNPACKED = 'dist-packages/linux-unpacked';
const POLICY = '/usr/share/polkit-1/actions/io.github.egpuguard.policy';
/** The session service, its systemd user unit and its D-Bus activation file, installed. */
const SERVICE = '/usr/libexec/egpu-guard/egpu-guard-service';
const SCAN_WORKER = '/usr/libexec/egpu-guard/proc-scan-worker.cjs';
const SCANNER = '/usr/libexec/egpu-guard/egpu-proc-scan';
const UNIT = '/usr/lib/systemd/user/egpu-guard.service';
const ACTIVATION = '/usr/share/dbus-1/services/io.github.EgpuGuard1.service';

const temps: string[] = [];
const tmp = (prefix: string): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

/** What electron-builder's FpmTarget does to afterInstall/afterRemove: fill the ${name} macros. */
function renderTemplate(file: string): string {
  const macros: Record<string, string> = {
    executable: 'egpu-guard',
    sanitizedProductName: 'eGPU Guard',
    productFilename: 'eGPU Guard',
  };
  return fs.readFileSync(file, 'utf8').replace(/\${([a-zA-Z]+)}/g, (_m, name: string) => {
    const value = macros[name];
    if (value === undefined) throw new Error(`Macro ${name} is not defined`);
    return value;
  });
}

describe.skipIf(!fs.existsSync(BUILDER))('npm run package:dir', () => {
  it('packs what the app needs and nothing from tests', async () => {
    const r = spawnSync(process.execPath, ['scripts/package.mjs', '--dir'], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const { problems, files } = await checkPackage(UNPACKED, {
      rendererRequired: fs.existsSync('renderer/vite.config.ts'),
    });
    expect(problems).toEqual([]);
    expect(files).toBeGreaterThan(100);
    const listed = asar.listPackage(`${UNPACKED}/resources/app.asar`, { isPack: false });
    expect(listed).toContain('/dist/electron/main.js');
    expect(listed).toContain('/node_modules/zod/package.json');
    expect(listed.filter((f) => f.startsWith('/node_modules/vitest'))).toEqual([]);
  }, 180_000);

  it.skipIf(!fs.existsSync('/usr/bin/node'))(
    'runs the bundled helper on its own, with no node_modules near it',
    () => {
      const dir = tmp('egpu-helper-bundle-');
      const bundle = path.join(dir, 'egpu-guard-helper');
      fs.copyFileSync(`${UNPACKED}/resources/helper/egpu-guard-helper`, bundle);
      fs.chmodSync(bundle, 0o755);
      const root = makeRoot(tb3Nvidia);
      temps.push(root.dir);
      // Through its own #!/usr/bin/node line, as pkexec runs it.
      const r = spawnSync(bundle, ['--test-root', root.dir, 'rescan'], {
        encoding: 'utf8',
        env: {},
        cwd: dir,
      });
      expect(r.stderr).toMatch(/rescan: PCI buses rescanned/);
      expect(r.status).toBe(0);
      expect(fs.readFileSync(path.join(root.dir, 'sys/bus/pci/rescan'), 'utf8')).toMatch(/1\n$/);
      const bad = spawnSync(bundle, ['--test-root', root.dir, 'remove', '../../etc'], {
        encoding: 'utf8',
        env: {},
      });
      expect(bad.status).toBe(2);
    },
  );

  it.skipIf(!fs.existsSync('/usr/bin/node'))(
    'runs the bundled session service on its own, with no node_modules near it',
    () => {
      const dir = tmp('egpu-service-bundle-');
      const bundle = path.join(dir, 'egpu-guard-service');
      fs.copyFileSync(`${UNPACKED}/resources/service/egpu-guard-service`, bundle);
      fs.chmodSync(bundle, 0o755);
      // Through its own #!/usr/bin/node line, as systemd runs it (ExecStart).
      const r = spawnSync(bundle, ['--help'], { encoding: 'utf8', env: {}, cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Usage: egpu service /);
      const unit = fs.readFileSync(`${UNPACKED}/resources/systemd/egpu-guard.service`, 'utf8');
      expect(unit).toMatch(new RegExp(`^ExecStart=${SERVICE}$`, 'm'));
    },
  );
});

describe('the check itself', () => {
  it('fails a package that lacks the preload, carries a test file and kept its fuses', () => {
    const app = tmp('egpu-asar-src-');
    const put = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
      fs.writeFileSync(path.join(app, rel), text);
    };
    put(
      'package.json',
      JSON.stringify({ main: 'dist/electron/main.js', dependencies: { zod: '4' } }),
    );
    put('dist/electron/main.js', "import { x } from './gone.js';\nimport 'dbus-next';\n");
    put('dist/electron/tray/tray-menu.test.js', '');
    put('main/common/result.ts', '');
    const unpacked = tmp('egpu-unpacked-');
    fs.mkdirSync(path.join(unpacked, 'resources'));
    // An Electron binary whose fuses were never flipped (Electron 41's defaults).
    const wire = Buffer.concat([
      Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
      Buffer.from([1, 8]),
      Buffer.from('10110001'),
    ]);
    fs.writeFileSync(path.join(unpacked, 'egpu-guard'), wire);
    return asar.createPackage(app, path.join(unpacked, 'resources', 'app.asar')).then(async () => {
      const { problems } = await checkPackage(unpacked, {
        rendererRequired: true,
        scannerRequired: true,
      });
      const text = problems.join('\n');
      expect(text).toMatch(/missing \/dist\/electron\/preload\.cjs/);
      expect(text).toMatch(
        /missing \/dist\/electron\/gone\.js \(imported by \/dist\/electron\/main\.js\)/,
      );
      expect(text).toMatch(/missing \/node_modules\/dbus-next\/package\.json/);
      expect(text).toMatch(
        /missing \/node_modules\/zod\/package\.json \(a production dependency\)/,
      );
      expect(text).toMatch(/tray-menu\.test\.js is a test file/);
      expect(text).toMatch(/\/main\/common\/result\.ts is a source file/);
      expect(text).toMatch(/missing \/dist\/renderer\/index\.html/);
      expect(text).toMatch(/missing \/assets\/icons\/tray\/problem@2x\.png/);
      expect(text).toMatch(/resources\/helper\/egpu-guard-helper/);
      expect(text).toMatch(/missing \S*resources\/service\/egpu-guard-service/);
      expect(text).toMatch(/missing \S*resources\/service\/egpu-proc-scan/);
      expect(text).toMatch(/missing \S*resources\/systemd\/egpu-guard\.service/);
      expect(text).toMatch(/missing \S*resources\/dbus\/io\.github\.EgpuGuard1\.service/);
      expect(text).toMatch(/fuse EnableNodeOptionsEnvironmentVariable is not off/);
      expect(text).toMatch(/fuse EnableNodeCliInspectArguments is not off/);
      expect(text).toMatch(/fuse OnlyLoadAppFromAsar is not on/);
      expect(text).toMatch(/fuse EnableCookieEncryption is not on/);
    });
  });
});

describe('deb/rpm scripts', () => {
  it('render with electron-builder macros into valid bash that installs the helper', () => {
    const install = renderTemplate('assets/packaging/after-install.tpl');
    const remove = renderTemplate('assets/packaging/after-remove.tpl');
    for (const script of [install, remove]) {
      const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(install).toContain(
      "/bin/sh '/opt/eGPU Guard/resources/packaging/install-helper.sh' install '/opt/eGPU Guard/resources'",
    );
    // electron-builder's own steps are kept.
    expect(install).toContain("update-alternatives --install '/usr/bin/egpu-guard'");
    expect(install).toContain("chmod 4755 '/opt/eGPU Guard/chrome-sandbox'");
    expect(remove).toContain(`rm -f ${HELPER_INSTALL_PATH} ${POLICY}`);
    expect(remove).toContain(`rm -f ${SERVICE} ${SCAN_WORKER} ${SCANNER} ${UNIT} ${ACTIVATION}`);
    // A package never enables or starts a user service by itself.
    expect(install).not.toMatch(/systemctl|--global|\.wants/);
  });

  it('install-helper.sh puts the helper where its policy points, the service where its unit does', () => {
    const res = tmp('egpu-res-');
    for (const d of ['helper', 'polkit', 'service', 'systemd', 'dbus'])
      fs.mkdirSync(path.join(res, d));
    fs.writeFileSync(path.join(res, 'helper/egpu-guard-helper'), '#!/usr/bin/node\n');
    fs.writeFileSync(path.join(res, 'service/egpu-guard-service'), '#!/usr/bin/node\n');
    fs.writeFileSync(path.join(res, 'service/proc-scan-worker.cjs'), '"use strict";\n');
    fs.copyFileSync('/bin/true', path.join(res, 'service/egpu-proc-scan'));
    fs.copyFileSync(
      'assets/polkit/io.github.egpuguard.policy',
      path.join(res, 'polkit/io.github.egpuguard.policy'),
    );
    fs.copyFileSync(
      'assets/systemd/egpu-guard.service',
      path.join(res, 'systemd/egpu-guard.service'),
    );
    fs.copyFileSync(
      'assets/dbus/io.github.EgpuGuard1.service',
      path.join(res, 'dbus/io.github.EgpuGuard1.service'),
    );
    const root = tmp('egpu-destroot-');
    const run = (...args: string[]) =>
      spawnSync('sh', ['assets/packaging/install-helper.sh', ...args], { encoding: 'utf8' });
    expect(run('install', res, root).status).toBe(0);
    const helper = fs.statSync(path.join(root, HELPER_INSTALL_PATH));
    expect(helper.isFile()).toBe(true); // a copy: pkexec realpath()s the program
    expect(helper.mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(root, POLICY)).mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(path.join(root, POLICY), 'utf8')).toContain(
      `<annotate key="org.freedesktop.policykit.exec.path">${HELPER_INSTALL_PATH}</annotate>`,
    );
    // The session service where its unit and activation file say, which name each other.
    const service = fs.statSync(path.join(root, SERVICE));
    expect(service.isFile()).toBe(true);
    expect(service.mode & 0o777).toBe(0o755);
    // Its scan worker beside it, where main/platform/proc-scan.ts looks.
    expect(path.dirname(SCAN_WORKER)).toBe(path.dirname(SERVICE));
    expect(fs.statSync(path.join(root, SCAN_WORKER)).mode & 0o777).toBe(0o644);
    // And its C scanner (main/platform/native-scan.ts looks beside the bundle too).
    expect(path.dirname(SCANNER)).toBe(path.dirname(SERVICE));
    expect(fs.statSync(path.join(root, SCANNER)).mode & 0o777).toBe(0o755);
    const unit = fs.readFileSync(path.join(root, UNIT), 'utf8');
    expect(fs.statSync(path.join(root, UNIT)).mode & 0o777).toBe(0o644);
    expect(unit).toMatch(new RegExp(`^ExecStart=${SERVICE}$`, 'm'));
    // Not Type=dbus: behind the tray app it waits in the bus's queue, maybe for hours.
    expect(unit).toMatch(/^Type=exec$/m);
    expect(unit).not.toMatch(/^\s*NoNewPrivileges=/m); // pkexec is setuid
    const activation = fs.readFileSync(path.join(root, ACTIVATION), 'utf8');
    expect(fs.statSync(path.join(root, ACTIVATION)).mode & 0o777).toBe(0o644);
    expect(activation).toMatch(/^\[D-BUS Service\]$/m);
    expect(activation).toMatch(/^Name=io\.github\.EgpuGuard1$/m);
    expect(activation).toMatch(new RegExp(`^Exec=${SERVICE}$`, 'm'));
    expect(activation).toMatch(new RegExp(`^SystemdService=${path.basename(UNIT)}$`, 'm'));
    // Installed, not enabled: no link in any .wants/ folder.
    expect(
      fs.existsSync(path.join(root, 'usr/lib/systemd/user/graphical-session.target.wants')),
    ).toBe(false);

    expect(run('remove', root).status).toBe(0);
    for (const f of [HELPER_INSTALL_PATH, POLICY, SERVICE, SCAN_WORKER, SCANNER, UNIT, ACTIVATION])
      expect(fs.existsSync(path.join(root, f)), f).toBe(false);
    // Built without a C compiler, the package has no scanner: the rest installs all the same.
    fs.rmSync(path.join(res, 'service/egpu-proc-scan'));
    const bare = tmp('egpu-destroot-');
    expect(run('install', res, bare).status).toBe(0);
    expect(fs.existsSync(path.join(bare, SERVICE))).toBe(true);
    expect(fs.existsSync(path.join(bare, SCANNER))).toBe(false);
    expect(fs.existsSync(path.join(root, 'usr/libexec/egpu-guard'))).toBe(false);
    expect(run('bogus').status).toBe(2);
  });

  it('after-remove removes every file install-helper.sh installs (kept in step)', () => {
    const script = fs.readFileSync('assets/packaging/install-helper.sh', 'utf8');
    const installed = [...script.matchAll(/^[A-Z_]+=(\/\S+)$/gm)].map((m) => m[1]!);
    expect(installed.sort()).toEqual(
      [HELPER_INSTALL_PATH, POLICY, SERVICE, SCAN_WORKER, SCANNER, UNIT, ACTIVATION].sort(),
    );
    const removed = renderTemplate('assets/packaging/after-remove.tpl')
      .split('\n')
      .filter((l) => l.startsWith('rm -f '))
      .flatMap((l) => l.slice('rm -f '.length).split(' '));
    for (const f of installed) expect(removed, f).toContain(f);
  });

  it('after-remove leaves everything in place on upgrades', () => {
    const remove = renderTemplate('assets/packaging/after-remove.tpl');
    // Only the guard at the top: it must exit before touching anything.
    const guard = remove.slice(0, remove.indexOf('# The privileged helper'));
    for (const arg of ['upgrade', 'failed-upgrade', 'abort-upgrade', '1', '2']) {
      const r = spawnSync('bash', ['-c', `${guard}\necho REMOVED`, 'after-remove', arg], {
        encoding: 'utf8',
      });
      expect(r.stdout, arg).toBe('');
    }
    for (const arg of ['remove', 'purge', '0']) {
      const r = spawnSync('bash', ['-c', `${guard}\necho REMOVED`, 'after-remove', arg], {
        encoding: 'utf8',
      });
      expect(r.stdout, arg).toBe('REMOVED\n');
    }
  });
});
